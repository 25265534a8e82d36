"""The derivation as a Graphviz graph: DOT source, and SVG/PNG/PDF through Graphviz's ``dot``.

Visual grammar: the outcome at the top; each rule a yellow box listing its
authorities; facts of the case as green notes with the quote; rules-file
facts as grey notes; comparisons and bindings as small rounded boxes;
`not X` that held as dashed boxes; anything that failed (why-not) in red.
Arrows point from what a conclusion rests on up to the conclusion.

Every piece of text from a rule or case file goes into an HTML-like label
after :func:`escape`, so a citation holding ``"``, ``<script>``, ``]`` or
``{`` is drawn as text and cannot change the graph or the SVG.
"""

from __future__ import annotations

import html
import re
import textwrap

import graphviz

from lexkb.errors import LexkbError
from lexkb.explain.graph import KINDS, Derivation, Node

from .common import KIND_NAMES, case_line, cut_off, headline, summary, visible

IMAGE_FORMATS = ("svg", "png", "pdf")
WRAP = 52  # characters per line inside a node
COLLAPSE_OVER = 80  # with more nodes than this, shared conclusions are drawn once and referred to
INSTALL_HINT = ("install Graphviz, e.g. `apt-get install graphviz` (Debian, Ubuntu) or `brew install graphviz` "
                "(macOS); the text, dot and json formats work without it")

# kind → (shape, style, fill colour, border colour)
STYLES: dict[str, tuple[str, str, str, str]] = {
    "conclusion": ("box", "rounded,filled", "#dbe9f6", "#2e6da4"),
    "rule": ("box", "filled", "#fff2cc", "#b8860b"),
    "case_fact": ("note", "filled", "#e2f0d9", "#548235"),
    "kb_fact": ("note", "filled", "#ededed", "#7f7f7f"),
    "given": ("note", "filled", "#ffffff", "#7f7f7f"),
    "comparison": ("box", "rounded,filled", "#ece4f7", "#7030a0"),
    "binding": ("box", "rounded,filled", "#f2f2f2", "#595959"),
    "absent": ("box", "rounded,filled,dashed", "#fbe5d6", "#c55a11"),
    "not_concluded": ("box", "rounded,filled", "#f8d7da", "#c00000"),
    "missing": ("box", "rounded,filled,dashed", "#f8d7da", "#c00000"),
    "missing_input": ("note", "filled,dashed", "#f8d7da", "#c00000"),
    "present": ("box", "rounded,filled", "#f8d7da", "#c00000"),
    "more": ("box", "rounded,dashed", "#ffffff", "#7f7f7f"),
}
FAILED = ("#f8d7da", "#c00000")

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def escape(text: str) -> str:
    """Text made safe for an HTML-like Graphviz label (and so for the SVG drawn from it)."""
    text = _CONTROL.sub("", text.replace("\r", " ").replace("\n", " ").replace("\t", " "))
    return html.escape(text, quote=True)


def _lines(text: str, width: int = WRAP) -> str:
    """Wrapped, escaped text, lines left-aligned."""
    pieces = textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False) or [""]
    return '<BR ALIGN="LEFT"/>'.join(escape(p) for p in pieces) + '<BR ALIGN="LEFT"/>'


def _small(text: str, width: int = WRAP + 8) -> str:
    return f'<FONT POINT-SIZE="9" COLOR="#404040">{_lines(text, width)}</FONT>'


