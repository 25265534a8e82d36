"""The explanation graph: :class:`Derivation`, a DAG of :class:`Node` objects.

Both kinds of explanation give one: why an atom holds (:mod:`lexkb.explain.why`)
and why it does not (:mod:`lexkb.explain.why_not`). Node ids are stable,
content-derived strings, so a sub-derivation used twice is one node and the
same input always gives the same graph. This is the data the renderers
(:mod:`lexkb.render`) draw and the JSON of docs/explanation-json.md carries.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from lexkb.language.format import format_ground_atom
from lexkb.values import Value

SCHEMA_VERSION = 1

# Node kinds, in the order a legend lists them.
KINDS = (
    "conclusion",  # a derived fact that holds (the explained atom, or an intermediate one)
    "rule",  # one rule applied with one binding (or, in why-not, a rule tried)
    "case_fact",  # a fact stated by the case file, with the quote that establishes it
    "kb_fact",  # a fact stated in a rules file: reference data such as a table row
    "given",  # a fact given by a caller, without provenance
    "comparison",  # a comparison, with the values compared
    "binding",  # ?x = expression, with the value it gave
    "absent",  # `not X` / `unless X` that held because nothing established X
    "not_concluded",  # why-not: an atom that does not hold
    "missing",  # why-not: a condition no fact matched
    "missing_input",  # why-not: a condition on an input the case does not state
    "present",  # why-not: `not X` / `unless X` failed because X holds
    "more",  # the graph was cut here (depth limit or ground limit)
)


@dataclass
class Node:
    """One node of a derivation graph.

    ``label`` is a short one-line description; ``detail`` holds the kind's
    data (JSON-ready values: see docs/explanation-json.md); ``children`` are
    the ids of the nodes this one rests on, in the rule's written order;
    ``level`` counts the rules between the explained atom and this node.
    """

    id: str
    kind: str
    label: str
    level: int
    detail: dict[str, Any] = field(default_factory=dict)
    children: list[str] = field(default_factory=list)
    failed: bool = False


@dataclass
class Derivation:
    """A derivation graph (``mode == "why"``) or a why-not graph (``mode == "why_not"``)."""

    mode: str
    predicate: str
    args: tuple[Value, ...]
    holds: bool
    root: str
    nodes: dict[str, Node]
    case: dict[str, str | None]
    depth: int | None
    # The text of the case's source (the decision), for pages that show the quotes in context; not in the JSON.
    source_text: str | None = field(default=None, repr=False, compare=False)

    @property
    def atom(self) -> str:
        """The explained atom as written, e.g. ``reduction_floor_months(108)``."""
        return format_ground_atom(self.predicate, self.args)

    def node(self, node_id: str) -> Node:
        return self.nodes[node_id]

    def children(self, node: Node | str) -> list[Node]:
        """The nodes a node rests on, in order."""
        if isinstance(node, str):
            node = self.nodes[node]
        return [self.nodes[c] for c in node.children]

    @property
    def grounds(self) -> list[Node]:
        """The rules the root rests on: each independent ground (or, for why-not, each rule tried)."""
        return [n for n in self.children(self.root) if n.kind == "rule"]

    def ground(self, number: int) -> Derivation:
        """The graph of one independent ground (numbered from 1), for drawing it alone.

        The root is kept (a copy resting on that ground only) and says in its
        ``detail["ground"]`` which ground of how many this is; the nodes are
        those the ground reaches. An out-of-range number is a ValueError
        naming how many grounds there are.
        """
        grounds = self.grounds
        if not 1 <= number <= len(grounds):
            raise ValueError(f"{self.atom} has {len(grounds)} {'ground' if len(grounds) == 1 else 'grounds'}"
                             f": choose a ground from 1 to {len(grounds)}")
        chosen = grounds[number - 1]
        root = self.nodes[self.root]
        detail = {k: v for k, v in root.detail.items() if k != "more_grounds"}
        root = replace(root, children=[chosen.id], detail={**detail, "ground": [number, len(grounds)]})
        nodes = {root.id: root}
        stack = [chosen.id]
        while stack:
            node = self.nodes[stack.pop()]
            if node.id not in nodes:
                nodes[node.id] = node
                stack.extend(node.children)
        return replace(self, root=root.id, nodes=nodes)

    def walk(self) -> Iterator[Node]:
        """Every node once, depth first from the root, children in order."""
        seen: set[str] = set()
        stack = [self.root]
        while stack:
            node_id = stack.pop()
            if node_id in seen:
                continue
            seen.add(node_id)
            node = self.nodes[node_id]
            yield node
            stack.extend(reversed(node.children))

    def parents(self) -> dict[str, list[str]]:
        """Each node id → the ids of the nodes that rest on it, in node order."""
        out: dict[str, list[str]] = {n: [] for n in self.nodes}
        for node in self.nodes.values():
            for child in node.children:
                if node.id not in out[child]:
                    out[child].append(node.id)
        return out

    def authorities(self) -> list[dict[str, Any]]:
        """The authorities cited anywhere in the graph, each once, in order of first appearance."""
        seen: dict[str, dict[str, Any]] = {}
        for node in self.walk():
            for authority in node.detail.get("authorities", ()):
                seen.setdefault(authority["name"], authority)
        return list(seen.values())

    def citations(self) -> dict[str, list[dict[str, str]]]:
        """Each cited authority's citation read into its parts — reporter, volume, page, court, year, or
        title and section (:func:`lexkb.language.citations.parse_citation`); on demand, as eyecite
        takes most of a second to load."""
        from lexkb.language.citations import parse_citation

        return {authority["name"]: parse_citation(authority["citation"]) for authority in self.authorities()}

    def case_facts(self) -> list[Node]:
        """The case facts (with their quotes) the graph rests on, in order of first appearance."""
        return [n for n in self.walk() if n.kind == "case_fact"]
