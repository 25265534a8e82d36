"""Splitting few-valued symbolic arguments into plain tuples (lexkb.research.grounding).

The split must be exact: under every assignment of the inputs, the plain tuple
whose guard holds has exactly the values the symbolic tuple had. Checked by z3
(the disjunction of the split guards is the original guard, and each split guard
forces the arguments' values) over terms built as the encoding builds them:
clamps of input integers, table lookups with symbolic keys.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lexkb.research.grounding import PossibleValues, ground
from lexkb.research.symbolic_values import V, conj, const, disj, sym_arithmetic, veq, zv
from lexkb.research.tables import ReferenceTable

z3 = pytest.importorskip("z3")

ROWS = [(level, category, 10 * level + index, 10 * level + index + 5)
        for level in range(1, 8) for index, category in enumerate(["I", "II", "III"])]


def _clamp(term: object, low: int, high: int) -> object:
    inner, g1 = sym_arithmetic("min", high, term)
    value, g2 = sym_arithmetic("max", low, inner, g1)
    return value, g2


def _exact(guard: object, args: tuple, parts: list) -> None:
    solver = z3.Solver()
    # The parts together say exactly what the tuple said ...
    solver.push()
    solver.add(z3.Xor(zv_bool(guard), zv_bool(disj(g for g, _ in parts))))
    assert solver.check() == z3.unsat
    solver.pop()
    # ... and each part gives the arguments the values the tuple had.
    for part_guard, plain in parts:
        solver.push()
        solver.add(zv_bool(part_guard), z3.Not(zv_bool(conj(*(veq(a, p) for a, p in zip(args, plain))))))
        assert solver.check() == z3.unsat, plain
        solver.pop()


def zv_bool(guard: object) -> object:
    return z3.BoolVal(guard) if isinstance(guard, bool) else guard


@settings(max_examples=25, deadline=None)
@given(st.integers(-3, 3), st.integers(1, 4), st.integers(4, 9))
def test_a_clamped_input_is_split_exactly(shift: int, low: int, high: int) -> None:
    x = z3.Int("x")
    shifted, g0 = sym_arithmetic("+", V.int_(x), shift)
    value, guard = _clamp(shifted, low, high)
    guard = conj(g0, guard)
    parts = ground(guard, (value,), PossibleValues())
    assert parts is not None and len(parts) == high - low + 1
    assert {p[0] for _, p in parts} == set(range(low, high + 1))
    _exact(guard, (value,), parts)


def test_a_table_lookup_is_split_on_its_keys_keeping_its_columns_together() -> None:
    table = ReferenceTable("cell", ROWS, (0, 1))
    possible = PossibleValues()
    for position, function in table.functions.items():
        possible.register(function, table.key, position, table.rows)
    level, category = z3.Int("l"), z3.String("c")
    key_level, g1 = _clamp(V.int_(level), 1, 7)
    keys = [key_level, V.sym_(category)]
    guard = conj(g1, table.in_domain(keys))
    args = (table.value(2, keys), table.value(3, keys))
    parts = ground(guard, args, possible)
    assert parts is not None
    # One plain tuple per cell (not per combination of minimum and maximum).
    assert sorted(plain for _, plain in parts) == sorted((lo, hi) for _, _, lo, hi in ROWS)
    solver = z3.Solver()
    solver.add(*table.axioms)
    solver.add(z3.Xor(guard, disj(g for g, _ in parts)))
    assert solver.check() == z3.unsat


def test_a_term_of_unbounded_values_is_not_split() -> None:
    x = z3.Int("x")
    assert ground(True, (V.int_(x),), PossibleValues()) is None
    assert ground(True, (4, "I"), PossibleValues()) is None  # nothing symbolic: nothing to split
    # A plain value written as a z3 term is read back as the plain value.
    [(_, plain)] = ground(True, (zv(const(3)), 4), PossibleValues()) or []
    assert plain == (3, 4)
