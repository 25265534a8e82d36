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


class _Table:
    key = (0, 1)


class _Encoding:
    """What SymbolicOrder reads of an encoding: a keyed table of 258 cells, and ``cell`` with 426
    tuples, 168 of them with symbolic values (as kb/'s amended_cell has families)."""

    def __init__(self) -> None:
        import z3

        from lexkb.research.families import SymTuple
        self.tables = {"table_range": _Table()}
        level = z3.Int("level")
        self.rows = {
            "table_range": [SymTuple(True, (n, "I", n, n + 1)) for n in range(258)],
            "cell": [SymTuple(True, (n, "I")) for n in range(258)] + [SymTuple(True, (level + n, "I"))
                                                                    for n in range(168)],
        }

    def tuples(self, predicate: str) -> list:
        return self.rows[predicate]


def test_a_test_against_many_symbolic_tuples_is_costed_by_its_comparisons() -> None:
    """Reading the table first makes ``cell`` a test, one state for each cell, but each compared with
    every symbolic tuple of ``cell`` (258 x 169); reading ``cell`` first makes 426 states, each a lookup."""
    from lexkb.research.symbolic_order import SymbolicOrder
    kb = lexkb.load(str(FIX / "order_families.rules"))
    branch = next(b for b in kb.program.branches if b.rule.label == "cell_range")
    order = SymbolicOrder(_Encoding())  # type: ignore[arg-type]
    cell = next(s for s in range(2) if branch.literals[s].atom.predicate == "cell")  # type: ignore[union-attr]
    step = order.choose(branch, range(len(branch.literals)), set())
    assert step is not None and step.index == cell
    test = branch.literals[1 - cell].atom  # type: ignore[union-attr]
    known = {"l", "c"}
    assert order.fanout(branch.literals[cell].atom, known) == 1.0  # type: ignore[union-attr]
    assert order.candidates(branch.literals[cell].atom, known) == 169.0  # type: ignore[union-attr]
    assert order.candidates(test, known) == 1.0  # the table, keys known: a lookup
