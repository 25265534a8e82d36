"""The encoding's join order (lexkb.research.symbolic_order): scored by the states an order makes."""

from __future__ import annotations

from pathlib import Path

import pytest

import lexkb
from lexkb.compile.program import Positive
from lexkb.compile.schedule import plan

pytest.importorskip("z3")

from lexkb.research.verify.solver import BoundedSolver  # noqa: E402

FIX = Path(__file__).parents[1] / "fixtures" / "research"


def test_a_binding_that_makes_a_table_read_a_lookup_is_followed() -> None:
    """``?l = max(1, min(43, ?l0))`` gives the level once ``offense_level(?l0)`` is read: the table is then
    read with its level known, not backwards from its minimum with every level a row to scan."""
    kb = lexkb.load(str(FIX / "order_binding.rules"))
    solver = BoundedSolver(kb, 2, 3)
    branch = next(b for b in kb.program.branches if b.rule.label == "revealed")
    steps = plan(branch, range(len(branch.literals)), order=solver.encoding._order).steps
    reads = [(branch.literals[s.index].atom.predicate, s.keys) for s in steps  # type: ignore[union-attr]
             if s.kind == "scan" and isinstance(branch.literals[s.index], Positive)]
    order = [predicate for predicate, _ in reads]
    assert order.index("offense_level") < order.index("table_range")
    assert 0 in dict(reads)["table_range"]  # the level is a key of the read


def test_the_order_changes_no_answer() -> None:
    """The case z3 gives for the rule, in the order chosen, makes it fire in the engine."""
    kb = lexkb.load(str(FIX / "order_binding.rules"))
    solver = BoundedSolver(kb, 1, 3)
    fires = solver.encoding.holds_pattern(next(b for b in kb.program.branches if b.rule.label == "revealed").head)
    example = solver.example(fires)
    assert example is not None
    result = solver.run(example)
    assert result.relations.get("revealed_maximum")
