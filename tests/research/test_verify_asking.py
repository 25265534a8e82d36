"""How verify asks z3: a small solver first, then the one shared solver; dead-rule questions asked quickly, then at length, then of the shared solver again.

z3's time limits cannot be forced in a test, so "z3 gave up" is simulated by
making :func:`decide` raise :class:`GaveUp` for chosen calls; the answers must
then be the same as when nothing gives up.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from unittest import mock

import pytest

import lexkb
from lexkb.research.verify import solver as solver_module
from lexkb.research.verify import verify
from lexkb.research.verify.solver import BoundedSolver, GaveUp

pytest.importorskip("z3")

FIX = Path(__file__).parents[1] / "fixtures" / "research"
real_decide = solver_module.decide


def _heads(solver: BoundedSolver, label: str) -> Any:
    from lexkb.research.symbolic_values import disj
    branch = next(b for b in solver.program.branches if b.rule.label == label)
    return disj(g for g, _ in solver.encoding.branch_heads(branch))


def test_a_question_the_small_solver_gives_up_on_is_answered_by_the_shared_one() -> None:
    kb = lexkb.load(str(FIX / "table_planted.rules"))
    plain = BoundedSolver(kb, 1, 4)
    names = sorted({b.rule.label for b in kb.program.branches if not b.hidden})
    expected = {label: plain.example(_heads(plain, label)) is not None for label in names}
    assert True in expected.values() and False in expected.values()  # live and dead rules both asked

    shared = BoundedSolver(kb, 1, 4)
    calls: list[int] = []

    def small_gives_up(checker: Any, timeout_ms: int, *assumptions: Any, budget: int = 0) -> bool:
        calls.append(len(assumptions))
        if not assumptions:  # the small solver (either attempt): no assumption
            raise GaveUp("simulated")
        return real_decide(checker, timeout_ms, *assumptions, budget=budget)

    formulas = {label: _heads(shared, label) for label in names}
    with mock.patch.object(solver_module, "decide", small_gives_up):
        answers = {label: shared.example(formula) is not None for label, formula in formulas.items()}
    assert answers == expected
    questions = sum(1 for f in formulas.values() if not isinstance(f, bool))  # True/False need no z3
    assert questions >= 3 and calls.count(1) == questions  # every question reached the shared solver
    # the definitions were given to it once, not once per question
    assert shared._given == len(shared.encoding.named)


def test_dead_rule_questions_z3_gave_up_on_are_asked_again() -> None:
    kb = lexkb.load(str(FIX / "table_planted.rules"))
    clean = verify(kb, bound=1, examples=[])
    assert any(f.kind == "dead" for f in clean.findings) and not clean.gave_up
    seen: set[int] = set()
    real_example = BoundedSolver.example

    def first_time_gives_up(self: BoundedSolver, formula: Any, stage: Any = "all") -> Any:
        key = formula.get_id() if hasattr(formula, "get_id") else hash(formula)
        if key not in seen:
            seen.add(key)
            raise GaveUp("simulated")
        return real_example(self, formula, stage)

    with mock.patch.object(BoundedSolver, "example", first_time_gives_up):
        retried = verify(kb, bound=1, examples=[])
    assert seen  # questions were asked, and each gave up the first time
    assert [(f.kind, f.message) for f in retried.findings] == [(f.kind, f.message) for f in clean.findings]
    assert retried.gave_up == []


def test_a_dead_rule_question_undecided_in_every_round_is_said_to_be_undecided() -> None:
    kb = lexkb.load(str(FIX / "table_planted.rules"))

    def always_gives_up(self: BoundedSolver, formula: Any, stage: Any = "all") -> Any:
        raise GaveUp("simulated")

    with mock.patch.object(BoundedSolver, "example", always_gives_up):
        report = verify(kb, bound=1, examples=[])
    assert not any(f.kind == "dead" for f in report.findings)  # undecided is never "dead"
    assert report.gave_up and all("z3 gave up (simulated)" in line for line in report.gave_up)


def _asking(solver: BoundedSolver, label: str) -> tuple[Any, list[int]]:
    """The example z3 gives for a rule at the solver's bound, and how many assumptions each check carried."""
    calls: list[int] = []

    def counting(checker: Any, timeout_ms: int, *assumptions: Any, budget: int = 0) -> bool:
        calls.append(len(assumptions))
        return real_decide(checker, timeout_ms, *assumptions, budget=budget)

    formula = _heads(solver, label)
    with mock.patch.object(solver_module, "decide", counting):
        return solver.example(formula), calls