def _label(d: Derivation, node: Node, quoted: set[str]) -> str:
    """An HTML-like label: the node's title in bold, then its details.

    An authority's full citation is on every rule that cites it; the words it
    stands for are quoted at its first appearance (``quoted``), which keeps
    large graphs readable.
    """
    detail = node.detail
    kind = node.kind
    parts: list[str] = []
    if kind == "rule":
        parts.append(f"<B>{_lines('rule ' + str(detail['rule']) if detail.get('name') else 'rule')}</B>")
        if "alternative" in detail:
            k, n = detail["alternative"]
            parts.append(_small(f"alternative {k} of {n}"))
        parts.append(_small(detail["location"]))
        for authority in detail.get("authorities", ()):
            parts.append(f"<B>{_lines(authority['name'] + ': ' + authority['citation'])}</B>")
            if authority.get("says") and authority["name"] not in quoted:
                parts.append(f"<I>{_lines(chr(0x201c) + authority['says'] + chr(0x201d))}</I>")
            quoted.add(authority["name"])
        if node.failed and detail.get("satisfied"):
            parts.append(_small("held: " + "; ".join(detail["satisfied"])))
    elif kind == "case_fact":
        parts.append(f"<B>{_lines(node.label)}</B>")
        if detail.get("quote"):
            parts.append(f"<I>{_lines(chr(0x201c) + detail['quote'] + chr(0x201d))}</I>")
        if detail.get("location"):
            parts.append(_small(detail["location"]))
    elif kind == "kb_fact":
        parts.append(f"<B>{_lines(node.label)}</B>")
        parts.append(_small(detail["location"]))
    elif kind == "conclusion" or kind == "not_concluded":
        title = node.label
        if node.id == d.root:
            title += " — holds" if kind == "conclusion" else " — does not hold"
            parts.append(f'<FONT POINT-SIZE="16"><B>{_lines(title)}</B></FONT>')
        else:
            parts.append(f"<B>{_lines(title)}</B>")
            if kind == "not_concluded":
                parts.append(_small("does not hold"))
        if detail.get("truncated"):
            parts.append(_small("(not explained further: depth limit)"))
    elif kind == "comparison":
        parts.append(f"<B>{_lines(node.label)}</B>")
        parts.append(_small(detail["written"]))
    elif kind == "binding":
        parts.append(f"<B>{_lines(node.label)}</B>")
        if not node.failed:
            parts.append(_small(f"{detail['expression']} = {detail['computed']}"))
    elif kind == "absent":
        parts.append(f"<B>{_lines(node.label)}</B>")
        what = "that" if detail["compound"] else detail["atom"]
        parts.append(_small(("exception; " if detail["exception"] else "") + f"nothing established {what}"))
    elif kind in ("missing", "missing_input"):
        parts.append(f"<B>{_lines(node.label)}</B>")
        if detail.get("existing"):
            who = "the case states" if detail.get("input") else "what holds"
            parts.append(_small(f"{who}: " + ", ".join(detail["existing"])))
    else:
        parts.append(f"<B>{_lines(headline(d, node))}</B>")
    return "<" + "".join(parts) + ">"


def render_dot(d: Derivation, *, depth: int | None = None, collapse: bool | None = None,
               legend: bool = True) -> str:
    """DOT source for the graph.

    ``depth`` draws only nodes within that many rules of the outcome;
    ``collapse`` draws a conclusion used in several places once and refers
    to it elsewhere (default: when the graph has more than 80 nodes).
    """
    order = [n for n in d.walk() if depth is None or n.level <= depth]
    names = {node.id: f"n{i + 1}" for i, node in enumerate(order)}
    if collapse is None:
        collapse = len(order) > COLLAPSE_OVER
    g = graphviz.Digraph("explanation")
    g.attr("graph", rankdir="TB", nodesep="0.3", ranksep="0.45", fontname="Helvetica", fontsize="12",
           labelloc="t", labeljust="l", newrank="true", ordering="out",
           label=_title(d))
    g.attr("node", fontname="Helvetica", fontsize="11", margin="0.12,0.06", penwidth="1.2")
    g.attr("edge", color="#6f6f6f", dir="back", arrowtail="normal", arrowsize="0.7")
    quoted: set[str] = set()
    for node in order:
        shape, style, fill, border = STYLES[node.kind]
        if node.failed:
            # A rule tried keeps its colour (it is still a rule); the red border says it failed.
            fill, border = (fill, FAILED[1]) if node.kind == "rule" else FAILED
        attrs = {"shape": shape, "style": style, "fillcolor": fill, "color": border}
        if node.id == d.root:
            attrs["penwidth"] = "2.5"
        g.node(names[node.id], _label(d, node, quoted), **attrs)
    drawn: set[str] = set()
    refs = 0
    for node in order:
        for child in visible(d, node, depth):
            if child.id not in names:
                continue
            shared = collapse and child.kind == "conclusion" and child.children
            if shared and child.id in drawn:
                refs += 1
                ref = f"r{refs}"
                g.node(ref, f"<{_lines(child.label)}{_small('(derived elsewhere in this graph)')}>",
                       shape="box", style="rounded,dashed", color="#2e6da4", fontcolor="#2e6da4")
                g.edge(names[node.id], ref, style="dashed")
                continue
            drawn.add(child.id)
            g.edge(names[node.id], names[child.id], color=FAILED[1] if child.failed else "#6f6f6f")
        if depth is not None and cut_off(d, node, depth) and not node.detail.get("truncated"):
            more = f"{names[node.id]}_more"
            g.node(more, "<…<BR/>" + _small("deeper steps not shown (depth limit)") + ">",
                   shape="plaintext", fontcolor="#7f7f7f")
            g.edge(names[node.id], more, style="dotted")
    if legend:
        kinds = [k for k in KINDS if any(n.kind == k for n in order)]
        if any(n.failed for n in order) and "not_concluded" not in kinds:
            kinds.append("not_concluded")
        with g.subgraph(name="legend_rank") as sub:
            sub.attr(rank="sink")
            sub.node("legend", _legend(kinds), shape="plaintext")
    return g.source


