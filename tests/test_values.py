"""Runtime values: their kinds, one total order over mixed kinds, and their JSON."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lexkb.values import Text, Value, args_key, kind_of, sort_key, to_json

values: st.SearchStrategy[Value] = st.one_of(
    st.integers(), st.dates(), st.text().map(Text), st.text(),
)


def test_a_string_never_equals_the_symbol_with_the_same_letters() -> None:
    assert Text("drug") != "drug" and "drug" != Text("drug")
    assert Text("drug") == Text("drug") and hash(Text("drug")) == hash(Text("drug"))
    assert len({Text("drug"), "drug"}) == 2
    assert repr(Text("a")) == "Text('a')"


def test_kinds() -> None:
    assert [kind_of(v) for v in (3, datetime.date(2012, 10, 24), "drug", Text("drug"))] == \
        ["int", "date", "symbol", "string"]
    with pytest.raises(TypeError):
        kind_of(True)


def test_values_of_mixed_kinds_sort_ints_dates_symbols_strings() -> None:
    mixed: list[Value] = [Text("a"), "b", datetime.date(2000, 1, 1), 5, "a", -1]
    assert sorted(mixed, key=sort_key) == [-1, 5, datetime.date(2000, 1, 1), "a", "b", Text("a")]
    assert sorted([(2, "b"), (1, "z"), (2, "a")], key=args_key) == [(1, "z"), (2, "a"), (2, "b")]


@given(st.lists(values, max_size=8))
def test_the_order_is_total_and_agrees_with_equality(items: list[Value]) -> None:
    ordered = sorted(items, key=sort_key)
    assert sorted(reversed(ordered), key=sort_key) == ordered
    for a in items:
        for b in items:
            assert (sort_key(a) == sort_key(b)) == (a == b and type(a) is type(b))


def test_json() -> None:
    assert to_json(datetime.date(2012, 10, 24)) == "2012-10-24"
    assert to_json(Text("x")) == "x" and type(to_json(Text("x"))) is str
    assert to_json(7) == 7 and to_json("drug") == "drug"
