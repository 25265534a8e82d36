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

from .common import KIND_NAMES, budget_note, case_line, cut_off, describe, first_ground, headline, summary, visible

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
        parts.append(f"<B>{_lines(describe(node))}</B>")
        if detail.get("quote"):
            parts.append(f"<I>{_lines(chr(0x201c) + detail['quote'] + chr(0x201d))}</I>")
        if detail.get("location"):
            parts.append(_small(detail["location"]))
    elif kind == "kb_fact":
        parts.append(f"<B>{_lines(describe(node))}</B>")
        parts.append(_small(detail["location"]))
    elif kind == "conclusion" or kind == "not_concluded":
        title = describe(node)
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
        parts.append(f"<B>{_lines(describe(node))}</B>")
        parts.append(_small(detail["written"]))
    elif kind == "binding":
        parts.append(f"<B>{_lines(describe(node))}</B>")
        if not node.failed:
            parts.append(_small(f"{detail['expression']} = {detail['computed']}"))
    elif kind == "absent":
        parts.append(f"<B>{_lines(describe(node))}</B>")
        what = "that" if detail["compound"] else detail["atom"]
        parts.append(_small(("exception; " if detail["exception"] else "") + f"nothing established {what}"))
    elif kind in ("missing", "missing_input"):
        parts.append(f"<B>{_lines(describe(node))}</B>")
        if detail.get("existing"):
            who = "the case states" if detail.get("input") else "what holds"
            parts.append(_small(f"{who}: " + ", ".join(detail["existing"])))
    else:
        parts.append(f"<B>{_lines(headline(d, node))}</B>")
    return "<" + "".join(parts) + ">"


def render_dot(d: Derivation, *, depth: int | None = None, collapse: bool | None = None,
               legend: bool = True, fold: bool | None = None, title: bool = True) -> str:
    """DOT source for the graph.

    Each independent ground is drawn in its own box, the grounds stacked top
    to bottom under the outcome, and the conditions a rule rests on directly
    (facts, comparisons) in a column under it: a graph grows down, which a
    page scrolls, not sideways. ``depth`` draws only nodes within that many
    rules of the outcome; ``collapse`` draws a conclusion used in several
    places once and refers to it elsewhere, and ``fold`` draws only the first
    ground of an intermediate conclusion reached in several ways, saying how
    to see the others (both default to on when the graph has more than 80
    nodes). ``title`` heads the graph with the outcome and the case.
    """
    size = sum(1 for n in d.walk() if depth is None or n.level <= depth)
    if collapse is None:
        collapse = size > COLLAPSE_OVER
    g = graphviz.Digraph("explanation")
    g.attr("graph", rankdir="TB", nodesep="0.3", ranksep="0.45", fontname="Helvetica", fontsize="12",
           labelloc="t", labeljust="l", newrank="true", ordering="out",
           **({"label": _title(d)} if title else {}))
    g.attr("node", fontname="Helvetica", fontsize="11", margin="0.12,0.06", penwidth="1.2")
    g.attr("edge", color="#6f6f6f", dir="back", arrowtail="normal", arrowsize="0.7")
    drawing = _Drawing(d, g, depth, collapse, collapse if fold is None else fold)
    drawing.draw()
    if legend:
        kinds = [k for k in KINDS if k in drawing.kinds]
        if drawing.failed and "not_concluded" not in kinds:
            kinds.append("not_concluded")
        with g.subgraph(name="legend_rank") as sub:
            sub.attr(rank="sink")
            sub.node("legend", _legend(kinds), shape="plaintext")
    return g.source


