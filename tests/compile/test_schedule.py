"""compile/schedule.py: the one join policy — order, what each step binds, which index a scan reads."""

from __future__ import annotations

from collections.abc import Collection

import pytest
from evaluate.programs import Program, programs, to_lexkb
from hypothesis import given, settings

import lexkb
from lexkb.compile.program import Branch
from lexkb.compile.schedule import WRITTEN_ORDER, JoinOrder, next_step, plan, readiness, schedule
from lexkb.language import ast


def branch_of(text: str, predicate: str = "out") -> Branch:
    (branch,) = lexkb.loads(text, "s.rules").program.branches_for(predicate)
    return branch


RULE = """
input big(int, int)
input small(int)
input bad(int)
out(?x, ?z) if big(?x, ?y) and ?z = ?y + 1 and small(?x) and not bad(?z) and ?x < 5
"""


def test_filters_run_as_soon_as_their_variables_are_bound_and_scans_prefer_known_arguments() -> None:
    branch = branch_of(RULE)
    steps = schedule(branch)
    # big (written first, nothing known) leads; then the filters its variables enable, in written order
    # (the binding of ?z enables `not bad(?z)`); small(?x) comes last, read by the index on its bound argument.
    assert [(s.kind, s.index) for s in steps] == [("scan", 0), ("bind", 1), ("absent", 3), ("test", 4),
                                                 ("scan", 2)]
    assert [s.binds for s in steps] == [("x", "y"), ("z",), (), (), ()]
    assert steps[4].keys == (0,) and steps[4].fresh == ()
    assert isinstance(steps[1].value, ast.Arithmetic)


def test_a_scan_names_its_index_its_new_variables_and_repeated_ones() -> None:
    branch = branch_of("input t(int, int, int)\nout(?x) if t(?x, ?x, 3)")
    (step,) = schedule(branch)
    assert (step.keys, step.fresh, step.repeats) == ((2,), ((0, "x"),), ((1, "x"),))


def test_a_delta_plan_leads_with_the_recursive_condition() -> None:
    kb = lexkb.loads("input e(int, int)\np(?x, ?y) if e(?x, ?y)\np(?x, ?z) if e(?x, ?y) and p(?y, ?z)", "r.rules")
    recursive = kb.program.branches_for("p")[1]
    assert [s.index for s in schedule(recursive)] == [0, 1]
    assert [s.index for s in schedule(recursive, first=1)] == [1, 0]
    assert schedule(recursive, first=1)[1].keys == (1,)  # e looked up by ?y, bound by the delta


def test_the_written_order_takes_the_earliest_condition_that_can_run() -> None:
    branch = branch_of(RULE)
    assert next_step(branch, range(5), set()).index == 0  # type: ignore[union-attr]
    assert next_step(branch, [2, 4], {"x"}).index == 4  # type: ignore[union-attr]  # the engine: filters first
    assert next_step(branch, [2, 4], {"x"}, WRITTEN_ORDER).index == 2  # type: ignore[union-attr]
    assert next_step(branch, [3], set(), WRITTEN_ORDER) is None


def test_a_join_order_changes_only_which_scan_runs_first() -> None:
    class LastWritten(JoinOrder):
        def scan_cost(self, atom: ast.Atom, bound: Collection[str]) -> tuple[int, ...]:
            return (-len(atom.predicate),)  # longest name first: "small" before "big"

    branch = branch_of(RULE)
    steps = plan(branch, order=LastWritten()).steps
    assert steps[0].index == 2 and steps[0].binds == ("x",)
    assert steps[1].kind == "test"  # ?x < 5 still runs as soon as ?x is bound


def test_readiness() -> None:
    branch = branch_of(RULE)
    literals = branch.literals
    assert [readiness(lit, set()) for lit in literals] == ["scan", None, "scan", None, None]
    assert [readiness(lit, {"x", "y"}) for lit in literals] == ["scan", "bind", "scan", None, "test"]


def test_a_plan_that_cannot_be_completed_says_which_literals_remain() -> None:
    branch = branch_of(RULE)
    found = plan(branch, pending=[1, 2, 3, 4])  # big left out: ?y never gets a value
    assert not found.complete and found.remaining == (1, 3)


def test_an_unsafe_variable_is_reported_where_it_is_written() -> None:
    with pytest.raises(lexkb.LexkbError, match=r"the variable \?z in 'not bad' of rule"):
        lexkb.loads("input small(int)\ninput bad(int)\nout(?x) if small(?x) and not bad(?z)", "u.rules")


@settings(max_examples=40, deadline=None)
@given(programs())
def test_every_step_runs_on_bound_variables_and_binds_only_new_ones(program: Program) -> None:
    try:
        kb = lexkb.loads(to_lexkb(program), "g.rules")
    except lexkb.LexkbError:
        return
    for branch in kb.program.branches:
        bound: set[str] = set()
        steps = schedule(branch)
        assert sorted(s.index for s in steps) == list(range(len(branch.literals)))
        for step in steps:
            assert readiness(branch.literals[step.index], bound) == step.kind
            assert not set(step.binds) & bound
            bound.update(step.binds)
        assert all(set(ast.term_variables(a)) <= bound for a in branch.head.args)
