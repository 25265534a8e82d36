"""What every renderer says about a node: headlines, extra lines, plain sentences.

Renderers differ in layout and escaping, not in wording, so the words live
here once. Nothing here escapes: each renderer escapes for its own format.
"""

from __future__ import annotations

from lexkb.errors import plural
from lexkb.explain.graph import Derivation, Node
from lexkb.language.readings import GENERIC_DENIAL

# What each kind of node is, for legends (in the order of derivation.KINDS).
KIND_NAMES = {
    "conclusion": "conclusion (derived)",
    "rule": "rule applied, with its authorities",
    "case_fact": "fact stated by the case, with its quote",
    "kb_fact": "fact stated in the rules (reference data)",
    "given": "fact given without a source",
    "comparison": "comparison of values",
    "binding": "value computed (?x = …)",
    "absent": "not X / unless X: nothing established X",
    "not_concluded": "does not hold",
    "missing": "condition not met",
    "missing_input": "the case does not state it",
    "present": "not X failed: X holds",
    "more": "not shown (limit)",
}


def describe(node: Node) -> str:
    """How a node is named to a reader: the predicate's English reading when the knowledge base gives
    one (``detail["reading"]``, put there by the explanation), else its label, the atom as written.

    Every renderer (text, DOT, HTML) names the conclusions, facts and
    conditions it shows through this one function.
    """
    reading = node.detail.get("reading")
    if reading is None:
        return node.label
    if node.kind == "missing_input":
        return f"the case does not state that {reading}"
    if node.kind == "missing":
        return f"nothing establishes that {reading}"
    return str(reading)


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _read_absent(node: Node) -> str:
    """`not X` that held, in English: the denial, and what nothing established when the denial is the
    knowledge base's own words (the generic denial already says it)."""
    detail = node.detail
    if detail["exception"]:
        return f"the exception does not apply: {detail['reading']}"
    if detail["reading"].startswith(GENERIC_DENIAL):
        return str(detail["reading"])
    return f"{detail['reading']} (nothing established that {detail['denies']})"


def visible(d: Derivation, node: Node, depth: int | None) -> list[Node]:
    """A node's children that lie within ``depth`` rules of the root (None: all)."""
    children = d.children(node)
    if depth is None:
        return children
    return [c for c in children if c.level <= depth]


def cut_off(d: Derivation, node: Node, depth: int | None) -> bool:
    """Whether the graph goes on below this node but is not shown (depth limit)."""
    if node.detail.get("truncated"):
        return True
    return depth is not None and any(c.level > depth for c in d.children(node))


def headline(d: Derivation, node: Node) -> str:
    """One line saying what the node is."""
    detail = node.detail
    kind = node.kind
    if kind == "conclusion":
        return describe(node) + (" — holds" if node.id == d.root else "")
    if kind == "rule":
        text = f"rule {detail['rule']}" if detail.get("name") else "rule"
        if "alternative" in detail:
            k, n = detail["alternative"]
            text += f" (alternative {k} of {n})"
        text += f" — {detail['location']}" if detail.get("name") else f" at {detail['location']}"
        return text
    if kind == "case_fact":
        where = f" ({detail['location']})" if detail.get("location") else ""
        return f"{describe(node)} — stated by the case{where}"
    if kind == "kb_fact":
        return f"{describe(node)} — stated in the rules ({detail['location']})"
    if kind == "given":
        return f"{describe(node)} — given"
    if kind == "comparison":
        if node.failed:
            return f"{describe(node)} — the condition {detail['written']} fails"
        text = describe(node)
        if detail["exception"]:
            return f"{text} — the exception does not apply ({detail['written']})"
        return f"{text} — holds ({detail['written']})"
    if kind == "binding":
        if node.failed:
            return describe(node)
        return f"{describe(node)} — computed as {detail['expression']} = {detail['computed']}"
    if kind == "absent" and "reading" in detail:
        return _read_absent(node)
    if kind == "present" and "reading" in detail:
        if detail["exception"]:
            return f"the exception applies: {detail['reading']}"
        return f"{detail['reading']}, which the rule requires not to be established"
    if kind == "absent":
        if detail["compound"]:
            return f"{describe(node)} — nothing established that"
        what = detail["atom"]
        if detail["exception"]:
            return f"{describe(node)} — the exception does not apply: nothing established {what}"
        return f"{describe(node)} — nothing established {what}"
    if kind == "not_concluded":
        tried = detail.get("rules_tried")
        if "reading" in detail:
            return describe(node) + (" (no rule concludes it)" if tried == 0 and node.id != d.root else "")
        if node.id == d.root:
            return f"{describe(node)} — does not hold"
        return f"{describe(node)} — does not hold" + (" (no rule concludes it)" if tried == 0 else "")
    return describe(node)


def extras(d: Derivation, node: Node) -> list[tuple[str, str]]:
    """Further lines under a node's headline, as (style, text): authorities, quotes, values."""
    detail = node.detail
    out: list[tuple[str, str]] = []
    if node.kind == "rule":
        for authority in detail.get("authorities", ()):
            out.append(("authority", f"because {authority['name']}: {authority['citation']}"))
            if authority.get("says"):
                out.append(("says", f"\u201c{authority['says']}\u201d"))
        if node.failed:
            satisfied = detail.get("satisfied") or []
            if satisfied:
                out.append(("note", "held: " + "; ".join(satisfied) + _bindings(detail.get("bindings"))))
            if detail.get("truncated_candidates"):
                out.append(("note", "(too many candidate values: only the first were tried)"))
        for folded in detail.get("folded", ()):
            out.append(("note", f"with the conditions of rule {folded['rule']} ({folded['location']})"))
    elif node.kind == "case_fact" and quotes_of(detail):
        out.extend(("quote", f"\u201c{quote}\u201d") for quote in quotes_of(detail))
        if detail.get("source"):
            out.append(("source", f"source: {detail['source']}"))
    elif node.kind in ("missing", "missing_input"):
        existing = detail.get("existing") or []
        if existing:
            who = "the case states" if detail.get("input") else "what holds"
            out.append(("note", f"{who}: " + ", ".join(existing)))
    elif node.kind == "comparison" and node.failed:
        pairs = detail.get("compared") or []
        if len(pairs) > 1:
            out.append(("note", "values compared: " + "; ".join(f"{a} and {b}" for a, b in pairs)))
    if node.kind in ("conclusion", "not_concluded") and node.detail.get("truncated"):
        limit = "node budget" if node.detail.get("over_budget") else "depth limit"
        out.append(("note", f"(not explained further: {limit})"))
    return out


