"""lexkb test --coverage: rules fired, exceptions exercised, decisive authorities."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conftest import Lexkb

FIX = Path(__file__).parents[1] / "fixtures" / "research"


def test_text_coverage_and_closing_line(lexkb: Lexkb) -> None:
    code, out, _ = lexkb("test", str(FIX / "cov.rules"), str(FIX / "low.case"), str(FIX / "repeat.case"), "--coverage")
    assert code == 0, out
    assert out.strip().splitlines()[-1] == "2 passed, 0 failed"
    assert "1/3 rules fired, 1/1 exceptions exercised, 1/2 authorities decisive" in out
    unfired = out.split("Rules no case fired:")[1].split("\n")
    assert any("high_denies" in line for line in unfired) and any("never_used" in line for line in unfired)


def test_exception_not_exercised_without_the_blocking_case(lexkb: Lexkb) -> None:
    code, out, _ = lexkb("test", str(FIX / "cov.rules"), str(FIX / "low.case"), "--coverage", "--format", "json")
    assert code == 0
    data = json.loads(out)["coverage"]
    assert data["exceptions"][0]["exercised_in"] == []
    assert data["total"]["rules"] == {"total": 3, "fired": 1}
    statute = next(a for a in data["authorities"] if a["authority"] == "Statute")
    assert statute["decisive_in"] == ["low"]


def test_exceptions_are_written_with_only_the_parentheses_they_need(tmp_path: Path, lexkb: Lexkb) -> None:
    rules = tmp_path / "r.rules"
    rules.write_text("input level(int)\ninput a\ninput b\noutcomes grant\n"
                     "grant if level(?l) unless (a and b) unless ?l > 3 unless (a or b and ?l < 2)\n")
    case = tmp_path / "c.case"
    case.write_text("level(1)\n")
    code, out, _ = lexkb("test", str(rules), str(case), "--coverage", "--format", "json")
    assert code == 0, out
    written = [e["unless"] for e in json.loads(out)["coverage"]["exceptions"]]
    assert written == ["(a and b)", "?l > 3", "(a or b and ?l < 2)"]
