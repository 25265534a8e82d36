"""Exact decimals (issue 11 item 2): written, compared and computed exactly, never as binary floats."""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import lexkb
from lexkb.compile.semantics import arithmetic, compare
from lexkb.language import ast
from lexkb.language.format import format_value
from lexkb.language.parser import parse
from lexkb.values import decimal_text, to_json

RULES = """input quantity(decimal)
input amount(decimal)
heavy if quantity(?q) and ?q >= 3.9
doubled(?d) if quantity(?q) and ?d = ?q * 2 + 0.01
loss(?x) if amount(?a) and ?x = ?a - 1122805.74
below_zero if quantity(?q) and ?q < -0.5
three if quantity(3)
"""


def value(text: str) -> object:
    [fact] = parse(f"p({text})\n", "t.rules").statements
    assert isinstance(fact, ast.Fact) and isinstance(fact.atom.args[0], ast.Constant)
    return fact.atom.args[0].value


@pytest.mark.parametrize(("text", "expected"), [
    ("3.9", Decimal("3.9")), ("-0.5", Decimal("-0.5")), ("1122805.74", Decimal("1122805.74")), ("0.10", Decimal("0.10")),
])
def test_decimal_literals_are_exact(text: str, expected: Decimal) -> None:
    got = value(text)
    assert type(got) is Decimal and got == expected
    assert format_value(got) == text  # type: ignore[arg-type]


def test_arithmetic_on_decimals_is_exact() -> None:
    assert arithmetic("+", Decimal("0.1"), Decimal("0.2")) == Decimal("0.3")  # 0.30000000000000004 as floats
    assert arithmetic("*", Decimal("1122805.74"), 3) == Decimal("3368417.22")
    assert arithmetic("-", 1, Decimal("0.000000001")) == Decimal("0.999999999")
    assert type(arithmetic("+", 1, 2)) is int
    big = Decimal("123456789012345678901234567890.123456789")
    assert Fraction(arithmetic("*", big, big)) == Fraction(big) ** 2  # far beyond the default 28 digits


def test_numbers_compare_by_value() -> None:
    assert compare("=", 3, Decimal("3.0"))
    assert compare("<", 3, Decimal("3.1")) and compare(">=", Decimal("-0.5"), -1)
    assert not compare("<", Decimal("1.5"), "x")


def test_decimals_in_rules_and_cases(tmp_path: Path) -> None:
    (tmp_path / "d.rules").write_text(RULES, encoding="utf-8")
    kb = lexkb.load(tmp_path / "d.rules")
    result = kb.run({"quantity": [(Decimal("3.90"),)], "amount": [(Decimal("1122805.75"),)]})
    assert result.holds("heavy") and result.holds("doubled(7.81)") and result.holds("loss(0.01)")
    assert not result.holds("below_zero") and not result.holds("three")
    assert kb.run({"quantity": [(3,)]}).holds("three")  # an integer where a decimal is declared
    data = json.loads(json.dumps(result.to_json()))
    assert data["facts"]["doubled"] == [["7.81"]]  # a decimal in JSON: a string of its exact digits


def test_a_decimal_where_an_integer_is_declared_is_refused(tmp_path: Path) -> None:
    (tmp_path / "r.rules").write_text("input level(int)\nlow if level(?l) and ?l < 3\n", encoding="utf-8")
    (tmp_path / "c.case").write_text("level(2.5)\n", encoding="utf-8")
    kb = lexkb.load(tmp_path / "r.rules")
    from lexkb.compile.case_checks import validate_case
    from lexkb.language.cases import load_case

    [finding] = validate_case(load_case(tmp_path / "c.case"), kb.program)
    assert finding.message == "value 1 of level must be a whole number, not a decimal number"


@given(st.decimals(allow_nan=False, allow_infinity=False, places=4, min_value=-10**9, max_value=10**9))
def test_a_decimal_prints_and_reads_back(number: Decimal) -> None:
    text = decimal_text(number)
    assert value(text) == number and to_json(number) == text
