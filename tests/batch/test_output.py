"""The output rows: JSONL objects or CSV records with one deciding-rules column per declared outcome."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from lexkb import load
from lexkb.batch.output import csv_line, header, row_text


def test_csv_has_a_header_with_a_column_per_outcome_and_jsonl_none(here: Path) -> None:
    program = load(["kb"]).program
    assert header("csv", program) == \
        "case,where,outcomes,expectations_met,expectations_missed,rules_grant,rules_deny,error\n"
    assert header("jsonl", program) == ""


def test_a_row_in_both_formats(here: Path) -> None:
    program = load(["kb"]).program
    args = ("smith", "t.csv:2", ("deny",), [("deny", True), ("not grant", True), ("x", False)],
            {"deny": ["deny_late", "too_late"]}, None)
    assert row_text("csv", program, *args) == "smith,t.csv:2,deny,2,x,,deny_late too_late,\n"
    assert json.loads(row_text("jsonl", program, *args)) == {
        "case": "smith", "where": "t.csv:2", "outcomes": ["deny"],
        "expectations": [{"expect": "deny", "met": True}, {"expect": "not grant", "met": True},
                         {"expect": "x", "met": False}],
        "deciding_rules": {"deny": ["deny_late", "too_late"]}, "error": None}


def test_csv_lines_quote_what_needs_it_and_end_in_a_newline() -> None:
    assert csv_line(["a,b", 'say "hi"', "two\nlines", 3]) == '"a,b","say ""hi""","two\nlines",3\n'


def test_csv_cells_a_spreadsheet_would_run_as_formulas_are_shown_as_text() -> None:
    """A case named =HYPERLINK(...) in a table of cases must not become a live formula in the output."""
    cells = ['=HYPERLINK("http://x")', "+1+1", "-2+cmd|' /C calc'!A0", "@SUM(A1)", "\tx", "\rx", "a=b", "x-1"]
    [read_back] = csv.reader(io.StringIO(csv_line(cells)))
    assert read_back == ["'" + c for c in cells[:6]] + ["a=b", "x-1"]


def test_csv_numbers_keep_their_sign() -> None:
    assert csv_line([-5, "-5", "-0.5", 3]) == "-5,-5,-0.5,3\n"
