"""What-if: the smallest change to a case's facts under which an atom's truth flips.

A breadth-first search run by the engine itself, so every answer is a real
run: first every single change, then every pair of changes, stopping at the
first size that flips the atom. A change removes a stated fact, adds an
unstated one (a zero-argument input, or a one-argument input with a candidate
value), or changes one value of a stated fact. Candidate values are drawn
from the constants in the rules and reference facts of the right kind, the
values the case states, and each of those plus and minus one (one day for
dates) — so thresholds such as ``?mm > ?hi`` are found on both sides; a
symbol is replaced only by the symbols the rules tell apart in that argument
position (:func:`symbol_domains`). The search is bounded (``max_runs`` engine
runs); the bound is reported.
"""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lexkb.compile.program import Program, Test
from lexkb.language import ast
from lexkb.language.cases import Case, CaseFact
from lexkb.language.format import format_ground_atom
from lexkb.research.reasons import deciding_rules
from lexkb.research.symbolic import program_symbols
from lexkb.values import Value, kind_of

if TYPE_CHECKING:
    from lexkb.api import KnowledgeBase

DEFAULT_MAX_RUNS = 20_000


@dataclass(frozen=True)
class Change:
    kind: str  # "remove", "add" or "value"
    fact: CaseFact | None  # the stated fact removed or changed
    predicate: str
    args: tuple[Value, ...]  # the new arguments (add, value) or the removed ones


@dataclass
class Flip:
    changes: tuple[Change, ...]
    outcomes_before: list[str]
    outcomes_after: list[str]
    rules_after: list[str]  # rules concluding the atom afterwards (when it now holds)


@dataclass
class WhatIf:
    atom: str
    held: bool
    flips: list[Flip]
    size: int | None  # number of changes in the smallest flip found
    runs: int
    max_runs: int
    exhausted: bool  # the search ran out of its bound before finishing the size it was at


def _candidates(kb: KnowledgeBase, case: Case) -> dict[str, list[Value]]:
    """Candidate values of each kind: constants of the rules and facts, the case's values, each ±1."""
    program = kb.program
    ints: set[int] = set()
    dates: set[datetime.date] = set()
    for branch in program.branches:
        for literal in branch.literals:
            node = getattr(literal, "comparison", None)
            terms = [node.left, node.right] if node is not None else list(literal.atom.args)  # type: ignore[union-attr]
            for term in terms:
                _collect(term, ints, dates)
    for stated in program.facts:
        for value in stated.args:
            if isinstance(value, datetime.date):
                dates.add(value)
    for fact in case.facts:
        for value in fact.args:
            if type(value) is int:
                ints.add(value)
            elif isinstance(value, datetime.date):
                dates.add(value)
    int_values = sorted({v + d for v in ints for d in (-1, 0, 1)})
    date_values = sorted({v + datetime.timedelta(days=d) for v in dates for d in (-1, 0, 1)
                          if datetime.date.min + datetime.timedelta(days=1) < v < datetime.date.max})
    symbols = sorted(program_symbols(program))
    return {"int": list[Value](int_values), "date": list[Value](date_values), "symbol": list[Value](symbols),
            "string": []}


def _collect(term: object, ints: set[int], dates: set[datetime.date]) -> None:
    if isinstance(term, ast.Constant):
        if type(term.value) is int:
            ints.add(term.value)
        elif isinstance(term.value, datetime.date):
            dates.add(term.value)
    elif isinstance(term, ast.Arithmetic):
        _collect(term.left, ints, dates)
        _collect(term.right, ints, dates)
    elif isinstance(term, ast.Call):
        for arg in term.args:
            _collect(arg, ints, dates)


def symbol_domains(program: Program) -> dict[tuple[str, int], set[str]]:
    """For each argument position of a predicate, the symbols the rules could tell apart there.

    A symbol counts for ``offense_category`` position 0 when a rule writes it
    there (``offense_category(drug)``), compares the variable found there with
    it (``?o != illegal_reentry``), or joins that variable with a position of a
    stated fact (``criminal_history_category(?c) and table_range(?l, ?c, …)``
    gives I…VI). Other symbols could not change any rule's outcome.
    """
    stated: dict[tuple[str, int], set[str]] = {}
    for fact in program.facts:
        for position, value in enumerate(fact.args):
            if type(value) is str:
                stated.setdefault((fact.predicate, position), set()).add(value)
    domains: dict[tuple[str, int], set[str]] = {}
    for branch in program.branches:
        places: dict[str, list[tuple[str, int]]] = {}
        symbols: dict[str, set[str]] = {}
        for literal in branch.literals:
            if isinstance(literal, Test):
                left, right = literal.comparison.left, literal.comparison.right
                for lone, other in ((left, right), (right, left)):
                    if isinstance(lone, ast.Variable) and isinstance(other, ast.Constant) \
                            and type(other.value) is str:
                        symbols.setdefault(lone.name, set()).add(other.value)
                continue
            for position, arg in enumerate(literal.atom.args):
                key = (literal.atom.predicate, position)
                if isinstance(arg, ast.Constant) and type(arg.value) is str:
                    domains.setdefault(key, set()).add(arg.value)
                elif isinstance(arg, ast.Variable):
                    places.setdefault(arg.name, []).append(key)
                    symbols.setdefault(arg.name, set()).update(stated.get(key, ()))
        for variable, keys in places.items():
            for key in keys:
                domains.setdefault(key, set()).update(symbols.get(variable, ()))
    return domains


