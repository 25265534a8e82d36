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
from evaluate.programs import INTEGERS, Program, lx_value, programs, to_lexkb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lexkb
from lexkb.research.lessons import NEED_DEPTH, Lesson
from lexkb.research.optimise import Optimiser, apply, slots_of
from lexkb.research.presence import presence
from lexkb.research.whatif import changes_of

MAX_CHANGES = 80  # candidate changes of a generated case; past it the pairs take too long to enumerate
TAUGHT = 4  # runs each example learns from, the case as stated first


def _case_text(facts: dict) -> str:
    lines = ["case generated"]
    for name, rows in facts.items():
        lines += [name + (f"({', '.join(lx_value(v) for v in row)})" if row else "") for row in rows]
    return "\n".join(lines) + "\n"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(programs(INTEGERS, max_rows=3), st.data())
def test_every_lesson_holds_under_every_flip(tmp_path: Path, program: Program, data: st.DataObject) -> None:
    program.as_inputs = True
    (tmp_path / "g.rules").write_text(to_lexkb(program))
    (tmp_path / "g.case").write_text(_case_text(program.case()))
    kb = lexkb.load(tmp_path / "g.rules")
    case = kb.case(tmp_path / "g.case")
    changes = changes_of(kb, case)
    if len(changes) > MAX_CHANGES:
        return
    slots = slots_of(case, changes)
    base = kb.run(case)
    # every assignment of up to two changes, and what the engine concludes under it
    assignments = [{}] + [{s: n} for s in range(len(slots)) for n in range(1, len(slots[s].choices) + 1)]
    assignments += [{s: n, t: m} for s, t in itertools.combinations(range(len(slots)), 2)
                    for n in range(1, len(slots[s].choices) + 1) for m in range(1, len(slots[t].choices) + 1)]
    results = [kb.run(apply(case, slots, a)[0], validate=False) for a in assignments]
    atoms = sorted({(p, args) for r in results for p in kb.program.arities if not p.startswith("_")
                    and p not in kb.program.inputs for args in r.relations.get(p, {})}, key=repr)
    holding = [(p, args) for p, args in atoms if args in base.relations.get(p, {})]
    if not atoms:
        return
    # an atom that holds (to be broken) or one that does not (to be made to hold), both as often
    predicate, args = data.draw(st.sampled_from(holding if holding and data.draw(st.booleans()) else atoms))
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
@given(programs(INTEGERS, max_rows=3))
def test_a_predicate_with_a_fact_has_the_inputs_it_needs(tmp_path: Path, program: Program) -> None:
    program.as_inputs = True
    (tmp_path / "g.rules").write_text(to_lexkb(program))
    kb = lexkb.load(tmp_path / "g.rules")
    conditions = presence(kb.program)
    facts = program.case()
    for dropped in [None, *facts]:  # the case, and the case without each input
        run = {name: rows for name, rows in facts.items() if name != dropped}
        result = kb.run(run, validate=False)
        stated = {name for name, rows in run.items() if rows}
        for predicate, relation in result.relations.items():
            if relation and predicate in conditions:
                assert any(term <= stated for term in conditions[predicate]), \
                    f"{predicate} has a fact, but none of {conditions[predicate]} is stated (only {stated})"
