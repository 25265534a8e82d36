"""The summary's counts over a batch, and how the command line words them."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from lexkb.batch.runner import CaseError, Row
from lexkb.batch.summary import Summary

if TYPE_CHECKING:
    from conftest import Lexkb


def test_counts_over_rows() -> None:
    summary = Summary(("grant", "deny"))
    summary.add(Row("", ("grant",), 2, 0, None))
    summary.add(Row("", ("grant", "deny"), 1, 1, None))
    summary.add(Row("", (), 0, 2, None))
    summary.add(Row("", (), 0, 0, CaseError("bad", None, None, None)))  # an error counts nothing else
    summary.finish()
    assert (summary.cases, summary.errors, summary.none) == (4, 1, 1)
    assert summary.per_outcome == {"grant": 2, "deny": 1}
    assert (summary.met, summary.missed, summary.failed_cases) == (3, 3, 2)
    assert summary.elapsed > 0


def test_the_summary_in_words(here: Path, lexkb: Lexkb) -> None:
    done = lexkb("batch", "kb", "table.csv", "cases/wrong.case", "-o", "out.jsonl")
    lines = done.err.splitlines()
    assert lines[0].startswith("5 cases in ") and lines[0].endswith(" cases/s); 0 errors")
    assert lines[1:] == ["outcomes: grant 2, deny 2, none 1", "expectations: 5 met, 1 missed (in 1 case)"]
    assert lexkb("batch", "kb", "table.csv", "-o", "out.jsonl", "-q").err == ""