def budget_note(d: Derivation) -> str | None:
    """What the node budget left out, and how to see it; None when the whole graph was built."""
    root = d.nodes[d.root].detail
    if "max_nodes" not in root:
        return None
    count = root["not_shown"]
    steps = "step" if count == 1 else "steps"
    return (f"\u2026 {count:,} more {steps} not shown (the explanation stopped at {root['max_nodes']:,} nodes); "
            "raise --max-nodes to see them")


def _bindings(bindings: dict | None) -> str:
    if not bindings:
        return ""
    return " (with " + ", ".join(f"?{k} = {v}" for k, v in bindings.items()) + ")"


def summary(d: Derivation) -> tuple[str, str]:
    """The outcome in one sentence, and a second saying what follows."""
    reading = d.nodes[d.root].detail.get("reading")
    if d.mode == "why":
        n = len(d.grounds)
        root = d.nodes[d.root]
        more = root.detail.get("more_grounds", 0)
        holds = capitalised(reading) if reading else f"{d.atom} holds"
        if root.kind != "conclusion":
            return f"{holds}: it is stated, not concluded.", ""
        if "ground" in root.detail:
            k, total = root.detail["ground"]
            return (f"{holds}, on {plural(total, 'independent ground')}; this is ground {k}.",
                    "")
        if n + more == 1:
            return f"{holds}, on one ground.", ""
        return f"{holds}, on {n + more} independent grounds.", ""
    tried = len(d.grounds)
    fails = capitalised(reading) if reading else f"{d.atom} does not hold"
    if tried == 0:
        return f"{fails}: no rule could conclude it.", ""
    which = "The rule" if tried == 1 else f"Each of the {tried} rules"
    return f"{fails}.", f"{which} that could conclude it, with the first condition that failed:"


def first_ground(d: Derivation) -> int:
    """The number of the root's first ground as drawn: 1, or k when the graph is ground k alone."""
    return int(d.nodes[d.root].detail.get("ground", [1])[0])


def case_line(d: Derivation) -> str | None:
    case = d.case
    if not (case.get("name") or case.get("path")):
        return None
    text = f"Case {case.get('name') or case.get('path')}"
    if case.get("citation"):
        text += f": {case['citation']}"
    if case.get("path") and case.get("name"):
        text += f" ({case['path']})"
    return text


def sentence(d: Derivation, node: Node) -> str:
    """A node as a plain English sentence (for the HTML page's list of grounds)."""
    detail = node.detail
    kind = node.kind
    if "reading" in detail:
        return _read_sentence(node)
    if kind == "conclusion":
        return f"{describe(node)} holds."
    if kind == "case_fact":
        return f"The case states {describe(node)}{_quoted(detail)}"
    if kind == "kb_fact":
        return f"The rules state {describe(node)} ({detail['location']})."
    if kind == "given":
        return f"{describe(node)} is given."
    if kind == "comparison":
        if node.failed:
            return f"The condition {detail['written']} fails: {describe(node)}."
        if detail["exception"]:
            return f"The exception {detail['written']} does not apply: {describe(node)} is false."
        return f"{describe(node)}, as {detail['written']} requires."
    if kind == "binding":
        return f"{describe(node)}, computed as {detail['expression']} = {detail['computed']}."
    if kind == "absent":
        what = "that" if detail["compound"] else detail["atom"]
        if detail["exception"]:
            return f"The exception does not apply ({describe(node)}): nothing established {what}."
        return f"Nothing established {what}, so {describe(node)} holds."
    if kind == "rule":
        return f"Rule {detail['rule']} ({detail['location']})."
    text = describe(node)
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def quotes_of(detail: dict) -> list[str]:
    """Every quote of a case fact, in order (``quote`` alone is the first, kept for older graphs)."""
    return list(detail.get("quotes") or ([detail["quote"]] if detail.get("quote") else []))


def _quoted(detail: dict) -> str:
    """A case fact's quotes ending its sentence — ``: “a” and “b”`` — or a full stop when it has none."""
    quotes = quotes_of(detail)
    if not quotes:
        return "."
    marked = [f"\u201c{quote}\u201d" for quote in quotes]
    return ": " + (marked[0] if len(marked) == 1 else ", ".join(marked[:-1]) + " and " + marked[-1])


def _read_sentence(node: Node) -> str:
    """:func:`sentence` for a node the knowledge base gives an English reading."""
    detail = node.detail
    if node.kind == "case_fact":
        return f"The case states that {detail['reading']}{_quoted(detail)}"
    if node.kind == "kb_fact":
        return f"The rules state that {detail['reading']} ({detail['location']})."
    if node.kind == "absent" and not detail["exception"] and not detail["reading"].startswith(GENERIC_DENIAL):
        return f"Nothing established that {detail['denies']}, so {detail['reading']}."
    text = _read_absent(node) if node.kind == "absent" else describe(node)
    return capitalised(text) + ("" if text.endswith(".") else ".")
