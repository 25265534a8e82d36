"""The checked program: rules normalised into branches, and their strata.

A rule's conditions may use `or` and `not (...)`; normalisation turns each
rule into one or more *branches*, each a plain conjunction of literals (the
body of one Datalog clause). ``not`` over a conjunction becomes a hidden
auxiliary predicate. Explanations map branches back to the rule as written.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from lexkb.language import ast
from lexkb.language.cases import Finding
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
    """Everything the engine and the tools need, checked and normalised.

    The analyses every layer needs (who reads whom, the stratum of each
    predicate, the branches concluding each predicate) are computed here once:
    the dependency graph by the checks (stratification needs it first), the
    rest on first use.
    """

    modules: tuple[ast.Module, ...]
    authorities: dict[str, ast.Authority]
    rules: tuple[ast.Rule, ...]
    branches: tuple[Branch, ...]
    facts: tuple[BaseFact, ...]
    inputs: dict[str, ast.InputDecl]
    outcomes: tuple[str, ...]
    arities: dict[str, int]
    strata: tuple[tuple[str, ...], ...]  # predicates, dependencies first
    dependencies: dict[str, frozenset[str]]  # each predicate → the predicates its rules read (see dependency_graph)
    recursive: frozenset[str] = field(default_factory=frozenset)
    warnings: tuple[Finding, ...] = ()  # what the checks found suspicious but not invalid (`check` shows them)
    readings: dict[str, ast.Reading] = field(default_factory=dict)  # predicate → its English reading (`reads`)
    internal: frozenset[str] = field(default_factory=frozenset)  # helpers: not listed by run, folded in explanations

    @cached_property
    def all_warnings(self) -> tuple[Finding, ...]:
        """:attr:`warnings`, and an authority whose citation is not a recognisable legal citation. The
        citations are read by eyecite, which takes most of a second to load: only ``check`` and the
        editor ask, never a run."""
        from lexkb.language.citations import citation_warnings

        return self.warnings + tuple(citation_warnings(self.authorities.values()))

    @cached_property
    def by_conclusion(self) -> dict[str, tuple[Branch, ...]]:
        """Each predicate → the branches concluding it, in program order."""
        grouped: dict[str, list[Branch]] = {}
        for branch in self.branches:
            grouped.setdefault(branch.head.predicate, []).append(branch)
        return {predicate: tuple(branches) for predicate, branches in grouped.items()}

    def branches_for(self, predicate: str) -> tuple[Branch, ...]:
        return self.by_conclusion.get(predicate, ())

    @cached_property
    def stratum_of(self) -> dict[str, int]:
        """Each predicate → the position of its stratum in :attr:`strata`."""
        return {p: i for i, stratum in enumerate(self.strata) for p in stratum}

    @cached_property
    def readers(self) -> dict[str, frozenset[str]]:
        """Each predicate → the predicates whose rules read it (the dependency graph reversed)."""
        reversed_graph: dict[str, set[str]] = {}
        for head, read in self.dependencies.items():
            for predicate in read:
                reversed_graph.setdefault(predicate, set()).add(head)
        return {predicate: frozenset(heads) for predicate, heads in reversed_graph.items()}

    def dependents(self, predicates: Iterable[str]) -> set[str]:
        """The given predicates and every predicate whose rules read them, transitively."""
        out: set[str] = set()
        todo = list(predicates)
        while todo:
            predicate = todo.pop()
            if predicate not in out:
                out.add(predicate)
                todo.extend(self.readers.get(predicate, ()))
        return out

    def recursive_in_stratum(self, branch: Branch, predicate: str) -> bool:
        """Whether ``branch`` reads ``predicate`` recursively: a predicate of its own recursive stratum."""
        stratum_of = self.stratum_of
        return predicate in self.recursive and stratum_of.get(predicate) == stratum_of[branch.head.predicate]


def dependency_graph(branches: Iterable[Branch], arities: dict[str, int]) -> dict[str, frozenset[str]]:
    """Each predicate → the predicates its rules read (positively or not); every predicate is a key."""
    graph: dict[str, set[str]] = {p: set() for p in arities}
    for branch in branches:
        read = graph.setdefault(branch.head.predicate, set())
        for literal in branch.literals:
            if isinstance(literal, (Positive, Negative)):
                read.add(literal.atom.predicate)
                graph.setdefault(literal.atom.predicate, set())
    return {predicate: frozenset(read) for predicate, read in graph.items()}
