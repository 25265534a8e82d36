"""What-if as an optimisation problem: the fewest changes to a case that flip an atom.

An implicit-hitting-set loop between z3 and the engine. Every place a case can
change is a *slot*: a stated fact (kept, removed, or one value changed to a
candidate of its type) or an unstated input (left out, or added with a
candidate value). z3 chooses which slots change and in which *way* (removed,
a value at a position, added) — the fewest changes first (a cardinality bound
given as an assumption, raised only when z3 proves it unsatisfiable), and
among those the ways with the fewest value combinations first. The engine
then runs the value combinations of that proposal, nearest to the case
first. A combination that flips the atom is an answer; otherwise the
proposal is blocked and the first run becomes a lesson
(:mod:`lexkb.research.lessons`): a necessary condition of every flip, over
the slots.

Because every lesson is implied by every flip and every blocked proposal was
tried in full, z3 proving "no proposal of k changes is left" proves that no
flip of k changes or fewer exists among the candidate changes (reported; not
claimed when a proposal had to be cut short). Further answers of the same
size are found by blocking each answer's ways (and their supersets). A
changed value of an answer is swept across every candidate of its type, the
rest fixed, so the answer names the boundary ("97 or less").

When the atom holds on many independent grounds, each needing its own change,
z3's proposals may not reach a flip in time; part of the time is then given to
a descent (:func:`descend`) whose flip is real but proved the smallest only
when it is one change above z3's lower bound — the report says which.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import z3

from lexkb.compile.program import Program
from lexkb.language.cases import Case, CaseFact
from lexkb.research.descent import by_rank, concluding, descend
from lexkb.research.lessons import NEED_DEPTH, Assignment, Cones, Ground, Lesson
from lexkb.values import Value

if TYPE_CHECKING:
    from lexkb.api import KnowledgeBase, Result
    from lexkb.research.whatif import Change

Facts = dict[str, list[tuple[Value, ...]]]
WEIGHT_STEP = 2  # the weight bound grows by this: a factor of four in value combinations
OPTIMISE_SHARE = 0.5  # of the time, for z3's proposals; the rest for the descent if they found no flip
OPTIMISE_SHARE_TO_HOLD = 0.35  # the same, to make an atom hold: nothing to break, so z3 learns less, descends more
PRODUCT_LIMIT = 2_000  # value combinations tried for one proposal; past it, minimality is no longer proved


@dataclass(frozen=True)
class Slot:
    """One place the case can change: a stated fact, or an input the case does not state."""

    fact: CaseFact | None
    predicate: str
    choices: tuple[Change, ...]  # what it may become; choice 0 (not listed) leaves it as it is


@dataclass
class Sweep:
    """Every candidate value of one changed argument that still flips the atom, with the rest fixed."""

    position: int
    flipping: list[Value]
    direction: str  # "or less"/"or more": every candidate beyond the boundary flips; "" otherwise


@dataclass
class Answer:
    """A smallest set of changes, confirmed by the engine, and what each of them breaks."""

    changes: tuple[Change, ...]
    result: Result
    breaks: list[list[str]]  # per change: the rules of the case's grounds that this change alone takes away
    sweeps: list[Sweep | None]  # per change: for a value change, its range


@dataclass
class Search:
    """The outcome of the optimisation: answers of the smallest size, and how they were found."""

    answers: list[Answer]
    grounds: list[Ground]  # the atom's grounds in the original case (empty when it does not hold)
    proved_none: bool  # z3 found no assignment left: no flip exists among the candidate changes
    proved_above: int  # no flip of this many changes or fewer exists among the candidate changes
    iterations: int
    engine_runs: int
    timed_out: bool  # the time budget ran out before the smallest size was searched to the end
    held: bool = True
    gave_up: str | None = None  # z3 answered "unknown" (its reason): the caller falls back
    descended: bool = False  # the answer comes from the descent: a flip, but not proved the smallest
    seconds: float = 0.0


def slots_of(case: Case, changes: Sequence[Change]) -> list[Slot]:
    """The changes grouped by the fact (or unstated input) they touch, in the order given."""
    grouped: dict[object, list[Change]] = {}
    owners: dict[object, tuple[CaseFact | None, str]] = {}
    for change in changes:
        key: object = id(change.fact) if change.fact is not None else change.predicate
        grouped.setdefault(key, []).append(change)
        owners[key] = (change.fact, change.predicate)
    return [Slot(owners[key][0], owners[key][1], tuple(found)) for key, found in grouped.items()]


def apply(case: Case, slots: Sequence[Slot], assignment: Assignment) -> tuple[Facts, dict[tuple[str, tuple], int]]:
    """The facts of the changed case, and which slot each case fact comes from."""
    facts: Facts = {}
    origin: dict[tuple[str, tuple], int] = {}
    changed = {id(slots[s].fact): s for s in assignment if slots[s].fact is not None}
    for index, slot in enumerate(slots):
        if slot.fact is None or id(slot.fact) in changed:
            continue
        facts.setdefault(slot.predicate, []).append(slot.fact.args)
        origin[(slot.predicate, slot.fact.args)] = index
    stated_slots = {id(slot.fact): i for i, slot in enumerate(slots) if slot.fact is not None}
    for fact in case.facts:  # a stated fact no change touches has no slot: keep it as it is
        if id(fact) not in stated_slots:
            facts.setdefault(fact.predicate, []).append(fact.args)
    for index, choice in assignment.items():
        change = slots[index].choices[choice - 1]
        if change.kind != "remove":
            facts.setdefault(change.predicate, []).append(change.args)
            origin[(change.predicate, change.args)] = index
    return facts, origin


class Optimiser:
    """The loop: z3 proposes the fewest changes that meet every lesson, the engine confirms or teaches."""

    def __init__(self, kb: KnowledgeBase, case: Case, slots: list[Slot], predicate: str, args: tuple[Value, ...],
                 held: bool) -> None:
        self.kb, self.case, self.slots = kb, case, slots
        self.predicate, self.args, self.held = predicate, args, held
        self.cones = Cones(kb.program, [slot.predicate for slot in slots])
        # Per slot, its ways of changing (removed, a value at a position, added), each with its choices
        self.option_choices: list[list[list[int]]] = []
        for slot in slots:
            shapes: dict[tuple[str, int], list[int]] = {}
            for number, change in enumerate(slot.choices, 1):
                shapes.setdefault(_shape(change), []).append(number)
            self.option_choices.append(list(shapes.values()))
        # One Boolean per slot and way (0: unchanged), exactly one true per slot: the master problem is pure SAT
        # with a cardinality bound.
        self.xs = [[z3.Bool(f"slot{i}={k}") for k in range(len(ways) + 1)]
                   for i, ways in enumerate(self.option_choices)]
        self.solver = z3.Solver()
        for x in self.xs:
            self.solver.add(z3.PbEq([(b, 1) for b in x], 1))
        self.changed = [z3.Not(x[0]) for x in self.xs]
        self._bounds: dict[tuple[str, int], z3.BoolRef] = {}
        self.changed_terms = [(c, 1) for c in self.changed]
        self.weight_terms = [(x[k], len(ways[k - 1]).bit_length()) for x, ways in zip(self.xs, self.option_choices)
                             for k in range(1, len(x))]
        self.max_weight = max((w for _, w in self.weight_terms), default=1)
        self.answered = False  # an answer was found (and blocked): later bounds say nothing of flips in general
        self.complete = True  # every proposal's values were all tried (else the lower bound is not proved)
        self.proved_above = 0  # every flip among the candidate changes needs more changes than this
        self.runs = 0

    def run(self, assignment: Assignment) -> tuple[Result, dict[tuple[str, tuple], int]]:
        facts, origin = apply(self.case, self.slots, assignment)
        self.runs += 1
        return self.kb.run(facts, validate=False), origin

    def flipped(self, result: Result) -> bool:
        return (self.args in result.relations.get(self.predicate, {})) != self.held

    def learn(self, result: Result, origin: dict[tuple[str, tuple], int], assignment: Assignment) -> None:
        """Add what this failed assignment teaches (see the module docstring)."""
        lesson = Lesson(self.cones, self.changed, result, origin, assignment)
        if self.held:
            self.solver.add(z3.And([lesson.broken(g) for g in self.cones.grounds(result, origin, self.predicate,
                                                                                   self.args)]))
        else:
            self.solver.add(lesson.made_to_hold(self.predicate, self.args, NEED_DEPTH))

    @property
    def program(self) -> Program:
        return self.kb.program

    def values_of(self, shape: Assignment, deadline: float) -> Iterator[Assignment]:
        """Every choice of values for the ways ``shape`` changes its slots, nearest to the case first.

        Combinations come in order of their summed distance rank, so a cut-off
        (:data:`PRODUCT_LIMIT`, or the deadline) drops the furthest ones; a cut
        is remembered, since the lower bound is then no longer proved.
        """
        order = sorted(shape)
        lists = [self.option_choices[s][shape[s] - 1] for s in order]
        for tried, ranks in enumerate(by_rank([len(numbers) for numbers in lists])):
            if tried >= PRODUCT_LIMIT or time.monotonic() > deadline:
                self.complete = False
                return
            yield {s: numbers[r] for s, numbers, r in zip(order, lists, ranks)}

    def block(self, shape: Assignment, supersets: bool) -> None:
        """No later proposal changes these slots in these ways (nor, with ``supersets``, adds anything to that)."""
        other_ways = [z3.Not(self.xs[s][k]) for s, k in shape.items()]
        if supersets:
            self.answered = True
            self.solver.add(z3.Or(other_ways))
        else:
            outside = [self.changed[t] for t in range(len(self.xs)) if t not in shape]
            self.solver.add(z3.Or(other_ways + outside))

    def proposals(self, deadline: float) -> Iterator[Assignment | None]:
        """Assignments of the fewest changes meeting every lesson; None once z3 says there are none left.

        The fewest: z3 is asked for at most ``size`` changes (an assumption, so
        the lessons stay), and ``size`` grows only when that is unsatisfiable —
        a minimal-cost search that keeps the solver incremental. Within a size,
        a second bound on the summed weight (the bits of each way's number of
        values) asks for the proposals with the fewest value combinations first.
        """
        size, weight = 0, 0
        while time.monotonic() < deadline:
            self.solver.set("timeout", max(1, int((deadline - time.monotonic()) * 1000)))
            answer = self.solver.check(self._bound(self.changed_terms, "size", size),
                                       self._bound(self.weight_terms, "weight", weight))
            if answer == z3.unsat:
                if weight < size * self.max_weight:
                    weight = min(weight + WEIGHT_STEP, size * self.max_weight)
                    continue
                if self.complete and not self.answered:  # every proposal so far tried in full: a proved bound
                    self.proved_above = size
                if size >= len(self.xs) or self.solver.check() == z3.unsat:
                    yield None
                    return
                size += 1
                continue
            if answer != z3.sat:
                yield _TIMEOUT
                return
            model = self.solver.model()
            changed = [s for s, x in enumerate(self.xs) if z3.is_false(model.eval(x[0], model_completion=True))]
            yield {s: next(k for k in range(1, len(self.xs[s])) if z3.is_true(model.eval(self.xs[s][k])))
                   for s in changed}

    def _bound(self, terms: list[tuple[z3.BoolRef, int]], name: str, limit: int) -> z3.BoolRef:
        if (name, limit) not in self._bounds:
            self._bounds[(name, limit)] = z3.Bool(f"{name}_at_most_{limit}")
            self.solver.add(z3.Implies(self._bounds[(name, limit)], z3.PbLe(terms, limit)))
        return self._bounds[(name, limit)]


_TIMEOUT: Assignment = {-1: -1}  # z3 gave up: a sentinel the search reports as running out of time


def _shape(change: Change) -> tuple[str, int]:
    if change.kind != "value" or change.fact is None:
        return (change.kind, -1)
    return ("value", next(i for i, (a, b) in enumerate(zip(change.fact.args, change.args)) if a != b))


def optimise(kb: KnowledgeBase, case: Case, changes: Sequence[Change], predicate: str, args: tuple[Value, ...],
             *, keep: int = 5, budget: float = 8.0, max_size: int = 6) -> Search:
    """The smallest sets of changes that flip ``predicate(args)`` (see the module docstring)."""
    started = time.monotonic()
    slots = slots_of(case, changes)
    held = args in kb.run(case).relations.get(predicate, {})
    optimiser = Optimiser(kb, case, slots, predicate, args, held)
    base, origin = optimiser.run({})
    grounds = optimiser.cones.grounds(base, origin, predicate, args) if held else []
    answers: list[Answer] = []
    iterations, proved_none, timed_out = 0, False, True
    gave_up: str | None = None
    # Part of the time is kept for a descent, should z3's proposals not reach a flip
    deadline = started + budget * (OPTIMISE_SHARE if held else OPTIMISE_SHARE_TO_HOLD)
    for assignment in optimiser.proposals(deadline):
        iterations += 1
        if assignment is None:
            proved_none, timed_out = not answers, False
            break
        if assignment is _TIMEOUT:
            gave_up = optimiser.solver.reason_unknown()
            break
        if len(assignment) > max_size or (answers and len(assignment) > len(answers[0].changes)):
            timed_out = False
            break
        flip = None
        for number, values in enumerate(optimiser.values_of(assignment, deadline)):
            result, run_origin = optimiser.run(values)
            if optimiser.flipped(result):
                flip = (values, result)
                break
            if number == 0:
                optimiser.learn(result, run_origin, values)
        if flip is None:
            optimiser.block(assignment, supersets=False)
            continue
        answers.append(_answer(optimiser, flip[0], flip[1], grounds))
        optimiser.block(assignment, supersets=True)
        if len(answers) >= keep:
            timed_out = False
            break
    descended = False
    if not answers and not proved_none and gave_up is None:
        found = descend(optimiser, started + budget)
        if found is not None:
            answers, descended = [_answer(optimiser, found[0], found[1], grounds)], True
    search = Search(answers, grounds, proved_none and optimiser.complete, optimiser.proved_above, iterations, optimiser.runs,
                    timed_out and not answers, held,
                    gave_up if gave_up not in ("timeout", "canceled") else None, descended)
    search.seconds = time.monotonic() - started
    return search


def _answer(optimiser: Optimiser, assignment: Assignment, result: Result, grounds: list[Ground]) -> Answer:
    """An engine-confirmed assignment as an answer: each value swept to its boundary, each change's grounds."""
    order = sorted(assignment)
    changes = [optimiser.slots[s].choices[assignment[s] - 1] for s in order]
    sweeps: list[Sweep | None] = []
    for position, s in enumerate(order):
        sweep, boundary = _sweep(optimiser, assignment, s)
        sweeps.append(sweep)
        if boundary is not None:
            changes[position] = boundary
    if any(sweeps):  # the answer as shown, with values at their boundary, is what the engine confirms
        result = optimiser.run({s: 1 + optimiser.slots[s].choices.index(c) for s, c in zip(order, changes)})[0]
        assert optimiser.flipped(result), "a swept boundary is confirmed by the engine"
    final = {s: 1 + optimiser.slots[s].choices.index(c) for s, c in zip(order, changes)}
    rules = {g.rule for g in grounds}
    breaks = [sorted(rules - concluding(optimiser, optimiser.run({s: final[s]})[0])) for s in order]
    return Answer(tuple(changes), result, breaks, sweeps)


