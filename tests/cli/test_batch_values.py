"""`lexkb batch` rows carry each outcome's grounds with all their authorities, and, with --atoms, the
facts of the predicates named (issue 12 items 5 and 6)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from conftest import Lexkb

RULES = """
authority Terry "Terry v. Ohio, 392 U.S. 1 (1968)"
authority Statute "18 U.S.C. § 1"
input stopped
input months(int)
outcomes admit
rule suspicion: suspicious if stopped because Terry
rule admit_it: admit if suspicious because Statute
floor(?m) if months(?m)
range(?m, ?n) if months(?m) and ?n = ?m + 10
"""


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "k.rules").write_text(RULES, encoding="utf-8")
    (tmp_path / "a.case").write_text("case a\nstopped\nmonths(120)\nmonths(70)\n", encoding="utf-8")
    (tmp_path / "b.case").write_text("case b\nmonths(5)\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_jsonl_rows_have_grounds_with_deeper_authorities_and_the_facts_asked_for(folder: Path,
                                                                                lexkb: Lexkb) -> None:
    code, out, _ = lexkb("batch", "k.rules", "a.case", "b.case", "--atoms", "range,floor", "-q", "-j", "1")
    assert code == 0
    rows = {row["case"]: row for row in map(json.loads, out.splitlines())}
    assert rows["a"]["grounds"] == {"admit": [{"rule": "admit_it", "location": "k.rules:8",
                                               "authorities": ["Statute", "Terry"],
                                               "rules": ["admit_it", "suspicion"]}]}
    assert rows["a"]["facts"] == {"range": [[70, 80], [120, 130]], "floor": [[70], [120]]}
    assert rows["b"]["grounds"] == {} and rows["b"]["facts"] == {"range": [[5, 15]], "floor": [[5]]}
    assert list(rows["a"])[-1] == "error"


def test_csv_rows_have_a_column_per_predicate_and_the_authorities(folder: Path, lexkb: Lexkb) -> None:
    code, out, _ = lexkb("batch", "k.rules", "a.case", "--atoms", "range", "--format", "csv", "-q", "-j", "1")
    assert code == 0
    (row,) = csv.DictReader(io.StringIO(out))
    assert row["range"] == "70|80;120|130"
    assert row["authorities_admit"] == "Statute Terry"


def test_without_atoms_the_rows_have_no_facts(folder: Path, lexkb: Lexkb) -> None:
    code, out, _ = lexkb("batch", "k.rules", "a.case", "-q", "-j", "1")
    assert code == 0 and "facts" not in json.loads(out)


@pytest.mark.parametrize(("atoms", "message"), [
    ("rnge", "--atoms: nothing in the rules concludes or states rnge"),
    (",", "--atoms names no predicate"),
])
def test_an_unknown_predicate_is_a_usage_error(folder: Path, lexkb: Lexkb, atoms: str, message: str) -> None:
    code, out, err = lexkb("batch", "k.rules", "a.case", "--atoms", atoms, "-q")
    assert code == 2 and out == ""
    assert message in err
    if atoms == "rnge":
        assert "did you mean 'range'?" in err
