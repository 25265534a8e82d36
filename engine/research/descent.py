"""A descent to a flip, for when z3's proposals do not reach one in time.

An atom resting on many independent grounds, each needing its own change,
may need more changes than z3's proposals reach in the time; a descent on
the distance to the flip (:func:`distance`) still finds a real one, locally
minimal, which the report states as not proved the smallest unless it is one
change above z3's proved lower bound.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from lexkb.compile.program import Branch, Negative, Positive
from lexkb.research.lessons import Assignment, Origin, ground_args
from lexkb.values import Value

if TYPE_CHECKING:
    from lexkb.api import Result
    from lexkb.research.optimise import Optimiser

DESCENT_VALUES = 40  # the descent tries each slot's nearest this many choices


def by_rank(lengths: Sequence[int]) -> Iterator[tuple[int, ...]]:
    """Every tuple of indices below ``lengths``, in order of their sum (then lexicographically)."""
    def split(total: int, rest: Sequence[int]) -> Iterator[tuple[int, ...]]:
        if not rest:
            if total == 0:
                yield ()
            return
        for first in range(min(total, rest[0] - 1) + 1):
            for tail in split(total - first, rest[1:]):
                yield (first, *tail)

    for total in range(sum(length - 1 for length in lengths) + 1):
        yield from split(total, lengths)



def descend(optimiser: Optimiser, deadline: float) -> tuple[Assignment, Result] | None:
    """A flip by descent on the number of rules still concluding the atom, then shrunk.

    Used when z3's proposals did not reach a flip in time (an atom resting on
    many independent grounds, each needing its own change): each step makes
    the single further change (among each slot's nearest :data:`DESCENT_VALUES`
    choices) that leaves the fewest rules concluding it —
    or, when no single change helps, the first pair of changes among the
    slots the remaining grounds rest on that does (a ground that needs two
    things at once, such as an amendment and a date after it) — until the
    atom no longer holds; then every change the flip does not need is
    dropped. The flip is real and locally minimal, not proved the smallest.
    """
    current: Assignment = {}
    result, origin = optimiser.run(current)
    score = distance(optimiser, result)
    while score:
        free = [s for s in range(len(optimiser.slots)) if s not in current]
        singles = ({s: n} for s in free for n in range(1, min(len(optimiser.slots[s].choices), DESCENT_VALUES) + 1))
        step = _best_step(optimiser, current, score, singles, deadline, first=False)
        if step is None:
            cone = sorted(set(free) & _standing(optimiser, result, origin))
            pairs = ({s: n, t: m} for s, t in itertools.combinations(cone, 2)
                     for n, m in by_rank([min(len(optimiser.slots[u].choices), DESCENT_VALUES) for u in (s, t)]))
            step = _best_step(optimiser, current, score, ({s: n + 1 for s, n in p.items()} for p in pairs),
                              deadline, first=True)
        if step is None:
            return None  # a local minimum without a flip, or out of time
        score, current, result, origin = step
    dropped = True
    while dropped:  # drop what the flip does not need, until every change left is needed
        dropped = False
        for s in sorted(current):
            trial = {t: n for t, n in current.items() if t != s}
            shrunk = optimiser.run(trial)[0]
            if optimiser.flipped(shrunk):
                current, result, dropped = trial, shrunk, True
                break
    return current, result


def distance(optimiser: Optimiser, result: Result) -> int:
    """How far a run is from the flip: 0 once flipped.

    The atom holds: the rules still concluding it. It does not: over the rules
    that could conclude it, the fewest failing conditions among those fixed by
    the atom's arguments — a missing atom counts one, an atom that must be
    absent counts the rules concluding it — plus one if the rule still does
    not fire once those are met.
    """
    if optimiser.flipped(result):
        return 0
    if optimiser.held:
        return len(concluding(optimiser, result))
    matcher = optimiser.cones.matcher(result)
    best = None
    for branch in optimiser.program.branches_for(optimiser.predicate):
        unified = matcher.unify_head(branch, optimiser.args)
        if unified is None:
            continue
        failing = 0
        for literal, ground in _fixed_literals(branch, unified[0]):
            holds = ground in result.relations.get(literal.atom.predicate, {})
            if isinstance(literal, Negative) and holds:
                failing += max(1, sum(1 for b in optimiser.program.branches_for(literal.atom.predicate)
                                      if matcher.derives(b, ground)))
            elif isinstance(literal, Positive) and not holds:
                failing += 1
        score = failing or 1
        best = score if best is None else min(best, score)
    return best if best is not None else 1


def _fixed_literals(branch: Branch, env: dict[str, Value]) -> Iterator[tuple[Positive | Negative, tuple[Value, ...]]]:
    """The branch's atoms whose arguments ``env`` fixes, with those arguments."""
    for literal in branch.literals:
        if isinstance(literal, (Positive, Negative)):
            ground = ground_args(literal.atom, env)
            if ground is not None:
                yield literal, ground


def _standing(optimiser: Optimiser, result: Result, origin: Origin) -> set[int]:
    """The slots that what stands between the run and the flip rests on.

    The atom holds: the cones of its grounds. It does not: for each rule that
    could conclude it, the cones of the grounds of an atom it needs absent,
    and every input a missing atom it needs could read.
    """
    if optimiser.held:
        return set().union(*(g.cone for g in optimiser.cones.grounds(result, origin, optimiser.predicate,
                                                                      optimiser.args)))
    standing: set[int] = set()
    for branch in optimiser.program.branches_for(optimiser.predicate):
        unified = optimiser.cones.matcher(result).unify_head(branch, optimiser.args)
        for literal, ground in _fixed_literals(branch, unified[0]) if unified is not None else ():
            holds = ground in result.relations.get(literal.atom.predicate, {})
            if isinstance(literal, Negative) and holds:
                standing.update(*(g.cone for g in optimiser.cones.grounds(result, origin, literal.atom.predicate,
                                                                          ground)))
            elif isinstance(literal, Positive) and not holds:
                standing.update(optimiser.cones.reads(literal.atom.predicate))
    return standing


def _best_step(optimiser: Optimiser, current: Assignment, score: int, moves: Iterator[Assignment], deadline: float,
               first: bool) -> tuple[int, Assignment, Result, Origin] | None:
    """The move leaving the fewest rules concluding the atom (or, with ``first``, the first that lowers it)."""
    best: tuple[int, Assignment, Result, Origin] | None = None
    for move in moves:
        if time.monotonic() > deadline:
            return None
        trial = {**current, **move}
        result, origin = optimiser.run(trial)
        remaining = distance(optimiser, result)
        if remaining < score and (best is None or remaining < best[0]):
            best = (remaining, trial, result, origin)
            if first or remaining == 0:
                return best
    return best



def concluding(optimiser: Optimiser, result: Result) -> set[str]:
    """The rules that still conclude the atom in a run (none when it no longer holds)."""
    if optimiser.args not in result.relations.get(optimiser.predicate, {}):
        return set()
    matcher = optimiser.cones.matcher(result)
    return {b.rule.label for b in optimiser.program.branches_for(optimiser.predicate)
            if matcher.derives(b, optimiser.args)}