def _title(d: Derivation) -> str:
    text = summary(d)[0]
    case = case_line(d)
    out = f'<FONT POINT-SIZE="14"><B>{_lines(text, 90)}</B></FONT>'
    if case:
        out += _small(case, 100)
    return "<" + out + ">"


def _legend(kinds: list[str]) -> str:
    rows = ['<TR><TD COLSPAN="2" ALIGN="LEFT"><B>Legend</B></TD></TR>']
    for kind in kinds:
        shape, style, fill, border = STYLES[kind]
        rows.append(f'<TR><TD BGCOLOR="{fill}" COLOR="{border}" BORDER="1" WIDTH="24"> </TD>'
                    f'<TD ALIGN="LEFT">{escape(KIND_NAMES[kind])}</TD></TR>')
    rows.append('<TR><TD COLSPAN="2" ALIGN="LEFT"><FONT POINT-SIZE="9">arrows point from what a conclusion '
                'rests on to the conclusion;<BR ALIGN="LEFT"/>an authority\'s words are quoted where it first '
                'appears</FONT></TD></TR>')
    return '<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="3" CELLPADDING="3">' + "".join(rows) + "</TABLE>>"


def render_image(d: Derivation, fmt: str, *, depth: int | None = None, collapse: bool | None = None) -> bytes:
    """The graph drawn by Graphviz's ``dot`` as ``svg``, ``png`` or ``pdf`` bytes."""
    return image(render_dot(d, depth=depth, collapse=collapse), fmt)


def image(source: str, fmt: str) -> bytes:
    """DOT source drawn by Graphviz's ``dot``; a LexkbError (with how to install it) when ``dot`` is missing."""
    if fmt not in IMAGE_FORMATS:
        raise LexkbError(f"'{fmt}' is not an image format: use one of {', '.join(IMAGE_FORMATS)}")
    try:
        data = graphviz.pipe("dot", fmt, source.encode("utf-8"), quiet=True)
    except graphviz.ExecutableNotFound:
        raise LexkbError(f"drawing the graph as {fmt} needs Graphviz's `dot` program, which was not found",
                         hint=INSTALL_HINT) from None
    except graphviz.CalledProcessError as error:
        stderr = error.stderr.decode("utf-8", "replace").strip() if isinstance(error.stderr, bytes) else ""
        raise LexkbError(f"Graphviz's dot could not draw the graph: {stderr or error}") from None
    if fmt == "svg":
        # The version comment differs between Graphviz releases; drop it so output depends on input alone.
        data = re.sub(rb"<!-- Generated by graphviz version [^>]*-->\n", b"", data)
    elif fmt == "pdf":
        # Cairo stamps the time of drawing; a fixed stamp of the same length keeps the
        # cross-reference offsets valid and the file byte-identical run to run.
        data = re.sub(rb"/CreationDate \(D:\d{14}Z\)", b"/CreationDate (D:20000101000000Z)", data)
    return data