def changes_of(kb: KnowledgeBase, case: Case) -> list[Change]:
    """Every single change the search considers, in a fixed order."""
    program = kb.program
    values = _candidates(kb, case)
    domains = symbol_domains(program)

    def choices(predicate: str, position: int, kind: str) -> list[Value]:
        if kind == "symbol" and domains.get((predicate, position)):
            return sorted(domains[(predicate, position)])
        return values.get(kind, [])

    stated = {(f.predicate, f.args) for f in case.facts}
    out: list[Change] = []
    for fact in case.facts:
        out.append(Change("remove", fact, fact.predicate, fact.args))
    for fact in case.facts:
        for position, old in enumerate(fact.args):
            kind = kind_of(old)
            # Nearest values first: the flip shown is the smallest departure from what the case states.
            for new in sorted(choices(fact.predicate, position, kind), key=lambda v: _distance(v, old)):
                if new == old:
                    continue
                args = fact.args[:position] + (new,) + fact.args[position + 1:]
                if (fact.predicate, args) not in stated:
                    out.append(Change("value", fact, fact.predicate, args))
    for predicate, decl in sorted(program.inputs.items()):
        if not decl.types and (predicate, ()) not in stated:
            out.append(Change("add", None, predicate, ()))
        elif len(decl.types) == 1 and not any(f.predicate == predicate for f in case.facts):
            for kind in decl.types[0].text.split("|"):
                for new in choices(predicate, 0, kind):
                    out.append(Change("add", None, predicate, (new,)))
    return out


def _distance(new: Value, old: Value) -> tuple[int, object]:
    if type(new) is int and type(old) is int:
        return (abs(new - old), new)
    if isinstance(new, datetime.date) and isinstance(old, datetime.date):
        return (abs((new - old).days), new)
    return (0, str(new))


def _apply(case: Case, changes: tuple[Change, ...]) -> dict[str, list[tuple[Value, ...]]] | None:
    touched = [c.fact for c in changes if c.fact is not None]
    if len(touched) != len({id(f) for f in touched}):
        return None  # two changes to the same stated fact: not a pair worth trying
    facts: dict[str, list[tuple[Value, ...]]] = {}
    for fact in case.facts:
        change = next((c for c in changes if c.fact is fact), None)
        if change is None:
            facts.setdefault(fact.predicate, []).append(fact.args)
        elif change.kind == "value":
            facts.setdefault(fact.predicate, []).append(change.args)
    for change in changes:
        if change.kind == "add":
            facts.setdefault(change.predicate, []).append(change.args)
    return facts


def whatif(kb: KnowledgeBase, case: Case, predicate: str, args: tuple[Value, ...],
           max_runs: int = DEFAULT_MAX_RUNS, max_size: int = 2, keep: int = 5) -> WhatIf:
    """Search for the smallest changes to ``case`` that flip ``predicate(args)``."""
    base = kb.run(case)
    held = args in base.relations.get(predicate, {})
    singles = changes_of(kb, case)
    runs = 0
    flips: list[Flip] = []
    for size in range(1, max_size + 1):
        for combo in itertools.combinations(singles, size):
            if runs >= max_runs:
                return WhatIf(format_ground_atom(predicate, args), held, flips, size if flips else None, runs, max_runs,
                              True)
            facts = _apply(case, combo)
            if facts is None:
                continue
            runs += 1
            result = kb.run(facts, validate=False)
            if (args in result.relations.get(predicate, {})) != held:
                rules = [r.label for r in deciding_rules(result, predicate, args)] if not held else []
                flips.append(Flip(combo, base.outcomes, result.outcomes, rules))
                if len(flips) >= keep:
                    break
        if flips:
            return WhatIf(format_ground_atom(predicate, args), held, flips, size, runs, max_runs, False)
    return WhatIf(format_ground_atom(predicate, args), held, flips, None, runs, max_runs, False)

