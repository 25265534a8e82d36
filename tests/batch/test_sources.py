"""Case sources: files, folders and tables expanded, headers checked before anything runs, rows read lazily."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from lexkb import load
from lexkb.batch.sources import Item, count_cases, field_columns, is_case_path, items, sources
from lexkb.errors import SourceError

from .conftest import FIXTURES, rows

if TYPE_CHECKING:
    from conftest import Lexkb


def test_arguments_are_cases_or_rules(here: Path) -> None:
    assert [is_case_path(p) for p in ("a.case", "t.csv", "t.jsonl", "x.rules", "good", "kb")] == [
        True, True, True, False, True, False]


def test_tables_are_read_row_by_row_with_their_line_numbers(here: Path) -> None:
    (here / "t.csv").write_bytes(b'\xef\xbb\xbflevel,note\n1,"two\nlines"\n\n2,plain\n')
    (here / "t.jsonl").write_text('{"level": 1}\n\n{"level": 2}\n', encoding="utf-8")
    found = sources(["t.csv", "t.jsonl", "good"], load(["kb"]).program)
    assert found[0].header == ("level", "note")  # the byte-order mark is not part of the first column
    got = list(items(found))
    assert got[:4] == [
        Item("csv", "t.csv", 2, '1,"two\nlines"', ("level", "note")),  # a quoted line break stays in its record
        Item("csv", "t.csv", 5, "2,plain", ("level", "note")),
        Item("jsonl", "t.jsonl", 1, '{"level": 1}'),
        Item("jsonl", "t.jsonl", 3, '{"level": 2}'),  # blank lines are skipped but keep their numbers
    ]
    assert [(i.kind, i.file) for i in got[4:]] == [("case", "good/denied.case"), ("case", "good/granted.case")]
    assert Path(got[4].text).is_absolute()  # a worker elsewhere finds the file
    # a progress bar's total counts non-blank lines: cheap, and a record with a line break counts twice
    assert count_cases(found) == 3 + 2 + 2


def test_field_columns_honour_quotes() -> None:
    assert field_columns('a,"b,c",d') == [1, 3, 9]


def test_case_files_and_folders(here: Path, lexkb: Lexkb) -> None:
    done = lexkb("batch", "kb", "good", "cases/granted.case", "-o", "out.csv")
    assert done.code == 0, done.err
    lines = (here / "out.csv").read_text(encoding="utf-8").splitlines()
    assert lines[1:] == [
        "denied,good/denied.case,deny,2,,,deny_late too_late,,Statute,",
        "granted,good/granted.case,grant,2,,grant_rule in_range lowered,,Statute,,",
        "granted,cases/granted.case,grant,2,,grant_rule in_range lowered,,Statute,,",
    ]


def test_jsonl_table_gives_the_same_results_as_csv(here: Path, lexkb: Lexkb) -> None:
    assert lexkb("batch", "kb", "table.csv", "-o", "a.jsonl", "-j", "1").code == 0
    assert lexkb("batch", "kb", "table.jsonl", "-o", "b.jsonl", "-j", "1").code == 0
    a, b = rows(here / "a.jsonl"), rows(here / "b.jsonl")
    for row in a + b:
        del row["where"]
    assert a == b
    assert [r["where"] for r in rows(here / "b.jsonl")][2] == "table.jsonl:4"  # blank lines keep their numbers


@pytest.mark.parametrize(("header", "words"), [
    ("case,level,level", "the column 'level' appears twice"),
    ("level,,category", "a column has no name"),
    ("", "t.csv is empty"),
])
def test_bad_headers_are_source_errors(here: Path, header: str, words: str) -> None:
    (here / "t.csv").write_text(header + "\n" if header else "", encoding="utf-8")
    with pytest.raises(SourceError, match=words):
        sources(["t.csv"], load(["kb"]).program)


def test_a_bad_header_stops_before_any_output(here: Path, lexkb: Lexkb) -> None:
    (here / "t.csv").write_text("case,levle\nx,1\n", encoding="utf-8")
    done = lexkb("batch", "kb", "t.csv", "-o", "out.jsonl")
    assert done.code == 2
    assert done.err.startswith("t.csv:1:6: error: the column 'levle' is not a declared input\n"
                               "   1 | case,levle\n"
                               "     |      ^^^^^\n"
                               "  hint: did you mean 'level'?")
    assert "Traceback" not in done.err
    assert sorted(os.listdir(here)) == sorted([e.name for e in FIXTURES.iterdir()] + ["t.csv"])  # no output


def test_a_table_that_is_not_utf8_leaves_no_output(here: Path, lexkb: Lexkb) -> None:
    (here / "t.csv").write_bytes(b"level,category\n1,drug\n2,dr\xffug\n")
    done = lexkb("batch", "kb", "t.csv", "-o", "out.jsonl", "--jobs", "2")
    assert done.code == 2
    assert done.err.startswith("t.csv:3:5: error: this line is not UTF-8 text (byte 0xff cannot be read)")
    assert not [name for name in os.listdir(here) if "out.jsonl" in name]  # nor its temporary file


@pytest.mark.parametrize(("args", "words"), [
    (["kb"], "name the cases"),
    (["table.csv"], "name the knowledge base"),
    (["kb", "nowhere.csv"], "no such file or folder: nowhere.csv"),
    (["kb", "table.csv", "-o", "missing/out.jsonl"], "the folder missing does not exist"),
])
def test_usage_errors_exit_2(here: Path, lexkb: Lexkb, args: list[str], words: str) -> None:
    done = lexkb("batch", *args)
    assert done.code == 2
    assert words in done.err and "Traceback" not in done.err


def test_a_stray_quote_costs_its_own_row_only(here: Path) -> None:
    """The csv module cuts the records: an unclosed quote is one located bad record; reading resumes after it."""
    lines = ["level,note"] + [f"{i},plain" for i in range(1, 20_001)]
    lines[3] = '3,"stray'  # a quote opened and never closed
    lines[10] = '10,"a"b'  # text after a closing quote
    lines[20:22] = ['20,"two', 'lines"']  # a quoted line break is still one record
    (here / "t.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    started = time.monotonic()
    got = list(items(sources(["t.csv"], load(["kb"]).program)))
    assert time.monotonic() - started < 3  # linear: a stray quote does not make the reader rescan the table
    bad = [(i.line, i.problem) for i in got if i.problem]
    assert [line for line, _ in bad] == [4, 11]
    assert all(p and p.startswith("this CSV record cannot be read") for _, p in bad)
    assert len(got) == 20_000 - 1  # every row but the two-line record's second line
    assert Item("csv", "t.csv", 21, '20,"two\nlines"', ("level", "note")) in got


def test_a_quote_never_closed_at_the_end_is_said_in_words(here: Path, lexkb: Lexkb) -> None:
    (here / "t.csv").write_text('level,note\n1,ok\n2,"open\n', encoding="utf-8")
    done = lexkb("batch", "kb", "t.csv", "-o", "out.jsonl", "-j", "1")
    assert done.code == 2
    assert done.err.startswith("t.csv:3:1: error: this CSV record cannot be read: a quote opens a cell and is "
                               "never closed")
    assert [r["error"] is None for r in rows(here / "out.jsonl")] == [True, False]


def test_lone_cr_line_endings_are_line_endings(here: Path, lexkb: Lexkb) -> None:
    (here / "t.csv").write_bytes(b"case,level\ra,1\rb,20\r")
    assert count_cases(sources(["t.csv"], load(["kb"]).program)) == 2
    done = lexkb("batch", "kb", "t.csv", "-o", "out.jsonl", "-j", "1")
    assert done.code == 0, done.err
    assert [(r["case"], r["where"]) for r in rows(here / "out.jsonl")] == [("a", "t.csv:2"), ("b", "t.csv:3")]
