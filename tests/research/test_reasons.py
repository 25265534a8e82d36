"""lexkb test --save-reasons: decisive reasons stored, and changed reasons reported."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conftest import Lexkb

FIX = Path(__file__).parents[1] / "fixtures" / "research"


def test_save_then_report_changed_reasons(tmp_path: Path, lexkb: Lexkb) -> None:
    rules = tmp_path / "r.rules"
    rules.write_text((FIX / "cov.rules").read_text())
    case = tmp_path / "cases" / "low.case"
    case.parent.mkdir()
    shutil.copy(FIX / "low.case", case)
    code, out, _ = lexkb("test", str(rules), str(case), "--save-reasons")
    assert code == 0 and out.strip().endswith("1 passed, 0 failed")
    saved = json.loads((case.parent / ".reasons.json").read_text())
    assert saved["cases"]["low.case"]["grant"] == {"rules": ["low_grants"], "authorities": ["Statute"]}
    code, out, _ = lexkb("test", str(rules), str(case))
    assert code == 0 and "REASONS CHANGED" not in out
    # the same outcome, now for another rule and authority
    rules.write_text((FIX / "cov.rules").read_text().replace(
        "rule low_grants: grant if level(?l) and ?l < 10 unless repeat_offender because Statute",
        "rule small_grants: grant if level(?l) and ?l < 5 because Other"))
    code, out, _ = lexkb("test", str(rules), str(case))
    assert code == 0
    assert "REASONS CHANGED low" in out
    assert "grant: now also rule small_grants" in out and "grant: no longer rule low_grants" in out
    assert out.strip().splitlines()[-1] == "1 passed, 0 failed"


def test_explicit_reasons_file(tmp_path: Path, lexkb: Lexkb) -> None:
    store = tmp_path / "reasons.json"
    code, _, _ = lexkb("test", str(FIX / "cov.rules"), str(FIX / "low.case"), "--save-reasons", str(store))
    assert code == 0 and store.exists()
    first = store.read_bytes()
    lexkb("test", str(FIX / "cov.rules"), str(FIX / "low.case"), "--save-reasons", str(store))
    assert store.read_bytes() == first  # deterministic
    code, out, _ = lexkb("test", str(FIX / "cov.rules"), str(FIX / "low.case"), "--reasons", str(store))
    assert code == 0 and "REASONS CHANGED" not in out
