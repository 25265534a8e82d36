"""What a failed what-if run teaches is implied by every flip — checked against every flip, by enumeration.

Generated stratified programs (tests/evaluate/programs.py: joins, negation,
`not (a and b)`, arithmetic, recursion), their base facts given as a case. For
an atom of the program, every assignment of at most two changes is run by the
engine; each lesson learned from a run that did not flip (the case as stated,
and a few others) must hold under every assignment that flips. A lesson that
excluded a real flip would let z3 "prove" a smallest size that is not. The
inputs a predicate needs stated (presence.py) are checked the same way: every
predicate with a fact in a run has its condition met by that run's inputs.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import z3
from evaluate.programs import INTEGERS, MIXED, Program, lx_value, programs, to_lexkb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lexkb
from lexkb.api import KnowledgeBase, Result
from lexkb.cli.whatif import changed_facts
from lexkb.language.cases import Case
from lexkb.research.lessons import NEED_DEPTH, Lesson
from lexkb.research.optimise import Optimiser, apply, slots_of
from lexkb.research.presence import presence
from lexkb.research.whatif import changes_of, whatif

MAX_CHANGES = 80  # candidate changes of a generated case; past it the pairs take too long to enumerate
TAUGHT = 4  # runs each example learns from, the case as stated first
SLOW: dict = {"deadline": None, "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]}


def _case_text(facts: dict) -> str:
    lines = ["case generated"]
    for name, rows in facts.items():
        lines += [name + (f"({', '.join(lx_value(v) for v in row)})" if row else "") for row in rows]
    return "\n".join(lines) + "\n"


def _enumerated(tmp_path: Path, program: Program) -> tuple[KnowledgeBase, Case, list, list[dict[int, int]], list[Result]]:
    """The program with its base facts as a case, its slots, and every assignment of up to two changes run."""
    program.as_inputs = True
    (tmp_path / "g.rules").write_text(to_lexkb(program))
    (tmp_path / "g.case").write_text(_case_text(program.case()))
    kb = lexkb.load(tmp_path / "g.rules")
    case = kb.case(tmp_path / "g.case")
    changes = changes_of(kb, case)
    if len(changes) > MAX_CHANGES:
        return kb, case, [], [], []
    slots = slots_of(case, changes)
    assignments: list[dict[int, int]] = [{}]
    assignments += [{s: n} for s in range(len(slots)) for n in range(1, len(slots[s].choices) + 1)]
    assignments += [{s: n, t: m} for s, t in itertools.combinations(range(len(slots)), 2)
                    for n in range(1, len(slots[s].choices) + 1) for m in range(1, len(slots[t].choices) + 1)]
    return kb, case, slots, assignments, [kb.run(apply(case, slots, a)[0], validate=False) for a in assignments]


def _atoms(kb: KnowledgeBase, results: list[Result]) -> list[tuple[str, tuple]]:
    return sorted({(p, args) for r in results for p in kb.program.arities if not p.startswith("_")
                   and p not in kb.program.inputs for args in r.relations.get(p, {})}, key=repr)


def _sizes(assignments: list[dict[int, int]], results: list[Result], predicate: str, args: tuple) -> list[int]:
    """The sizes of the assignments under which the atom is otherwise than as stated."""
    held = args in results[0].relations.get(predicate, {})
    return [len(a) for a, r in zip(assignments, results) if (args in r.relations.get(predicate, {})) != held]


def _atom(kb: KnowledgeBase, results: list[Result], data: st.DataObject) -> tuple[str, tuple] | None:
    """An atom that holds as stated (to be broken) or one that holds after some change (to be made to hold)."""
    atoms = _atoms(kb, results) if results else []
    holding = [(p, args) for p, args in atoms if args in results[0].relations.get(p, {})]
    if not atoms:
        return None
    return data.draw(st.sampled_from(holding if holding and data.draw(st.booleans()) else atoms))


@settings(max_examples=60, **SLOW)
@given(programs(INTEGERS, max_rows=3), st.data())
def test_every_lesson_holds_under_every_flip(tmp_path: Path, program: Program, data: st.DataObject) -> None:
    kb, case, slots, assignments, results = _enumerated(tmp_path, program)
    atom = _atom(kb, results, data)
    if atom is None:
        return
    predicate, args = atom
    base = results[0]
    held = args in base.relations.get(predicate, {})
    optimiser = Optimiser(kb, case, slots, predicate, args, held)
    flips = [a for a, r in zip(assignments, results) if (args in r.relations.get(predicate, {})) != held]
    failed = [i for i, (a, r) in enumerate(zip(assignments, results))
              if (args in r.relations.get(predicate, {})) == held]
    taught = [0] + data.draw(st.lists(st.sampled_from(failed), max_size=TAUGHT - 1, unique=True))
    for index in taught:
        assignment = assignments[index]
        result, origin = optimiser.run(assignment)
        lesson = Lesson(optimiser.cones, optimiser.differs_from(assignment), result, origin, optimiser.needs)
        if held:
            formula = z3.And([z3.BoolVal(True)] + [lesson.broken(g) for g in optimiser.cones.grounds(
                result, origin, predicate, args)])
        else:
            formula = lesson.made_to_hold(predicate, args, NEED_DEPTH + 1)
        for flip in flips:
            values = [(v, z3.BitVecVal(flip.get(s, 0), v.size())) for s, v in enumerate(optimiser.vs)]
            assert z3.is_true(z3.simplify(z3.substitute(z3.BoolVal(True) if formula is True else
                                                        z3.BoolVal(False) if formula is False else formula,
                                                        *values))), \
                f"the lesson from {assignment} excludes the flip {flip} of {predicate}{args}"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(programs(MIXED, max_rows=3))
def test_a_predicate_with_a_fact_has_the_inputs_it_needs(tmp_path: Path, program: Program) -> None:
    program.as_inputs = True
    (tmp_path / "g.rules").write_text(to_lexkb(program))
    kb = lexkb.load(tmp_path / "g.rules")
    conditions = presence(kb.program)
    facts = program.case()
    cases = [facts] + [{n: [r for r in rows if (n, r) != (name, row)] for n, rows in facts.items()}
                       for name, rows in facts.items() for row in rows]  # the case, and without each fact
    for run in cases:
        result = kb.run(run, validate=False)
        for predicate, relation in result.relations.items():
            if relation and predicate in conditions:
                assert any(all(_met(need, run) for need in term) for term in conditions[predicate]), \
                    f"{predicate} has a fact, but none of {conditions[predicate]} is met by {run}"


@settings(max_examples=40, **SLOW)
@given(programs(INTEGERS, max_rows=3), st.data())
def test_what_whatif_proves_holds_on_every_assignment(tmp_path: Path, program: Program, data: st.DataObject) -> None:
    """The answers are real flips; no flip is smaller than the answer, or than what z3 proved, up to two changes."""
    kb, case, _, assignments, results = _enumerated(tmp_path, program)
    atom = _atom(kb, results, data)
    if atom is None:
        return
    if data.draw(st.booleans()):  # an atom no single change flips, when there is one: z3 must prove that
        deeper = [(p, a) for p, a in _atoms(kb, results) if min(_sizes(assignments, results, p, a), default=3) > 1]
        atom = data.draw(st.sampled_from(deeper)) if deeper else atom
    predicate, args = atom
    held = args in results[0].relations.get(predicate, {})
    sizes = _sizes(assignments, results, predicate, args)
    answer = whatif(kb, case, predicate, args, budget=20.0)
    if not sizes:
        assert answer.size is None or answer.size > 2
        return
    assert answer.flips, "a flip of at most two changes exists, so one is found"
    for flip in answer.flips:
        facts: dict = {}
        for name, values in changed_facts(case, flip):
            facts.setdefault(name, []).append(values)
        assert (args in kb.run(facts, validate=False).relations.get(predicate, {})) != held
    assert min(sizes) > answer.proved_above, f"z3 proved no flip of {answer.proved_above} changes; one exists"
    if answer.size == answer.proved_above + 1 or not answer.descended:  # what the report calls the smallest
        assert answer.size == min(sizes)


def _met(need: tuple[str, tuple], facts: dict) -> bool:
    """Some fact of the input has the need's values at its positions (equal as the engine's lookups find them)."""
    name, values = need
    return any(all(row[i] == v for i, v in values) for row in facts.get(name, []))
