"""Decimals in the z3 encoding (issue 11 item 2): reals, one representation per number, so that verify
and what-if reason about them as the engine computes them."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import z3

from lexkb.research.symbolic_values import const, make_slot, model_value, sym_arithmetic, sym_compare, veq

if TYPE_CHECKING:
    from conftest import Lexkb

RULES = """input quantity(decimal)
outcomes heavy, light
heavy if quantity(?q) and ?q * 2 >= 7.81
light if quantity(?q) and ?q < 3.9
"""


def test_equal_numbers_are_equal_values() -> None:
    assert const(Decimal("3.0")).eq(const(3))
    assert not const(Decimal("3.5")).eq(const(3))
    solver = z3.Solver()
    slot, constraints = make_slot("q", ["decimal"], "q0")
    solver.add(*constraints, veq(slot.values[0], 3))
    assert solver.check() == z3.sat
    assert model_value(solver.model(), slot, 0, {}, set()) == 3


def test_comparisons_and_arithmetic_on_decimals() -> None:
    slot, constraints = make_slot("q", ["decimal"], "q0")
    doubled, guard = sym_arithmetic("*", slot.values[0], 2)
    solver = z3.Solver()
    solver.add(*constraints, guard, sym_compare(">=", doubled, Decimal("7.81")),
               sym_compare("<", slot.values[0], Decimal("3.91")))
    assert solver.check() == z3.sat
    found = model_value(solver.model(), slot, 0, {}, set())
    assert Decimal("3.905") <= found < Decimal("3.91")  # type: ignore[operator]
    solver.add(sym_compare("<", slot.values[0], Decimal("3.905")))
    assert solver.check() == z3.unsat  # exact: no rounding lets 3.9049 through
    assert sym_arithmetic("+", Decimal("0.1"), Decimal("0.2"))[0] == Decimal("0.3")


def test_verify_finds_the_overlap_the_engine_confirms(tmp_path: Path, lexkb: Lexkb) -> None:
    (tmp_path / "v.rules").write_text(RULES, encoding="utf-8")
    code, out, _ = lexkb("verify", "v.rules", cwd=tmp_path)
    assert "CONFLICT 1: heavy and light both hold" in out and "dead" not in out.split("\n", 1)[1].split("Proved")[0]
