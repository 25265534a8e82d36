"""compile/semantics.py: the value rules, and the generated code that states them again as Python source.

The interpreter calls the functions; the compiled plans run the ``*_source``
templates. Both must give the same answer for every pair of values.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lexkb.compile.semantics import (
    ARITHMETIC,
    EQUALITIES,
    FAIL,
    FUNCTIONS,
    GENERATED_NAMESPACE,
    ORDERINGS,
    arithmetic,
    arithmetic_source,
    call,
    call_source,
    compare,
    comparison_source,
    not_arithmetic_source,
    term_value,
)
from lexkb.language import ast
from lexkb.values import Text, Value

values = st.one_of(
    st.integers(-5, 5),
    st.sampled_from([Decimal("-0.5"), Decimal("0.1"), Decimal("2.0"), Decimal("1122805.74")]),
    st.dates(min_value=datetime.date(2023, 12, 30), max_value=datetime.date(2024, 1, 2)),
    st.sampled_from(["a", "b", "1"]),
    st.sampled_from([Text("a"), Text("b"), Text("1")]),
)


def generated(source: str, left: Value, right: Value) -> Any:
    return eval(source, {**GENERATED_NAMESPACE, "l": left, "r": right})  # noqa: S307 — our own template


@settings(max_examples=300)
@given(st.sampled_from(sorted({**EQUALITIES, **ORDERINGS})), values, values)
def test_generated_comparisons_agree_with_the_interpreter(op: str, left: Value, right: Value) -> None:
    assert bool(generated(comparison_source(op, "l", "r"), left, right)) == compare(op, left, right)


@settings(max_examples=200)
@given(st.sampled_from(sorted(ARITHMETIC) + sorted(FUNCTIONS)), values, values)
def test_generated_arithmetic_agrees_with_the_interpreter(op: str, left: Value, right: Value) -> None:
    expected = arithmetic(op, left, right) if op in ARITHMETIC else call(op, left, right)
    skipped = generated(not_arithmetic_source("l"), left, right) or generated(not_arithmetic_source("r"), left, right)
    if skipped:  # the generated code skips the match where the interpreter fails
        assert expected is FAIL
    else:
        source = arithmetic_source(op, "l", "r") if op in ARITHMETIC else call_source(op, "l", "r")
        assert generated(source, left, right) == expected


@pytest.mark.parametrize(("op", "left", "right", "holds"), [
    ("<", 1, 2, True),
    ("<", datetime.date(2024, 1, 1), datetime.date(2024, 1, 2), True),
    ("<", 1, datetime.date(2024, 1, 2), False),  # across kinds: false, not an error
    ("<", "a", "b", False),  # symbols are not ordered
    ("<", Text("a"), Text("b"), False),  # nor are strings
    ("=", Text("a"), "a", False),  # a string never equals the symbol with its letters
    ("!=", Text("a"), "a", True),
    ("=", 1, 1, True),
])
def test_comparison_rules(op: str, left: Value, right: Value, holds: bool) -> None:
    assert compare(op, left, right) is holds


def test_arithmetic_is_on_integers_only() -> None:
    assert (arithmetic("+", 2, 3), arithmetic("-", 2, 3), arithmetic("*", 2, 3)) == (5, -1, 6)
    assert (call("min", 2, 3), call("max", 2, 3)) == (2, 3)
    assert arithmetic("+", 2, datetime.date(2024, 1, 1)) is FAIL
    assert call("max", "a", 3) is FAIL


def test_term_values() -> None:
    x, one = ast.Variable("x", None), ast.Constant(1, None)  # type: ignore[arg-type]
    term = ast.Call("max", (ast.Arithmetic("*", x, one, None), one), None)  # type: ignore[arg-type]  # max(?x * 1, 1)
    assert term_value(term, {"x": 4}) == 4
    assert term_value(term, {"x": "a"}) is FAIL
    assert term_value(term, {}) is FAIL  # an unbound variable has no value
