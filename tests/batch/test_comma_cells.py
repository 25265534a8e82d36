"""A comma inside an unquoted CSV cell splits it: the error names the cell and says to quote it."""

from __future__ import annotations

from pathlib import Path

from lexkb import load
from lexkb.batch.executors import run
from lexkb.batch.runner import Job
from lexkb.batch.sources import items, sources


def errors_of(here: Path, table: str) -> list[tuple[str, str | None]]:
    (here / "t.csv").write_text(table, encoding="utf-8")
    kb = load(["kb"])
    found = sources(["t.csv"], kb.program)
    results = run(Job((str(here / "kb"),)), items(found), jobs=1, kb=kb)
    return [(r.error.message, r.error.hint) for r in results if r.error is not None]  # type: ignore[union-attr]


def test_an_expectation_cut_by_a_comma_is_named_with_the_quotes_it_needs(here: Path) -> None:
    [(message, hint)] = errors_of(here, "level,range,expect\n1,8|12,in_range(8, 12)\n")
    assert message == "this row has 4 cells, but the header names 3 columns"
    assert hint == 'a comma inside a cell splits it in two: put that cell in double quotes, e.g. "in_range(8, 12)"'


def test_a_row_with_an_extra_cell_and_no_parenthesis_still_says_to_quote(here: Path) -> None:
    [(_, hint)] = errors_of(here, "level,range,expect\n1,8|12,grant,deny\n")
    assert hint is not None and "double quotes" in hint


def test_a_quoted_cell_with_a_comma_is_read(here: Path) -> None:
    assert errors_of(here, 'level,range,expect\n1,8|12,"grant; not deny"\n') == []
