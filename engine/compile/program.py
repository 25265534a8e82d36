"""The checked program: rules normalised into branches, and their strata.

A rule's conditions may use `or` and `not (...)`; normalisation turns each
rule into one or more *branches*, each a plain conjunction of literals (the
body of one Datalog clause). ``not`` over a conjunction becomes a hidden
auxiliary predicate. Explanations map branches back to the rule as written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from lexkb.language import ast
from lexkb.values import Value

# ---------------------------------------------------------------- literals


@dataclass(frozen=True)
class Positive:
    """A condition satisfied by a matching fact."""

    atom: ast.Atom


@dataclass(frozen=True)
class Negative:
    """`not X` (or `unless X`): satisfied when no fact X holds."""

    atom: ast.Atom
    exception: bool  # written as `unless`
    node: ast.Condition  # the condition as written (for explanations)


@dataclass(frozen=True)
class Test:
    """A comparison; ``negated`` when written `not (a < b)`."""

    comparison: ast.Comparison
    negated: bool = False
    exception: bool = False


Literal = Positive | Negative | Test


@dataclass(frozen=True)
class Branch:
    """One conjunctive body of a rule: the unit the engine evaluates."""

    id: int
    rule: ast.Rule
    head: ast.Atom
    literals: tuple[Literal, ...]
    variables: tuple[str, ...]  # the order of values in a derivation record
    hidden: bool = False  # an auxiliary rule made for `not (a and b)`

    @property
    def label(self) -> str:
        return self.rule.label

    @cached_property
    def head_positions(self) -> tuple[tuple[int, str], ...]:
        """The conclusion's arguments that are a lone variable: (position, variable)."""
        return tuple((i, a.name) for i, a in enumerate(self.head.args) if isinstance(a, ast.Variable))

    @cached_property
    def stored(self) -> tuple[str, ...]:
        """The variables a derivation record stores: all but those read back from the conclusion."""
        in_head = {name for _, name in self.head_positions}
        return tuple(v for v in self.variables if v not in in_head)


@dataclass(frozen=True)
class BaseFact:
    predicate: str
    args: tuple[Value, ...]
    fact: ast.Fact


@dataclass
class Program:
    """Everything the engine and the tools need, checked and normalised."""

    modules: tuple[ast.Module, ...]
    authorities: dict[str, ast.Authority]
    rules: tuple[ast.Rule, ...]
    branches: tuple[Branch, ...]
    facts: tuple[BaseFact, ...]
    inputs: dict[str, ast.InputDecl]
    outcomes: tuple[str, ...]
    arities: dict[str, int]
    strata: tuple[tuple[str, ...], ...]  # predicates, dependencies first
    recursive: frozenset[str] = field(default_factory=frozenset)

    def branches_for(self, predicate: str) -> list[Branch]:
        return [b for b in self.branches if b.head.predicate == predicate]

    def depends_on(self) -> dict[str, set[str]]:
        """Each predicate → the predicates its rules read (positively or not)."""
        graph: dict[str, set[str]] = {p: set() for p in self.arities}
        for branch in self.branches:
            deps = graph.setdefault(branch.head.predicate, set())
            for literal in branch.literals:
                if isinstance(literal, (Positive, Negative)):
                    deps.add(literal.atom.predicate)
        return graph


# ---------------------------------------------------------------- strata


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
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
