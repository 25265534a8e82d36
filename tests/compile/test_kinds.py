"""Kinds known at check time (declared inputs, written values): a comparison or arithmetic that
could never hold is a located error, not a rule that silently cannot fire."""

from __future__ import annotations

import re

import pytest

import lexkb
from lexkb.errors import CheckError


@pytest.mark.parametrize(("rules", "message"), [
    ("input d(date)\nlate if d(?d) and ?d > 2006", "?d is a date and 2006 is an integer"),
    ("input d(date)\nlater(?e) if d(?d) and ?e = ?d + 365", "?d is a date, but '+' works on numbers only"),
    ("input d(date)\nlater(?e) if d(?d) and ?e = max(?d, 3)", "max(…) works on numbers only"),
    ("input n(int)\np if n(?n) and ?n = drug", "values of different kinds are never equal"),
    ("input s(symbol)\np if s(?s) and ?s < b", "'<' orders two numbers or two dates"),
    ('p if 2012-10-24 < 5', "2012-10-24 is a date and 5 is an integer"),
    ('p if "drug" = drug', '"drug" is a string and drug is a symbol'),
    ("input d(date)\np(?d + 1) if d(?d)", "'+' works on numbers only"),
    ("input q(decimal)\np if q(?q) and ?q = drug", "values of different kinds are never equal"),
    ("input d(date)\np if d(?d) and ?d < 3.9", "?d is a date and 3.9 is a decimal"),
])
def test_kinds_that_never_fit_are_located_errors(rules: str, message: str) -> None:
    with pytest.raises(CheckError, match=re.escape(message)) as raised:
        lexkb.loads(rules + "\n", "k.rules")
    assert raised.value.span is not None and raised.value.span.line == rules.count("\n") + 1


@pytest.mark.parametrize("rules", [
    "input d(date)\nlate if d(?d) and ?d > 2012-01-05",
    "input n(int|symbol)\np if n(?n) and ?n > 3",  # an int among the declared kinds: may hold
    "input n(int|symbol)\np if n(?n) and ?n = life",
    "q(5)\nq(life)\np(?y) if q(?x) and ?y = ?x + 1",  # kinds of undeclared facts are not inferred
    "input n(int)\nm(?x) if n(?x)\nm(life)\np if m(?x) and ?x > 3",  # a concluded predicate is not typed
    "input q(decimal)\np if q(?q) and ?q > 3",  # numbers compare by value, integer or decimal
    "input n(int)\np if n(?n) and ?n = 3.0",
    "input q(decimal)\nr(?x) if q(?q) and ?x = ?q * 2 + min(?q, 1)",
])
def test_kinds_that_may_fit_are_accepted(rules: str) -> None:
    lexkb.loads(rules + "\n", "k.rules")
