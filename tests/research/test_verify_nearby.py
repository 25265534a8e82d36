"""The cases one change away from a dead-rule example: rules shown live by engine runs, not z3 questions."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from unittest import mock

import pytest

import lexkb
from lexkb.compile.program import Branch
from lexkb.research.verify import dead as dead_module
from lexkb.research.verify import verify
from lexkb.research.verify.dead import _fired, facts_needed
from lexkb.research.verify.nearby import fired_among, live_nearby
from lexkb.research.verify.solver import BoundedSolver

pytest.importorskip("z3")

FIX = Path(__file__).parents[1] / "fixtures" / "research"


def _branch(kb: lexkb.KnowledgeBase, label: str) -> Branch:
    return next(b for b in kb.program.branches if b.rule.label == label)


def _inputs_of(kb: lexkb.KnowledgeBase) -> dict[int, set[str]]:
    return {key: set(counts) for key, counts in facts_needed(kb.program).items()}


def _run(kb: lexkb.KnowledgeBase, facts: list[tuple[str, tuple[Any, ...]]]) -> Any:
    table: dict[str, list[tuple[Any, ...]]] = {}
    for predicate, args in facts:
        table.setdefault(predicate, []).append(args)
    return kb.run(table)


# Level 20, category I: 33 to 41 months, granted; the mandatory minimum does not control.
GRANTED = [("offense_level", (20,)), ("criminal_history_category", ("I",)), ("mandatory_minimum_months", (41,))]


def test_a_rule_one_value_away_is_shown_live_by_the_engine() -> None:
    kb = lexkb.load(str(FIX / "table_planted.rules"))
    result = _run(kb, GRANTED)
    controls = _branch(kb, "minimum_above_range")
    assert controls.id not in _fired(kb.program, result)
    # 42 months, just above the range's top (41, read from the table in this run), makes it fire.
    live = live_nearby(kb, GRANTED, result, [controls], _inputs_of(kb))
    assert live == {controls.id}
    assert controls.id in _fired(kb.program, _run(kb, [*GRANTED[:2], ("mandatory_minimum_months", (42,))]))


def test_a_rule_two_changes_away_is_left_to_z3() -> None:
    kb = lexkb.load(str(FIX / "table_planted.rules"))
    result = _run(kb, GRANTED)
    two_levels = _branch(kb, "two_levels")  # needs a second offense level: a fact added beside one stated
    dead_range = _branch(kb, "deny_thirty_years")  # no cell of the table fires it
    assert live_nearby(kb, GRANTED, result, [two_levels, dead_range], _inputs_of(kb)) == set()


def test_the_run_limit_is_kept() -> None:
    kb = lexkb.load(str(FIX / "table_planted.rules"))
    result = _run(kb, GRANTED)
    runs: list[object] = []
    real_run = kb.run

    def counting(*args: Any, **kwargs: Any) -> Any:
        runs.append(args)
        return real_run(*args, **kwargs)

    with mock.patch.object(kb, "run", counting):
        live_nearby(kb, GRANTED, result, [_branch(kb, "deny_thirty_years")], _inputs_of(kb), max_runs=7)
    assert len(runs) == 7


def test_fired_among_names_only_branches_that_matched() -> None:
    kb = lexkb.load(str(FIX / "table_planted.rules"))
    branches = [b for b in kb.program.branches if not b.hidden]
    for facts in (GRANTED, [("offense_level", (30,)), ("criminal_history_category", ("III",))],
                  [("offense_level", (25,)), ("offense_level", (26,))]):
        result = _run(kb, facts)
        recorded = fired_among(result, branches)
        assert recorded and recorded <= _fired(kb.program, result)  # the engine's record: never more


def test_verify_asks_fewer_questions_with_the_same_findings() -> None:
    kb = lexkb.load(str(FIX / "table_planted.rules"))
    asked: list[int] = []
    real_example = BoundedSolver.example

    def counting(self: BoundedSolver, formula: Any, stage: Any = "all") -> Any:
        asked.append(1)
        return real_example(self, formula, stage)

    with mock.patch.object(BoundedSolver, "example", counting):
        near = verify(kb, examples=[])
        with_nearby = len(asked)
        asked.clear()
        with mock.patch.object(dead_module, "live_nearby", lambda *args, **kwargs: set()):
            alone = verify(kb, examples=[])
    assert with_nearby < len(asked)
    assert [(f.kind, f.message) for f in near.findings] == [(f.kind, f.message) for f in alone.findings]
    assert any(f.kind == "dead" for f in near.findings)  # the planted dead rule is still found


def test_a_number_read_is_tried_only_where_the_rules_compare_it() -> None:
    """Level 30, category III: a range of 121 to 151 months. Its bounds, and the months either side,
    are tried as the mandatory minimum (compared with the range), never as the offense level."""
    from lexkb.research.verify.nearby import _neighbours
    kb = lexkb.load(str(FIX / "table_planted.rules"))
    witness = [("offense_level", (30,)), ("criminal_history_category", ("III",)), ("mandatory_minimum_months", (100,))]
    result = _run(kb, witness)
    assert (121, 151) in result.relations["cell_range"]
    tried: dict[str, set[Any]] = {}
    for facts in _neighbours(kb, witness, result, [_branch(kb, "minimum_above_range")], _inputs_of(kb)):
        for predicate, rows in facts.items():
            tried.setdefault(predicate, set()).update(args[0] for args in rows)
    assert {120, 121, 122, 150, 151, 152} <= tried["mandatory_minimum_months"]
    assert not {121, 151, 152} & tried["offense_level"]  # months are not levels