class _Drawing:
    """Places the nodes of a derivation into Graphviz, one box (cluster) per ground."""

    def __init__(self, d: Derivation, g: graphviz.Digraph, depth: int | None, collapse: bool, fold: bool) -> None:
        self.d, self.g, self.depth, self.collapse, self.fold = d, g, depth, collapse, fold
        self.names: dict[tuple[int, str], str] = {}  # (ground, node id) → DOT name
        self.home: dict[str, int] = {}  # node id → the ground that drew it first
        self.quoted: set[str] = set()
        self.kinds: set[str] = set()
        self.failed = False
        self.count = 0
        self.parents: set[str] = set()  # DOT names with something drawn below them

    def draw(self) -> None:
        d = self.d
        root = d.nodes[d.root]
        top = self._node(self.g, 0, root)
        tops = [c for c in visible(d, root, self.depth) if c.kind == "rule"]
        first = first_ground(d)
        previous: list[str] = []
        for index, rule in enumerate(tops):
            with self.g.subgraph(name=f"cluster_ground{index + 1}") as box:
                if len(tops) > 1 or "ground" in root.detail:
                    box.attr(label=f"<<B>Ground {first + index}</B>>", style="rounded", color="#c8c8c8",
                             fontsize="13", labeljust="l")
                drawn = self._tree(box, index + 1, rule)
            # The first ground hangs under the outcome; the others are stacked below it.
            self.g.edge(top, drawn[0], **({} if index == 0 else {"constraint": "false"}),
                        color=FAILED[1] if rule.failed else "#6f6f6f")
            for sink in previous:
                self.g.edge(sink, drawn[0], style="invis")
            previous = self._sinks(drawn)
        for child in d.children(root):
            if child.kind != "rule" and child.id not in {c.id for c in tops}:
                self.g.edge(top, self._node(self.g, 0, child))
        self._more(self.g, top, root)

    def _tree(self, box: graphviz.Digraph, ground: int, rule: Node) -> list[str]:
        """Draw one ground below its rule; the DOT names drawn, the rule's first."""
        drawn = [self._node(box, ground, rule)]
        self.home.setdefault(rule.id, ground)
        stack = [rule]
        while stack:
            node = stack.pop()
            parent = self.names[(ground, node.id)]
            leaves: list[str] = []
            children = visible(self.d, node, self.depth)
            if self.fold and node.kind == "conclusion" and node.id != self.d.root:
                rules = [c for c in children if c.kind == "rule"]
                if len(rules) > 1:
                    children = [c for c in children if c.kind != "rule" or c is rules[0]]
                    leaves.append(self._folded(box, ground, node, len(rules) - 1))
            for child in children:
                name, expand = self._place(box, ground, child)
                self.parents.add(parent)
                self.g.edge(parent, name, **({"style": "dashed"} if name.startswith("r") else {}),
                            color=FAILED[1] if child.failed else "#6f6f6f")
                if expand:
                    drawn.append(name)
                    stack.append(child)
                if not expand or not visible(self.d, child, self.depth):
                    leaves.append(name)
            # Conditions with nothing below them stand in a column, not in a wide row.
            for upper, lower in zip(leaves, leaves[1:]):
                box.edge(upper, lower, style="invis")
            self._more(box, parent, node)
        return drawn

    def _place(self, box: graphviz.Digraph, ground: int, node: Node) -> tuple[str, bool]:
        """The DOT name for a node in this ground, and whether its children are still to be drawn."""
        key = (ground, node.id)
        if key in self.names:
            if self.collapse and node.kind == "conclusion" and node.children:
                return self._reference(box, node, "(derived elsewhere in this graph)"), False
            return self.names[key], False
        home = self.home.setdefault(node.id, ground)
        if home != ground and node.kind == "conclusion" and visible(self.d, node, self.depth):
            return self._reference(box, node, f"(derived in ground {first_ground(self.d) + home - 1})"), False
        return self._node(box, ground, node), True

    def _node(self, box: graphviz.Digraph, ground: int, node: Node) -> str:
        self.count += 1
        name = f"n{self.count}"
        self.names[(ground, node.id)] = name
        shape, style, fill, border = STYLES[node.kind]
        if node.failed:
            # A rule tried keeps its colour (it is still a rule); the red border says it failed.
            fill, border = (fill, FAILED[1]) if node.kind == "rule" else FAILED
            self.failed = True
        attrs = {"shape": shape, "style": style, "fillcolor": fill, "color": border}
        if node.id == self.d.root:
            attrs["penwidth"] = "2.5"
        self.kinds.add(node.kind)
        box.node(name, _label(self.d, node, self.quoted), **attrs)
        return name

    def _reference(self, box: graphviz.Digraph, node: Node, note: str) -> str:
        self.count += 1
        name = f"r{self.count}"
        box.node(name, f"<{_lines(describe(node))}{_small(note)}>",
                 shape="box", style="rounded,dashed", color="#2e6da4", fontcolor="#2e6da4")
        return name

    def _folded(self, box: graphviz.Digraph, ground: int, node: Node, hidden: int) -> str:
        """A box for the other grounds of an intermediate conclusion, with the command that shows them."""
        self.count += 1
        name = f"f{self.count}"
        other = "ground" if hidden == 1 else "grounds"
        box.node(name, f"<{_lines(f'{hidden} more {other} for {describe(node)}')}"
                       f"{_small(f'not drawn here: lexkb explain … {chr(39)}{node.label}{chr(39)}')}>",
                 shape="box", style="rounded,dashed", color="#7f7f7f", fontcolor="#404040")
        self.g.edge(self.names[(ground, node.id)], name, style="dashed")
        self.kinds.add("more")
        return name

    def _more(self, box: graphviz.Digraph, parent: str, node: Node) -> None:
        if self.depth is not None and cut_off(self.d, node, self.depth) and not node.detail.get("truncated"):
            more = f"{parent}_more"
            box.node(more, "<…<BR/>" + _small("deeper steps not shown (depth limit)") + ">",
                     shape="plaintext", fontcolor="#7f7f7f")
            self.g.edge(parent, more, style="dotted")

    def _sinks(self, drawn: list[str]) -> list[str]:
        """The drawn nodes of a ground nothing hangs below (where the next ground starts)."""
        return [name for name in drawn if name not in self.parents] or drawn[-1:]


def _title(d: Derivation) -> str:
    text = summary(d)[0]
    case = case_line(d)
    out = f'<FONT POINT-SIZE="14"><B>{_lines(text, 90)}</B></FONT>'
    if case:
        out += _small(case, 100)
    note = budget_note(d)
    if note:
        out += _small(note, 100)
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
