"""lexkb verify: planted conflict, gap and dead rule; a consistent base; acknowledgements."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import lexkb
from lexkb.cli import cli

pytest.importorskip("z3")

FIX = Path(__file__).parents[1] / "fixtures" / "research"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_planted_conflict_and_gap_have_witnesses_the_engine_reproduces(tmp_path: Path) -> None:
    rules = str(FIX / "planted.rules")
    code, out = run("verify", rules, "--witness-dir", str(tmp_path))
    assert code == 1, out
    assert "CONFLICT 1: grant and deny both hold" in out
    assert "GAP 1: no declared outcome holds" in out
    conflict, gap = tmp_path / "conflict-1.case", tmp_path / "gap-1.case"
    assert conflict.exists() and gap.exists()
    code, out = run("run", rules, "--case", str(conflict), "--format", "json")
    assert code == 0 and json.loads(out)["outcomes"] == ["grant", "deny"]
    code, out = run("run", rules, "--case", str(gap), "--format", "json")
    assert code == 0 and json.loads(out)["outcomes"] == []
    # the witnesses are ready-made tests: their expectations pass
    code, out = run("test", rules, str(conflict), str(gap))
    assert code == 0 and out.strip().endswith("2 passed, 0 failed")
    # the rules on each side are named
    text = conflict.read_text()
    assert "low_level_grants" in text and "drug_denies" in text


def test_dead_rule_is_named_by_file_and_line() -> None:
    code, out = run("verify", str(FIX / "planted.rules"))
    assert code == 1
    assert "planted.rules:19:1: dead: rule impossible can never fire" in out
    assert "?x > 5" in out and "?x < 3" in out
    assert "repeat_denies" not in out.split("dead:")[1].split("\n")[0]


def test_consistent_rule_base_is_clean() -> None:
    code, out = run("verify", str(FIX / "consistent.rules"))
    assert code == 0, out
    assert "Result: clean" in out
    assert "Proved" in out and "at most 2 facts" in out


def test_acknowledged_findings_are_listed_but_do_not_fail() -> None:
    code, out = run("verify", str(FIX / "acknowledged.rules"), "--format", "json")
    assert code == 0, out
    data = json.loads(out)
    kinds = sorted(f["kind"] for f in data["findings"])
    assert kinds == ["conflict", "dead", "gap"]
    assert all(f["acknowledged"]["justification"] for f in data["findings"])


def test_narrowed_acknowledgement_leaves_other_gaps() -> None:
    code, out = run("verify", str(FIX / "narrowed.rules"), "--format", "json")
    assert code == 1
    gap = next(f for f in json.loads(out)["findings"] if f["kind"] == "gap")
    assert gap["acknowledged"] is None
    assert gap["facts"] == ["level(10)"]  # the unacknowledged gap: exactly the boundary


def test_bad_acknowledgement_is_a_located_error(tmp_path: Path) -> None:
    rules = tmp_path / "bad.rules"
    rules.write_text('input x\noutcomes a, b\na if x\nb if not x\n# lexkb: acknowledge conflict a c "typo"\n')
    lexkb_bin = Path(sys.executable).parent / "lexkb"
    proc = subprocess.run([str(lexkb_bin), "verify", str(rules)], capture_output=True, text=True)
    assert proc.returncode == 2, proc.stderr
    assert "bad.rules:5:" in proc.stderr and "c is not a declared outcome" in proc.stderr


def test_api_report_states_what_is_proved() -> None:
    from lexkb.research.verify import verify

    report = verify(lexkb.load(FIX / "consistent.rules"), bound=1)
    assert not report.findings
    assert any("at most 1 fact" in p for p in report.proved)
