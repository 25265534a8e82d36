"""A folder of cases means the same to every command: every ``.case`` file below it, sub-folders
included (``lexkb test`` once looked only at the top level, exiting 2 where ``lexkb batch`` ran them)."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import Lexkb

RULES = "input high\noutcomes grant, deny\ndeny if high\ngrant if not high\n"


def make(root: Path) -> None:
    (root / "r.rules").write_text(RULES, encoding="utf-8")
    nested = root / "cases" / "2013" / "june"
    nested.mkdir(parents=True)
    (nested / "a.case").write_text("case a\nhigh\nexpect deny\n", encoding="utf-8")
    (root / "cases" / "2013" / "b.case").write_text("case b\nexpect grant\n", encoding="utf-8")


def test_test_runs_the_cases_in_sub_folders(tmp_path: Path, lexkb: Lexkb) -> None:
    make(tmp_path)
    code, out, err = lexkb("test", "r.rules", "cases", cwd=tmp_path)
    assert (code, err) == (0, "")
    assert out.splitlines() == ["PASS b (1 expectation)", "PASS a (1 expectation)", "2 passed, 0 failed"]


def test_test_and_batch_see_the_same_cases(tmp_path: Path, lexkb: Lexkb) -> None:
    make(tmp_path)
    _, tested, _ = lexkb("test", "r.rules", "cases", "--format", "json", cwd=tmp_path)
    code, batched, err = lexkb("batch", "r.rules", "cases", "--jobs", "1", "--quiet", cwd=tmp_path)
    assert code == 0, err
    assert [c["path"] for c in json.loads(tested)["cases"]] == [json.loads(line)["where"]
                                                                for line in batched.splitlines()]
