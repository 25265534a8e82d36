"""What-if as an optimisation problem: the fewest changes to a case that flip an atom.

An implicit-hitting-set loop between z3 and the engine. Every place a case can
change is a *slot*: a stated fact (kept, removed, or one value changed to a
candidate of its type) or an unstated input (left out, or added with a
candidate value). z3 chooses every slot's choice (a bit-vector per slot, 0
for unchanged) — the fewest changes first (a cardinality bound given as an
assumption, raised only when z3 proves it unsatisfiable). The engine runs
the proposal. If the atom flipped, that is an answer; otherwise the run
becomes a lesson (:mod:`lexkb.research.lessons`): a necessary condition of
every flip, stated value by value ("differs from this run on one of these
slots"), so one run rules out every assignment agreeing with it where its
derivations rest — and the run's own assignment is excluded outright. Along
a failed proposal close to a flip (one rule left concluding the atom), the
engine also tries each changed slot's other values of the same way, the rest
fixed, each failure excluded as run (:meth:`Optimiser.siblings`): a flip that
needs one value just right is found along that line.

Because every lesson is implied by every flip and every exclusion is an
assignment the engine ran, z3 proving "no proposal of k changes is left"
proves that no flip of k changes or fewer exists among the candidate changes.
Further answers of the same size are found by blocking each answer's ways
(and their supersets). A changed value of an answer is swept across every
candidate of its type, the rest fixed, so the answer names the boundary ("97
or less").

Should z3's proposals not reach a flip in their share of the time, a descent
(:func:`descend`) finds one that is real but proved the smallest only when it
is one change above z3's lower bound — the report says which.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import z3

from lexkb.compile.program import Program
from lexkb.language.cases import Case, CaseFact
from lexkb.research.descent import by_rank, concluding, descend, distance
from lexkb.research.lessons import NEED_DEPTH, Assignment, Cones, Ground, Lesson
from lexkb.research.presence import Need, presence
from lexkb.research.symbolic_values import Guard, conj, disj
from lexkb.values import Value

if TYPE_CHECKING:
    from lexkb.api import KnowledgeBase, Result
    from lexkb.research.whatif import Change

Facts = dict[str, list[tuple[Value, ...]]]
OPTIMISE_SHARE = 0.7  # of the time, for z3's proposals; the rest for the descent if they found no flip
OPTIMISE_SHARE_TO_HOLD = 0.6  # the same, to make an atom hold: nothing to break, so z3 learns less, descends more
SWEEP_SHARE = 0.5  # of the time, at most, for the values along failed proposals (the rest: z3 and its lessons)
PRODUCT_LIMIT = 2_000  # nearer value combinations tried for an answer's ways


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
        # One bit-vector per slot, its choice (0: unchanged): a lesson says "differs from the run on one of
        # these slots", value by value, so what one run teaches covers every assignment agreeing with it there.
        self.vs = [z3.BitVec(f"slot{i}", len(slot.choices).bit_length()) for i, slot in enumerate(slots)]
        self.solver = z3.Solver()
        # Decisions try false first: unchanged slots, then the lowest choice numbers — removals and the nearest
        # values, as changes_of lists them — so the first proposals depart least from the case
        self.solver.set("phase_selection", 0)
        for v, slot in zip(self.vs, slots):
            self.solver.add(z3.ULE(v, len(slot.choices)))
        self.changed = [v != 0 for v in self.vs]
        self._bounds: dict[int, z3.BoolRef] = {}
        self._others: dict[tuple[int, int], z3.BoolRef] = {}
        # A stated fact without a slot is always there (no change touches it)
        slotted = {id(slot.fact) for slot in slots if slot.fact is not None}
        self.conditions = presence(kb.program, {f.predicate for f in case.facts if id(f) not in slotted})
        self._needs: dict[str, Guard] = {}
        self._stated_memo: dict[Need, Guard] = {}
        self.answered = False  # an answer was found (and blocked): later bounds say nothing of flips in general
        self.proved_above = 0  # every flip among the candidate changes needs more changes than this
        self.runs = 0

    def run(self, assignment: Assignment) -> tuple[Result, dict[tuple[str, tuple], int]]:
        facts, origin = apply(self.case, self.slots, assignment)
        self.runs += 1
        return self.kb.run(facts, validate=False), origin

    def flipped(self, result: Result) -> bool:
        return (self.args in result.relations.get(self.predicate, {})) != self.held

    def differs_from(self, assignment: Assignment) -> Callable[[frozenset[int]], Guard]:
        """``differs(cone)``: an assignment differs from ``assignment`` on some slot of ``cone``."""
        memo: dict[frozenset[int], Guard] = {}

        def differs(cone: frozenset[int]) -> Guard:
            if cone not in memo:
                memo[cone] = disj([self._other(s, assignment.get(s, 0)) for s in sorted(cone)])
            return memo[cone]
        return differs

    def needs(self, predicate: str) -> Guard:
        """What any fact of ``predicate`` needs stated (:func:`presence`), over the slots (made once)."""
        if predicate not in self._needs:
            self._needs[predicate] = disj([conj(*(self._stated(need) for need in sorted(term, key=repr)))
                                           for term in self.conditions.get(predicate, (frozenset(),))])
        return self._needs[predicate]

    def _stated(self, need: Need) -> Guard:
        """Some fact of the input is stated with the values ``need`` gives: a slot of it kept (if its fact has
        them), changed to a fact that has them, or added with them."""
        if need not in self._stated_memo:
            self._stated_memo[need] = self._stated_now(need)
        return self._stated_memo[need]

    def _stated_now(self, need: Need) -> Guard:
        predicate, values = need
        options: list[Guard] = []
        for s in self.cones.reads(predicate) if predicate in self.program.inputs else ():
            slot = self.slots[s]
            kept = slot.fact is not None and _has(slot.fact.args, values)
            matching = [n for n, c in enumerate(slot.choices, 1) if c.kind != "remove" and _has(c.args, values)]
            if kept and len(matching) == len(slot.choices) - sum(c.kind == "remove" for c in slot.choices):
                options.append(conj(*(self._other(s, n) for n, c in enumerate(slot.choices, 1) if c.kind == "remove")))
            else:
                options.append(disj([self.vs[s] == n for n in matching] + ([self.vs[s] == 0] if kept else [])))
        return disj(options)

    def _other(self, s: int, choice: int) -> z3.BoolRef:
        """Slot ``s`` takes another choice than ``choice`` (made once: lessons repeat them)."""
        if (s, choice) not in self._others:
            self._others[(s, choice)] = self.vs[s] != choice
        return self._others[(s, choice)]

    def learn(self, result: Result, origin: dict[tuple[str, tuple], int], assignment: Assignment) -> None:
        """Add what this failed assignment teaches (see :class:`Lesson`), and exclude it."""
        lesson = Lesson(self.cones, self.differs_from(assignment), result, origin, self.needs)
        if self.held:
            grounds = self.cones.grounds(result, origin, self.predicate, self.args)
            formula = conj(*(lesson.broken(g) for g in grounds))
        else:
            # one rule more than for an atom that holds: the atom's own rule, then the grounds of what it needs absent
            formula = lesson.made_to_hold(self.predicate, self.args, NEED_DEPTH + 1)
        if formula is not True:
            self.solver.add(formula)
        self.solver.add(disj([self._other(s, assignment.get(s, 0)) for s in range(len(self.vs))]))

    @property
    def program(self) -> Program:
        return self.kb.program

    def values_of(self, shape: Assignment, limit: int = PRODUCT_LIMIT) -> Iterator[Assignment]:
        """Choices of values for the ways ``shape`` changes its slots, nearest to the case first (at most ``limit``)."""
        order = sorted(shape)
        lists = [self.option_choices[s][shape[s] - 1] for s in order]
        for ranks in itertools.islice(by_rank([len(numbers) for numbers in lists]), limit):
            yield {s: numbers[r] for s, numbers, r in zip(order, lists, ranks)}

    def shape(self, assignment: Assignment) -> Assignment:
        """The way (1-based) each changed slot of ``assignment`` changes in."""
        return {s: next(k for k, numbers in enumerate(self.option_choices[s], 1) if n in numbers)
                for s, n in assignment.items()}

    def block(self, shape: Assignment) -> None:
        """An answer's ways: no later proposal changes these slots in these ways, with or without more."""
        self.answered = True
        self.solver.add(z3.Or([z3.Not(self._way(s, k)) for s, k in shape.items()]))

    def _way(self, s: int, k: int) -> z3.BoolRef:
        numbers = self.option_choices[s][k - 1]
        if numbers == list(range(numbers[0], numbers[-1] + 1)):
            return z3.And(z3.UGE(self.vs[s], numbers[0]), z3.ULE(self.vs[s], numbers[-1]))
        return z3.Or([self.vs[s] == n for n in numbers])

    def siblings(self, assignment: Assignment, deadline: float) -> tuple[Assignment, Result] | None:
        """A flip among the assignments that change one slot of ``assignment`` to another value of the same
        way, the rest as they are, nearest to the case first; each one tried that does not flip is excluded
        (the engine ran it, so a lower bound stays proved). Runs are cheaper than z3 rounds, and a flip
        that needs one value just right (a threshold, one amendment among many) is found along one line."""
        for s, n in sorted(assignment.items()):
            for number in self.option_choices[s][self.shape({s: n})[s] - 1]:
                if number == n:
                    continue
                if time.monotonic() > deadline:
                    return None
                trial = {**assignment, s: number}
                result = self.run(trial)[0]
                if self.flipped(result):
                    return trial, result
                self.solver.add(disj([self._other(t, trial.get(t, 0)) for t in range(len(self.vs))]))
        return None

    def proposals(self, deadline: float) -> Iterator[Assignment | None]:
        """Assignments of the fewest changes meeting every lesson; None once z3 says there are none left.

        The fewest: z3 is asked for at most ``size`` changes (an assumption, so
        the lessons stay), and ``size`` grows only when that is unsatisfiable —
        a minimal-cost search that keeps the solver incremental. z3 decides
        bits false first, so low choice numbers — removals and the nearest
        values (:func:`lexkb.research.whatif.changes_of` lists them so) — tend to come first.
        """
        size = self.proved_above + 1
        while time.monotonic() < deadline:
            self.solver.set("timeout", max(1, int((deadline - time.monotonic()) * 1000)))
            answer = self.solver.check(self._bound(size))
            if answer == z3.unsat:
                if not self.answered:  # every lesson is implied by every flip: a proved bound
                    self.proved_above = size
                if size >= len(self.vs) or self.solver.check() == z3.unsat:
                    yield None
                    return
                size += 1
                continue
            if answer != z3.sat:
                yield _TIMEOUT
                return
            model = self.solver.model()
            values = [model.eval(v, model_completion=True).as_long() for v in self.vs]  # type: ignore[attr-defined]
            yield {s: n for s, n in enumerate(values) if n}

    def _bound(self, limit: int) -> z3.BoolRef:
        if limit not in self._bounds:
            self._bounds[limit] = z3.Bool(f"size_at_most_{limit}")
            self.solver.add(z3.Implies(self._bounds[limit], z3.PbLe([(c, 1) for c in self.changed], limit)))
        return self._bounds[limit]