def test_a_rule_is_first_asked_among_cases_with_one_fact_of_each_input() -> None:
    kb = lexkb.load(str(FIX / "table_planted.rules"))
    solver = BoundedSolver(kb, 2, 4)
    example, calls = _asking(solver, "minimum_above_range")
    assert example is not None
    predicates = [predicate for predicate, _ in example]
    assert len(predicates) == len(set(predicates))  # one fact of each input sufficed
    assert calls == [len(kb.program.inputs)]  # one check, every input's second slot assumed absent


def test_a_rule_that_needs_two_facts_of_an_input_is_asked_again_without_the_assumption() -> None:
    kb = lexkb.load(str(FIX / "table_planted.rules"))
    solver = BoundedSolver(kb, 2, 4)
    example, calls = _asking(solver, "two_levels")
    assert example is not None
    assert [predicate for predicate, _ in example].count("offense_level") == 2
    assert calls == [len(kb.program.inputs), 0]  # none with one fact each, then one among all cases


def test_an_example_the_engine_does_not_confirm_is_neither_live_nor_dead() -> None:
    """Should the encoding and the engine ever disagree, z3's case is not taken for a live rule."""
    kb = lexkb.load(str(FIX / "table_planted.rules"))

    def empty_case(self: BoundedSolver, formula: Any, stage: Any = "all") -> Any:
        return []  # no facts: a case in which a rule reading three inputs cannot fire

    with mock.patch.object(BoundedSolver, "example", empty_case):
        report = verify(kb, bound=1, examples=[])
    assert not any(f.kind == "dead" for f in report.findings)
    disagree = [line for line in report.gave_up if "minimum_above_range" in line]
    assert disagree and "does not make it fire in the engine" in disagree[0]
    assert not report.clean


def test_an_exhausted_resource_budget_is_giving_up_not_ctrl_c() -> None:
    """A tactic solver says "canceled" for a Ctrl-C and for its budget alike: the resources spent tell."""
    import z3
    x, y = z3.Ints("x y")
    solver = z3.Then("simplify", "smt").solver()
    solver.set("rlimit", 1_000)
    solver.add(x * y == 1_000_003 * 999_983, x > 1, y > 1)  # factoring: far more than 1,000 units of work
    with pytest.raises(GaveUp, match="budget of 1,000 z3 resource units"):
        real_decide(solver, 60_000, budget=1_000)


def test_a_question_over_the_quick_budget_is_asked_again_as_z3_does_by_default() -> None:
    kb = lexkb.load(str(FIX / "table_planted.rules"))
    names = sorted({b.rule.label for b in kb.program.branches if not b.hidden})
    usual = BoundedSolver(kb, 1, 4)
    expected = {label: usual.example(_heads(usual, label)) is not None for label in names}
    assert True in expected.values() and False in expected.values()

    starved = BoundedSolver(kb, 1, 4)
    budgets: list[tuple[int, int]] = []

    def recording(checker: Any, timeout_ms: int, *assumptions: Any, budget: int = 0) -> bool:
        budgets.append((budget, len(assumptions)))
        return real_decide(checker, timeout_ms, *assumptions, budget=budget)

    with mock.patch.object(solver_module, "QUICK_BUDGET", 1), mock.patch.object(solver_module, "decide", recording):
        answers = {label: starved.example(_heads(starved, label)) is not None for label in names}
    assert answers == expected
    questions = sum(1 for label in names if not isinstance(_heads(starved, label), bool))
    # (at bound 1 no slot is assumed absent) each question tried within the budget, then asked again
    assert budgets == [(1, 0), (0, 0)] * questions
    assert starved._shared is None  # z3's defaults answered every question: the shared solver was never needed