def _sweep(optimiser: Optimiser, assignment: Assignment, s: int) -> tuple[Sweep | None, Change | None]:
    """For a changed value: every candidate at the same position that flips, nearest to the original first."""
    slot = optimiser.slots[s]
    chosen = slot.choices[assignment[s] - 1]
    shape = _shape(chosen)
    if shape[0] != "value" or slot.fact is None:
        return None, None
    position = shape[1]
    old = slot.fact.args[position]
    same = [(i + 1, c) for i, c in enumerate(slot.choices) if _shape(c) == shape]
    flipping: list[Change] = []
    for number, change in same:  # changes_of lists them nearest to the original first
        trial = dict(assignment)
        trial[s] = number
        if optimiser.flipped(optimiser.run(trial)[0]):
            flipping.append(change)
    values = [c.args[position] for c in flipping]
    if not values:
        return None, None
    candidates = [c.args[position] for _, c in same]
    direction = ""
    for word, beyond in (("or less", lambda a, b: _before(a, b)), ("or more", lambda a, b: _before(b, a))):
        if all(beyond(v, old) for v in values):
            # values[0] is the boundary: every candidate beyond it (further from the original) flips too
            if all(v in values for v in candidates if beyond(v, values[0]) or v == values[0]):
                direction = word
    return Sweep(position, values, direction), flipping[0]


def _before(a: Value, b: Value) -> bool:
    return type(a) is type(b) and not isinstance(a, str) and a < b  # type: ignore[operator]