_TIMEOUT: Assignment = {-1: -1}  # z3 gave up: a sentinel the search reports as running out of time


def _has(args: tuple[Value, ...], values: tuple[tuple[int, Value], ...]) -> bool:
    """The arguments have these values at these positions (equal as the engine's lookups find them)."""
    return all(position < len(args) and args[position] == value for position, value in values)


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
    optimiser.learn(base, origin, {})
    # Part of the time is kept for a descent, should z3's proposals not reach a flip
    deadline = started + budget * (OPTIMISE_SHARE if held else OPTIMISE_SHARE_TO_HOLD)
    sweeping = 0.0  # seconds spent on the values along a failed proposal's changes
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
        result, run_origin = optimiser.run(assignment)
        if not optimiser.flipped(result):
            optimiser.learn(result, run_origin, assignment)
            if sweeping > SWEEP_SHARE * (time.monotonic() - started) or distance(optimiser, result) > 1:
                continue  # the lessons' turn (they prove the bounds), or more than one rule away from a flip
            begun = time.monotonic()
            found = optimiser.siblings(assignment, deadline)
            sweeping += time.monotonic() - begun
            if found is None:
                continue
            assignment, result = found
        # The same ways with the values nearest to the case that flip: the answer shown departs least from it
        shape = optimiser.shape(assignment)
        for values in optimiser.values_of(shape):
            if values == assignment or time.monotonic() > deadline:
                break
            nearer = optimiser.run(values)[0]
            if optimiser.flipped(nearer):
                assignment, result = values, nearer
                break
        answers.append(_answer(optimiser, assignment, result, grounds, started + budget))
        optimiser.block(shape)
        if len(answers) >= keep:
            timed_out = False
            break
    descended = False
    if not answers and not proved_none and gave_up is None:
        found = descend(optimiser, started + budget)
        if found is not None:
            answers, descended = [_answer(optimiser, found[0], found[1], grounds, started + budget)], True
    # Removals first, then additions, then changed values: the plainest departures from the case lead
    answers.sort(key=lambda a: (sum(c.kind == "value" for c in a.changes), sum(c.kind == "add" for c in a.changes)))
    search = Search(answers, grounds, proved_none, optimiser.proved_above, iterations, optimiser.runs,
                    timed_out, held,
                    gave_up if gave_up not in ("timeout", "canceled") else None, descended)
    search.seconds = time.monotonic() - started
    return search


def _answer(optimiser: Optimiser, assignment: Assignment, result: Result, grounds: list[Ground],
            deadline: float) -> Answer:
    """An engine-confirmed assignment as an answer: each value swept to its boundary, each change's grounds."""
    order = sorted(assignment)
    changes = [optimiser.slots[s].choices[assignment[s] - 1] for s in order]
    sweeps: list[Sweep | None] = []
    for position, s in enumerate(order):
        sweep, boundary = _sweep(optimiser, assignment, s, deadline)
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


def _sweep(optimiser: Optimiser, assignment: Assignment, s: int,
           deadline: float) -> tuple[Sweep | None, Change | None]:
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
        if time.monotonic() > deadline and flipping:
            break  # out of time: the values found are stated, no boundary claimed beyond them
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

