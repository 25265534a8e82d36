"""Shared by the batch tests: a scratch copy of the fixtures as the working folder, and table helpers."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parents[1] / "fixtures" / "batch"


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the fixtures, as the working folder (locations in the output are relative to it)."""
    for entry in FIXTURES.iterdir():
        if entry.is_dir():
            shutil.copytree(entry, tmp_path / entry.name)
        else:
            shutil.copy(entry, tmp_path / entry.name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def rows(path: Path) -> list[dict]:
    """The objects of a JSONL output file."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def small_table(path: Path, count: int) -> None:
    """A table of ``count`` varied cases for the small rule base."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["case", "level", "category", "filed_on", "range", "prior", "flagged"])
        for n in range(count):
            writer.writerow([f"c{n}", n % 20, ("drug", "other")[n % 2], f"20{18 + n % 5}-03-01", f"{n % 7}|{n % 13}",
                             "abc"[n % 3] if n % 4 else "", "true" if n % 5 == 0 else "false"])
