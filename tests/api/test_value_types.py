"""Values given through the API are checked, never coerced (issue 14, deliverable 3): a float is not
taken for a symbol, a bool for a number; the error names the predicate, the position and what is accepted."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

import lexkb

DECLARED = "input level(int|decimal|date|symbol|string)\nrule seen: seen(?x) if level(?x)\n"
UNDECLARED = "rule seen: seen(?x) if level(?x)\n"
ACCEPTED = "an int, a decimal.Decimal, a datetime.date, a str (a symbol) or a lexkb.Text (a string)"


@pytest.mark.parametrize("rules", [DECLARED, UNDECLARED, "input level(int)\nrule big: high if level(?x) and ?x > 30"])
@pytest.mark.parametrize(("value", "named"), [
    (31.0, "float"), (True, "bool"), (None, "NoneType"), (b"31", "bytes"), (1j, "complex"),
    (datetime.datetime(2012, 3, 3), "datetime.datetime"),
])
def test_a_value_of_another_type_is_a_type_error_naming_where_it_is(rules: str, value: object, named: str) -> None:
    kb = lexkb.loads(rules)
    with pytest.raises(TypeError) as raised:
        kb.run({"level": [(value,)]})
    assert str(raised.value) == f"value 1 of level({value!r}) is a {named}; a value must be {ACCEPTED}"


def test_the_position_is_counted_from_one() -> None:
    kb = lexkb.loads("rule r: p(?a, ?b) if pair(?a, ?b)\n")
    with pytest.raises(TypeError, match=r"^value 2 of pair\(1, 2\.5\) is a float;"):
        kb.run({"pair": [(1, 2), (1, 2.5)]})


lexkb_values = st.one_of(
    st.integers(), st.decimals(allow_nan=False, allow_infinity=False, places=2), st.dates(),
    st.text(alphabet="abc_", min_size=1, max_size=5), st.text(max_size=5).map(lexkb.Text))


@given(lexkb_values)
def test_every_kind_of_lexkb_value_is_accepted_and_kept(value: object) -> None:
    result = lexkb.loads(UNDECLARED).run({"level": [(value,)]})
    assert result.facts("seen") == [(value,)]
    assert type(result.facts("seen")[0][0]) is type(value)  # a Text stays a string, a str a symbol


def test_a_string_and_a_symbol_with_the_same_letters_are_different_values() -> None:
    result = lexkb.loads(UNDECLARED).run({"level": [("drug",), (lexkb.Text("drug"),)]})
    assert len(result.facts("seen")) == 2
