"""The abstract syntax tree: frozen dataclasses, every node with its span."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from lexkb.errors import Span
from lexkb.values import Value

# ---------------------------------------------------------------- terms


ANONYMOUS = "_"
"""The name of ``_``, the anonymous variable (a fresh variable at each occurrence). Variable names
starting with ``_`` are lexkb's own: the user writes ``_`` alone, normalisation numbers each one."""


@dataclass(frozen=True)
class Variable:
    name: str  # without the leading '?'; starting with '_' for an anonymous variable
    span: Span

    @property
    def anonymous(self) -> bool:
        return self.name.startswith(ANONYMOUS)


@dataclass(frozen=True)
class Constant:
    value: Value
    span: Span


@dataclass(frozen=True)
class Arithmetic:
    op: str  # '+', '-', '*'
    left: Term
    right: Term
    span: Span


@dataclass(frozen=True)
class Call:
    function: str  # 'min' or 'max'
    args: tuple[Term, Term]
    span: Span


Term = Union[Variable, Constant, Arithmetic, Call]


@dataclass(frozen=True)
class Atom:
    predicate: str
    args: tuple[Term, ...]
    span: Span

    @property
    def arity(self) -> int:
        return len(self.args)


# ---------------------------------------------------------------- conditions


@dataclass(frozen=True)
class Comparison:
    op: str  # '=', '!=', '<', '<=', '>', '>='
    left: Term
    right: Term
    span: Span


@dataclass(frozen=True)
class Negation:
    condition: Condition
    span: Span


@dataclass(frozen=True)
class Conjunction:
    items: tuple[Condition, ...]
    span: Span


@dataclass(frozen=True)
class Disjunction:
    items: tuple[Condition, ...]
    span: Span


Condition = Union[Atom, Comparison, Negation, Conjunction, Disjunction]

# ---------------------------------------------------------------- statements


@dataclass(frozen=True)
class Name:
    """A name written in the source (an authority, outcome or type), with its span."""

    text: str
    span: Span


@dataclass(frozen=True)
class Authority:
    name: str
    citation: str
    says: str | None
    span: Span


@dataclass(frozen=True)
class Rule:
    name: str | None
    head: Atom
    condition: Condition
    exceptions: tuple[Condition, ...]  # the `unless` clauses
    authorities: tuple[Name, ...]
    span: Span

    @property
    def label(self) -> str:
        """The rule's name, or `file:line` when it has none."""
        if self.name:
            return self.name
        return f"{self.span.file.rsplit('/', 1)[-1]}:{self.span.line}"


@dataclass(frozen=True)
class Quote:
    text: str
    span: Span


@dataclass(frozen=True)
class Fact:
    """A fact, with the quotes of the decision that establish it (``from "…" from "…"``), in order."""

    atom: Atom
    quotes: tuple[Quote, ...]
    span: Span

    @property
    def quote(self) -> Quote | None:
        """The first quote, or None (for callers that show one)."""
        return self.quotes[0] if self.quotes else None


@dataclass(frozen=True)
class Include:
    path: str
    span: Span


@dataclass(frozen=True)
class InputDecl:
    predicate: str
    types: tuple[Name, ...]
    span: Span


@dataclass(frozen=True)
class Outcomes:
    names: tuple[Name, ...]
    span: Span


@dataclass(frozen=True)
class CaseDecl:
    name: str
    citation: str | None
    span: Span


@dataclass(frozen=True)
class SourceDecl:
    path: str
    span: Span


@dataclass(frozen=True)
class Expect:
    atom: Atom
    negated: bool
    span: Span


@dataclass(frozen=True)
class Reading:
    """``offense_level(?l) reads "the total offense level was ?l"`` (``not "…"``): a predicate in English.

    ``atom``'s arguments are the placeholders (distinct variables) the texts use; ``negative`` is how
    English says the predicate does not hold, when the generic "it is not established that …" reads badly.
    """

    atom: Atom
    text: Quote
    negative: Quote | None
    span: Span


@dataclass(frozen=True)
class InternalDecl:
    """``internal a, b``: helper predicates, left out of run's conclusions and folded into their parent
    rule in explanations."""

    names: tuple[Name, ...]
    span: Span


Statement = Union[Authority, Rule, Fact, Include, InputDecl, Outcomes, CaseDecl, SourceDecl, Expect, Reading,
                  InternalDecl]


@dataclass(frozen=True)
class Module:
    """One parsed file."""

    path: str
    statements: tuple[Statement, ...]


def term_variables(term: Term) -> list[str]:
    """The variables of a term, in order of first appearance."""
    if isinstance(term, Variable):
        return [term.name]
    if isinstance(term, Arithmetic):
        return _unique(term_variables(term.left) + term_variables(term.right))
    if isinstance(term, Call):
        return _unique([v for a in term.args for v in term_variables(a)])
    return []


def condition_variables(condition: Condition) -> list[str]:
    """The variables of a condition, in order of first appearance."""
    if isinstance(condition, Atom):
        return _unique([v for a in condition.args for v in term_variables(a)])
    if isinstance(condition, Comparison):
        return _unique(term_variables(condition.left) + term_variables(condition.right))
    if isinstance(condition, Negation):
        return condition_variables(condition.condition)
    return _unique([v for c in condition.items for v in condition_variables(c)])


def _unique(names: list[str]) -> list[str]:
    return list(dict.fromkeys(names))


def term_variables_of_atom(atom: Atom) -> list[str]:
    """The variables of an atom's arguments, in order."""
    return _unique([v for a in atom.args for v in term_variables(a)])


def atoms_in(condition: Condition) -> list[Atom]:
    """Every atom a condition mentions, under ``not``, ``and`` and ``or`` too, in reading order."""
    if isinstance(condition, Atom):
        return [condition]
    if isinstance(condition, Negation):
        return atoms_in(condition.condition)
    if isinstance(condition, (Conjunction, Disjunction)):
        return [a for item in condition.items for a in atoms_in(item)]
    return []
