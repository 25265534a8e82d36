"""The worker side: each case run into one row, its deciding rules, its expectations, its error."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from lexkb import load
from lexkb.batch.runner import Job, Runner, deciding_rules
from lexkb.batch.sources import Item

from .conftest import rows

if TYPE_CHECKING:
    from conftest import Lexkb


def test_csv_table(here: Path, lexkb: Lexkb) -> None:
    done = lexkb("batch", "kb", "table.csv", "-o", "out.jsonl", "--jobs", "1")
    assert done.code == 0, done.err
    got = rows(here / "out.jsonl")
    assert [r["case"] for r in got] == ["one", "two", "three", "four"]
    assert [r["where"] for r in got] == ["table.csv:2", "table.csv:3", "table.csv:4", "table.csv:5"]
    assert [r["outcomes"] for r in got] == [["grant"], ["deny"], ["deny"], ["grant"]]
    assert got[0]["deciding_rules"] == {"grant": ["grant_rule", "in_range", "lowered"]}
    assert got[1]["deciding_rules"] == {"deny": ["deny_late", "too_late"]}
    assert got[0]["expectations"] == [{"expect": "grant", "met": True}, {"expect": "not deny", "met": True}]
    assert all(r["error"] is None for r in got)
    assert "4 cases" in done.err and "grant 2, deny 2, none 0" in done.err and "5 met, 0 missed" in done.err
    assert done.out == ""


def test_deciding_rules_follow_recursion_through_unnamed_rules(here: Path) -> None:
    kb = load(["kb"])
    result = kb.run({"flagged": [()], "prior": [("a",)]})
    assert result.outcomes == ["deny"]
    assert deciding_rules(result, "deny") == ["deny_flagged", "reaches_d", "small.rules:26", "small.rules:25"]


def test_a_failing_row_keeps_its_name_and_the_text_of_its_line(here: Path) -> None:
    runner = Runner(Job((str(here / "kb"),)))
    row = runner.run_item(Item("jsonl", "t.jsonl", 3, '{"case": "smith", "level": "x"}'))
    assert row.error is not None and row.error.line == '{"case": "smith", "level": "x"}'
    assert (row.outcomes, row.met, row.missed) == ((), 0, 0)
    assert json.loads(row.text)["case"] == "smith"
    broken = runner.run_item(Item("case", "cases/broken.case", 0, str(here / "cases" / "broken.case")))
    assert broken.error is not None and broken.error.line == "level(12"


def test_a_missed_expectation_exits_1(here: Path, lexkb: Lexkb) -> None:
    done = lexkb("batch", "kb", "cases/wrong.case", "good")
    assert done.code == 1
    got = [json.loads(line) for line in done.out.splitlines()]  # no -o: the rows go to standard output
    assert got[0]["expectations"] == [{"expect": "grant", "met": False}]
    assert "1 missed (in 1 case)" in done.err


def test_bad_cases_are_reported_in_their_rows_and_the_batch_goes_on(here: Path, lexkb: Lexkb) -> None:
    done = lexkb("batch", "kb", "bad.csv", "cases", "-o", "out.jsonl", "--jobs", "2")
    assert done.code == 2
    got = rows(here / "out.jsonl")
    assert len(got) == 3 + 4
    errors = {r["case"]: r["error"] for r in got}
    assert errors["ok"] is None
    assert errors["badlevel"] == "bad.csv:3:10: level must be a whole number, not 'twelve' (e.g. 120)"
    assert errors["baddate"].startswith("bad.csv:4:17: 2019-13-01 is not a real date")
    assert errors["cases/broken.case"].startswith("cases/broken.case:2:")
    assert errors["denied"] is None and errors["wrong"] is None
    # on standard error: location, the row, a caret under the cell, the hint
    assert "bad.csv:3:10: error: level must be a whole number, not 'twelve'\n" \
           "   3 | badlevel,twelve,drug,2019-05-01\n" \
           "     |          ^^^^^^\n" \
           "  hint: e.g. 120" in done.err
    assert "   2 | level(12" in done.err
    assert "7 cases" in done.err and "3 errors" in done.err
