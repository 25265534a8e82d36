"""What-if: the smallest change to a case's facts under which an atom's truth flips.

A change removes a stated fact, adds an unstated one (a zero-argument input,
or a one-argument input with a candidate value), or changes one value of a
stated fact. Candidate values (:mod:`lexkb.research.domains`) are the values
the rules and reference facts give that argument, the case's own, and — where
the rules order or compute with them — each plus and minus one, so thresholds
such as ``?mm > ?hi`` are found on both sides; a symbol is replaced only by
the symbols the rules tell apart in that position (:func:`symbol_domains`).

:func:`whatif` finds the fewest changes with z3 and the engine together
(:mod:`lexkb.research.optimise`); every answer is a real engine run. The
older breadth-first search over engine runs (every single change, then every
pair) is kept as a fallback for when z3 gives up (:func:`search_engine_runs`),
and the answer says which was used.
"""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lexkb.compile.program import Program, Test
from lexkb.language import ast
from lexkb.language.cases import Case, CaseFact
from lexkb.language.format import format_ground_atom
from lexkb.research.domains import candidates, value_groups
from lexkb.research.optimise import Sweep, optimise
from lexkb.research.reasons import deciding_rules
from lexkb.research.symbolic import program_symbols
from lexkb.values import Value, kind_of

if TYPE_CHECKING:
    from lexkb.api import KnowledgeBase

DEFAULT_MAX_RUNS = 20_000
DEFAULT_BUDGET = 7.5  # seconds for z3 and the engine together; loading and printing fit in the 10 s promised


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
    breaks: list[list[str]] = field(default_factory=list)  # per change: the grounds (rules) it takes away
    ranges: list[Range | None] = field(default_factory=list)  # per change: the values that flip as well


@dataclass
class Range:
    """A changed value stated as the boundary it is: 97 "or less" when every candidate below flips too."""

    position: int
    boundary: Value
    direction: str  # "or less", "or more", or "" (only the listed values flip)
    values: list[Value]


@dataclass
class WhatIf:
    atom: str
    held: bool
    flips: list[Flip]
    size: int | None  # number of changes in the smallest flip found
    runs: int
    max_runs: int
    exhausted: bool  # the search ran out of its bound before finishing the size it was at
    method: str = "optimise"  # "optimise" (z3 + engine) or "engine-runs" (the breadth-first fallback)
    grounds: list[str] = field(default_factory=list)  # the rules of the atom's grounds in the case
    proved_above: int = 0  # z3 proved that no flip of this many changes or fewer exists
    proved_none: bool = False  # z3 proved that no flip exists among the candidate changes
    rounds: int = 0  # z3 proposals tried
    seconds: float = 0.0
    fallback_reason: str | None = None
    descended: bool = False  # the flip comes from the descent: the smallest only if size == proved_above + 1


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
    symbols = sorted(program_symbols(program))
    domains = symbol_domains(program)
    groups = value_groups(program)

    def choices(predicate: str, position: int, kind: str) -> list[Value]:
        if kind == "symbol":
            return list[Value](sorted(domains[(predicate, position)]) if domains.get((predicate, position)) else symbols)
        if kind in ("int", "date", "decimal"):
            group = groups.get((predicate, position))
            stated = {f.args[i] for f in case.facts for i in range(len(f.args))
                      if group is not None and groups.get((f.predicate, i)) is group}
            return candidates(group, kind, stated | {f.args[position] for f in case.facts
                                                     if f.predicate == predicate and len(f.args) > position})
        return []

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


def apply_changes(case: Case, changes: tuple[Change, ...]) -> dict[str, list[tuple[Value, ...]]] | None:
    """The case's facts with the changes made; None when two of them change the same stated fact."""
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


def whatif(kb: KnowledgeBase, case: Case, predicate: str, args: tuple[Value, ...], *,
           max_runs: int = DEFAULT_MAX_RUNS, keep: int = 5, budget: float = DEFAULT_BUDGET,
           method: str = "optimise") -> WhatIf:
    """The smallest sets of changes to ``case`` that flip ``predicate(args)``: z3 and the engine, else the fallback."""
    if method == "engine-runs":
        return search_engine_runs(kb, case, predicate, args, max_runs=max_runs, keep=keep)
    atom = format_ground_atom(predicate, args)
    search = optimise(kb, case, changes_of(kb, case), predicate, args, keep=keep, budget=budget)
    if search.gave_up is not None:
        answer = search_engine_runs(kb, case, predicate, args, max_runs=max_runs, keep=keep)
        answer.fallback_reason = f"z3 gave up ({search.gave_up})"
        return answer
    flips = [Flip(a.changes, kb.run(case).outcomes, a.result.outcomes,
                  [] if search.held else [r.label for r in deciding_rules(a.result, predicate, args)],
                  a.breaks, [_range(s) for s in a.sweeps]) for a in search.answers]
    return WhatIf(atom, search.held, flips, len(flips[0].changes) if flips else None, search.engine_runs, max_runs,
                  search.timed_out, "optimise", list(dict.fromkeys(g.rule for g in search.grounds)),
                  search.proved_above, search.proved_none, search.iterations, search.seconds,
                  descended=search.descended)


def _range(sweep: Sweep | None) -> Range | None:
    if sweep is None:
        return None
    return Range(sweep.position, sweep.flipping[0], sweep.direction, sweep.flipping)


def search_engine_runs(kb: KnowledgeBase, case: Case, predicate: str, args: tuple[Value, ...],
                       max_runs: int = DEFAULT_MAX_RUNS, max_size: int = 2, keep: int = 5) -> WhatIf:
    """The fallback: breadth-first over single, then paired changes, each an engine run."""
    base = kb.run(case)
    held = args in base.relations.get(predicate, {})
    singles = changes_of(kb, case)
    runs = 0
    flips: list[Flip] = []
    for size in range(1, max_size + 1):
        for combo in itertools.combinations(singles, size):
            if runs >= max_runs:
                return WhatIf(format_ground_atom(predicate, args), held, flips, size if flips else None, runs, max_runs,
                              True, "engine-runs")
            facts = apply_changes(case, combo)
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
            return WhatIf(format_ground_atom(predicate, args), held, flips, size, runs, max_runs, False, "engine-runs")
    return WhatIf(format_ground_atom(predicate, args), held, flips, None, runs, max_runs, False, "engine-runs")

