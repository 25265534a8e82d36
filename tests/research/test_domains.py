"""Candidate values of what-if (lexkb.research.domains)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from lexkb.research.domains import Group, candidates


def test_an_ordered_count_gets_no_negative_candidate() -> None:
    # months, levels, points: 0 and up everywhere, so 0 - 1 is not proposed
    assert candidates(Group(ordered=True, values={0, 120}), "int", {97}) == [0, 1, 96, 97, 98, 119, 120, 121]
    assert candidates(Group(ordered=True, values={Decimal("0.5")}), "decimal", set()) == [
        Decimal("0.4"), Decimal("0.5"), Decimal("0.6")]
    assert Decimal("-0.1") not in candidates(Group(ordered=True, values={Decimal("0.0")}), "decimal", set())


def test_negative_values_are_proposed_where_the_rules_or_case_have_one() -> None:
    assert candidates(Group(ordered=True, values={-2, 3}), "int", set()) == [-3, -2, -1, 2, 3, 4]
    assert -1 in candidates(Group(ordered=True, values={0}), "int", {-5})


def test_dates_keep_both_neighbours() -> None:
    day = datetime.date(2014, 11, 1)
    assert candidates(Group(ordered=True, values={day}), "date", set()) == [
        day - datetime.timedelta(days=1), day, day + datetime.timedelta(days=1)]
