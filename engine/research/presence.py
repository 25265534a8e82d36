"""Which inputs a predicate needs stated for it to have any fact at all: a necessary condition, from the rules.

A fact of a derived predicate comes from a rule whose every matched atom has
a fact, so the predicate can have a fact only if, for some rule, each
predicate it matches can — down to the inputs. Each predicate gets that
condition as a formula in disjunctive normal form over the inputs ("offense
level and a category, or a stated range"): a list of sets of inputs, one of
which must all be stated — an input a rule matches with a constant
(``offense_category(drug)``) with that value. Negations, comparisons and values are passed over,
so the condition is necessary, not sufficient — which is what a what-if
lesson (:mod:`lexkb.research.lessons`) may use: an atom no fact of the run
has needs its predicate's condition to hold in any flip.

The conditions are computed from "anything is possible" downwards, rule by
rule, until they no longer change (or :data:`PASSES` passes): every step of
that is implied by the true condition (the operator is monotone and starts
above its least fixpoint), so stopping early weakens it and never makes it wrong.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

from lexkb.compile.program import Positive, Program
from lexkb.language import ast
from lexkb.values import Value

Need = tuple[str, tuple[tuple[int, Value], ...]]  # an input, stated with these values at these positions
Condition = tuple[frozenset[Need], ...]  # sets of needs, one of which must all be met; () never; (∅,) always
ALWAYS: Condition = (frozenset(),)
MAX_TERMS = 256  # sets kept per predicate; past it the condition is weakened to "one of these inputs is stated"
PASSES = 12


def presence(program: Program, stated: Iterable[str] = ()) -> dict[str, Condition]:
    """Each predicate's condition; ``stated``: inputs that always have a fact (stated facts no change touches)."""
    always = set(stated) | {fact.predicate for fact in program.facts}
    conditions: dict[str, Condition] = {}
    for predicate in program.inputs:
        conditions[predicate] = ALWAYS if predicate in always else (frozenset([(predicate, ())]),)
    derived = [p for stratum in program.strata for p in stratum if p not in program.inputs]
    for predicate in derived:
        conditions[predicate] = ALWAYS if predicate in always else conditions.get(predicate, ALWAYS)
    for _ in range(PASSES):
        changed = False
        for predicate in derived:
            if predicate in always:
                continue
            found = _rules(program, predicate, conditions)
            if found != conditions[predicate]:
                conditions[predicate], changed = found, True
        if not changed:
            break
    return conditions


def _rules(program: Program, predicate: str, conditions: dict[str, Condition]) -> Condition:
    terms: set[frozenset[Need]] = set()
    for branch in program.branches_for(predicate):
        parts = [_literal(program, lit.atom, conditions) for lit in branch.literals if isinstance(lit, Positive)]
        product: set[frozenset[Need]] = {frozenset()}
        for part in parts:
            product = {a | b for a, b in itertools.product(product, part)}
            if len(product) > MAX_TERMS:
                product = _weakened(product)
        terms |= product
        if len(terms) > MAX_TERMS:
            terms = set(_weakened(terms))
    return _minimal(terms)


def _literal(program: Program, atom: ast.Atom, conditions: dict[str, Condition]) -> Condition:
    """What a matched atom needs: an input with the constants written in it (unless always stated), or what its
    predicate needs."""
    condition = conditions.get(atom.predicate, ALWAYS)
    if atom.predicate not in program.inputs or condition == ALWAYS:
        return condition
    values = tuple((i, term.value) for i, term in enumerate(atom.args) if isinstance(term, ast.Constant))
    return (frozenset([(atom.predicate, values)]),)


def _weakened(terms: set[frozenset[Need]]) -> set[frozenset[Need]]:
    """A condition implied by ``terms``: one of the needs they name is met (always, if one term is empty)."""
    if frozenset() in terms:
        return {frozenset()}
    return {frozenset([name]) for name in set().union(*terms)}


def _minimal(terms: set[frozenset[Need]]) -> Condition:
    """The terms no other term is contained in (a term that contains another adds nothing), sorted."""
    kept = [t for t in terms if not any(other < t for other in terms)]
    return tuple(sorted(kept, key=lambda t: (len(t), sorted(map(repr, t)))))
