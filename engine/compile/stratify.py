"""Strata: the order in which predicates are computed, and which ones are recursive.

Strongly connected components of the dependency graph, dependencies first;
a negation inside a component has no stratified meaning and is an error.
"""

from __future__ import annotations

from collections.abc import Sequence

from lexkb.compile.program import Branch, Negative
from lexkb.errors import CheckError


def stratify(branches: Sequence[Branch], graph: dict[str, frozenset[str]]
             ) -> tuple[tuple[tuple[str, ...], ...], frozenset[str]]:
    """Order predicates so each is computed after everything it depends on.

    ``graph`` is the program's dependency graph (:func:`dependency_graph`).
    Returns the strata (strongly connected components, dependencies first)
    and the set of recursive predicates; raises CheckError when a negation
    lies on a cycle, naming the cycle.
    """
    negative_edges: dict[tuple[str, str], Negative] = {}
    for branch in branches:
        for literal in branch.literals:
            if isinstance(literal, Negative):
                negative_edges.setdefault((branch.head.predicate, literal.atom.predicate), literal)
    components = strongly_connected(graph)
    component_of = {p: i for i, c in enumerate(components) for p in c}
    recursive: set[str] = set()
    for component in components:
        if len(component) > 1 or component[0] in graph[component[0]]:
            recursive.update(component)
    for (head, negated), literal in sorted(negative_edges.items()):
        if component_of[head] == component_of[negated]:
            cycle = _cycle_path(graph, negated, head, set(components[component_of[head]]))
            shown = " → ".join(p for p in [head, *cycle] if not p.startswith("_"))
            raise CheckError(
                f"negation through a cycle: {shown}; {negated} depends on {head}, so '{_describe(literal)}' "
                f"cannot be used to conclude {head}",
                literal.atom.span if not literal.atom.predicate.startswith("_") else literal.node.span,
                hint="a predicate may not depend on 'not' of itself, directly or through other rules")
    return tuple(tuple(c) for c in components), frozenset(recursive)


def _describe(literal: Negative) -> str:
    return ("unless " if literal.exception else "not ") + literal.atom.predicate


def _cycle_path(graph: dict[str, frozenset[str]], start: str, goal: str, within: set[str]) -> list[str]:
    """The shortest dependency path start → … → goal inside one component."""
    previous: dict[str, str | None] = {start: None}
    queue = [start]
    while queue:
        node = queue.pop(0)
        if node == goal:
            break
        for nxt in sorted(graph[node]):
            if nxt in within and nxt not in previous:
                previous[nxt] = node
                queue.append(nxt)
    path = []
    step: str | None = goal
    while step is not None:
        path.append(step)
        step = previous.get(step)
    return list(reversed(path))


def strongly_connected(graph: dict[str, frozenset[str]]) -> list[list[str]]:
    """Tarjan's algorithm; components come out dependencies first."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = 0

    for root in sorted(graph):
        if root in index:
            continue
        work: list[tuple[str, list[str]]] = [(root, sorted(graph.get(root, ())))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            if children:
                child = children.pop(0)
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, sorted(graph.get(child, ()))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                out.append(sorted(component))
    return out