def test_each_stage_makes_only_its_own_attempts() -> None:
    """``quick``: the budgeted attempt alone, its giving up said; ``default``: z3's default in a solver of
    its own; ``shared``: the shared solver. Each gives the answer that every attempt in turn gives."""
    kb = lexkb.load(str(FIX / "table_planted.rules"))
    solver = BoundedSolver(kb, 1, 4)
    formula = _heads(solver, "minimum_above_range")
    expected = solver.example(formula) is not None
    attempts: list[tuple[int, int]] = []

    def recording(checker: Any, timeout_ms: int, *assumptions: Any, budget: int = 0) -> bool:
        attempts.append((budget, len(assumptions)))
        return real_decide(checker, timeout_ms, *assumptions, budget=budget)

    for stage, made in (("quick", [(solver_module.QUICK_BUDGET, 0)]), ("default", [(0, 0)]), ("shared", [(0, 1)])):
        attempts.clear()
        with mock.patch.object(solver_module, "decide", recording):
            assert (solver.example(formula, stage) is not None) == expected
        assert attempts == made, stage

    def budget_runs_out(checker: Any, timeout_ms: int, *assumptions: Any, budget: int = 0) -> bool:
        attempts.append((budget, len(assumptions)))
        if budget:
            raise GaveUp("simulated")
        return real_decide(checker, timeout_ms, *assumptions, budget=budget)

    attempts.clear()
    with mock.patch.object(solver_module, "decide", budget_runs_out), pytest.raises(GaveUp, match="simulated"):
        solver.example(formula, "quick")
    assert attempts == [(solver_module.QUICK_BUDGET, 0)]  # nothing more was tried

    def own_solver_gives_up(checker: Any, timeout_ms: int, *assumptions: Any, budget: int = 0) -> bool:
        attempts.append((budget, len(assumptions)))
        if len(assumptions) != 1:  # a solver of its own (the shared one is asked under one assumption)
            raise GaveUp("simulated")
        return real_decide(checker, timeout_ms, *assumptions, budget=budget)

    attempts.clear()
    with mock.patch.object(solver_module, "decide", own_solver_gives_up), pytest.raises(GaveUp, match="simulated"):
        solver.example(formula, "default")
    assert attempts == [(0, 0)]  # the shared solver is a stage of its own


def _stages_when_giving_up_in(stages_given_up: set[str]) -> list[str]:
    """The stage of each dead-rule question verify asks when ``stages_given_up`` all give up; the report
    must be the one verify gives when nothing gives up."""
    kb = lexkb.load(str(FIX / "table_planted.rules"))
    clean = verify(kb, bound=1, examples=[])
    stages: list[str] = []
    real_example = BoundedSolver.example

    def giving_up(self: BoundedSolver, formula: Any, stage: Any = "all") -> Any:
        stages.append(stage)
        if stage in stages_given_up:
            raise GaveUp("simulated")
        return real_example(self, formula, stage)

    with mock.patch.object(BoundedSolver, "example", giving_up):
        report = verify(kb, bound=1, examples=[])
    assert [(f.kind, f.message) for f in report.findings] == [(f.kind, f.message) for f in clean.findings]
    assert report.gave_up == []
    return stages


def test_dead_rule_questions_are_asked_quickly_all_before_any_is_asked_at_length() -> None:
    stages = _stages_when_giving_up_in({"quick"})
    first_rest = stages.index("default")
    assert stages[:first_rest] == ["quick"] * first_rest and first_rest >= 3  # every question asked quickly first
    assert set(stages[first_rest:]) == {"default"}  # then at length; nothing was left for the shared solver


def test_a_witness_is_the_fewest_facts_and_any_witness_when_minimising_gives_up() -> None:
    """The conflict planted in table_planted.rules (level 23 and up denied, level 23, I granted) needs two
    facts, the level and the category; when the optimizer gives up, a plain solver's witness is taken."""
    kb = lexkb.load(str(FIX / "table_planted.rules"))
    solver = BoundedSolver(kb, 2, 4)
    from lexkb.research.symbolic_values import conj
    formula = conj(solver.encoding.holds("grant", ()), solver.encoding.holds("deny", ()))
    fewest = solver.witness(formula)
    assert fewest is not None and len(fewest) == 2
    result = solver.run(fewest)
    assert {"grant", "deny"} <= set(result.outcomes)

    def optimizer_gives_up(checker: Any, timeout_ms: int, *assumptions: Any, budget: int = 0) -> bool:
        import z3
        if isinstance(checker, z3.Optimize):
            raise GaveUp("simulated")
        return real_decide(checker, timeout_ms, *assumptions, budget=budget)

    with mock.patch.object(solver_module, "decide", optimizer_gives_up):
        some = solver.witness(formula)
    assert some is not None
    assert {"grant", "deny"} <= set(solver.run(some).outcomes)


def test_questions_z3_gives_up_on_at_length_go_to_the_shared_solver_in_a_later_round() -> None:
    stages = _stages_when_giving_up_in({"quick", "default"})
    order = [stage for number, stage in enumerate(stages) if number == 0 or stages[number - 1] != stage]
    assert order == ["quick", "default", "shared"]  # each round after the one before, for every question
