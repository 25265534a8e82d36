"""The derivation as an indented tree for the terminal, wrapped to 80 columns.

A sub-derivation used more than once is written out the first time and
referred to ("shown above") after that, so a shared step is read once.
A tree deeper than :data:`MAX_LEAD` columns of indentation goes on in a
numbered section below ("continued at [1]"), so a long chain's text grows with
its number of steps, not with their square.
"""

from __future__ import annotations

import textwrap

from lexkb.explain.graph import Derivation, Node

from .common import budget_note, case_line, cut_off, extras, first_ground, headline, summary, visible

MIN_TEXT = 24  # never wrap text narrower than this, however deep the tree
MAX_LEAD = 60  # a node indented further that has steps below it is continued in a section of its own


def render_text(d: Derivation, *, width: int = 80, depth: int | None = None) -> str:
    """The indented tree, with a header saying the outcome; ``depth`` limits how many rules deep it goes."""
    lines: list[str] = []
    title, more_title = summary(d)
    lines.extend(_wrap(f"{title} {more_title}".strip(), "", "", width))
    case = case_line(d)
    if case:
        lines.extend(_wrap(case, "", "  ", width))
    if d.case.get("source"):
        lines.extend(_wrap(f"Quotes are from {d.case['source']}", "", "  ", width))
    lines.append("")
    printed: set[str] = set()
    cited: set[str] = set()
    ground = first_ground(d) - 1
    # An explicit stack, not recursion: derivation chains can be long.
    stack: list[tuple[str, str, str]] = [(d.root, "", "")]
    continued: dict[str, int] = {}  # node id -> the number of the section it is continued in
    sections: list[str] = []  # node ids continued, in the order their sections follow
    while stack or sections:
        if not stack:
            node_id = sections.pop(0)
            lines.append("")
            stack.append((node_id, f"[{continued[node_id]}] ", "    "))
        node_id, lead, cont = stack.pop()
        node = d.nodes[node_id]
        head = headline(d, node)
        if node.failed and node.kind != "rule" and node_id != d.root:
            head = "\u2717 " + head
        if node.kind == "rule" and lead and node_id in d.nodes[d.root].children:
            ground += 1
            head = (f"Ground {ground}: " if d.mode == "why" else "Could conclude it: ") + head
        more = [(style, text) for style, text in extras(d, node)
                if not (style == "source" and text == f"source: {d.case.get('source')}")]
        if node.kind == "rule" and node_id not in printed:
            more = _cite_once(node, more, cited)
        children = visible(d, node, depth)
        repeated = node_id in printed and bool(children or more)
        if repeated and not lead.startswith(f"[{continued.get(node_id)}] "):
            where = f"continued at [{continued[node_id]}]" if node_id in continued else "shown above"
            lines.extend(_wrap(f"{head} ({where})", lead, cont + "   ", width))
            continue
        if len(lead) > MAX_LEAD and children and node_id not in printed:
            continued[node_id] = len(continued) + 1
            sections.append(node_id)
            printed.add(node_id)
            lines.extend(_wrap(f"{head} (continued at [{continued[node_id]}])", lead, cont + "   ", width))
            continue
        printed.add(node_id)
        if cut_off(d, node, depth) and not node.detail.get("truncated"):
            more = [*more, ("note", "(not explained further: depth limit)")]
        below = cont + ("\u2502  " if children else "   ")
        lines.extend(_wrap(head, lead, below, width))
        for style, text in more:
            indent = "  " if style in ("says", "quote") else ""
            lines.extend(_wrap(text, below + " " + indent, below + " " + indent + " ", width))
        for index in range(len(children) - 1, -1, -1):
            last = index == len(children) - 1
            child = children[index]
            stack.append((child.id, cont + ("\u2514\u2500 " if last else "\u251c\u2500 "),
                          cont + ("   " if last else "\u2502  ")))
    note = budget_note(d)
    if note:
        lines += ["", *_wrap(note, "", "", width)]
    return "\n".join(line.rstrip() for line in lines) + "\n"


def _cite_once(node: Node, more: list[tuple[str, str]], cited: set[str]) -> list[tuple[str, str]]:
    """An authority's words are quoted the first time it is cited; after that, its name is enough."""
    out = []
    names = iter(a["name"] for a in node.detail.get("authorities", ()))
    current = None
    for style, text in more:
        if style == "authority":
            current = next(names)
            if current in cited:
                out.append((style, f"because {current} (quoted above)"))
                continue
            out.append((style, text))
        elif style == "says" and current in cited:
            continue
        else:
            out.append((style, text))
    for authority in node.detail.get("authorities", ()):
        cited.add(authority["name"])
    return out


def _wrap(text: str, first: str, rest: str, width: int) -> list[str]:
    """``text`` wrapped to ``width`` columns, the first line after ``first``, the others after ``rest``."""
    room = max(MIN_TEXT, width - max(len(first), len(rest)))
    pieces = textwrap.wrap(text, room, break_long_words=True, break_on_hyphens=False) or [""]
    return [first + pieces[0]] + [rest + piece for piece in pieces[1:]]


__all__ = ["render_text", "Node"]
