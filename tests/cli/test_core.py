"""The commands `run`, `check` and `test`, run through the real entry point (the `lexkb` fixture)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click
import pytest

from lexkb.cli import cli

if TYPE_CHECKING:
    from conftest import Lexkb

RULES = """
authority Baylor "United States v. Baylor, 556 F.3d 672, 673 (8th Cir. 2009)"
    says "A district court does not have the authority to grant a reduction if the amendment does not lower the range."
input lowers_range
input sentenced_on(date)
input offense_category(symbol)
input mandatory_minimum_months(int)
outcomes eligible, deny

deny if not lowers_range because Baylor
eligible if lowers_range
serious if mandatory_minimum_months(?m) and ?m >= 120
sentenced(?d) if sentenced_on(?d)
category(?c) if offense_category(?c)
"""

ORDER = """On October 24, 2012, he was sentenced to a 120-month term of imprisonment.
Alcaraz pleaded guilty to a drug offense, not an illegal-reentry offense.
"""

CASE = """case alcaraz "United States v. Alcaraz (D. Minn. 2013)"
source "order.txt"
offense_category(drug) from "Alcaraz pleaded guilty to a drug offense, not an illegal-reentry offense."
sentenced_on(2012-10-24) from "On October 24, 2012, he was sentenced to a 120-month term of imprisonment."
mandatory_minimum_months(120)
expect deny
expect not eligible
"""


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "kb").mkdir()
    (tmp_path / "kb" / "reduction.rules").write_text(RULES, encoding="utf-8")
    (tmp_path / "order.txt").write_text(ORDER, encoding="utf-8")
    (tmp_path / "alcaraz.case").write_text(CASE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_deny_if_not_lowers_range_runs_as_written(folder: Path, lexkb: Lexkb) -> None:
    result = lexkb("run", "kb", "--case", "alcaraz.case")
    assert result.code == 0, result
    lines = result.out.splitlines()
    assert lines[0] == "Case alcaraz: United States v. Alcaraz (D. Minn. 2013)"
    assert lines[1] == "Outcome: deny"
    assert "holds" in lines[3] and lines[3].endswith("deny")
    assert "not" in lines[2] and lines[2].endswith("eligible")
    assert "  serious" in lines


def test_run_json_shape(folder: Path, lexkb: Lexkb) -> None:
    result = lexkb("run", "kb", "--case", "alcaraz.case", "--format", "json")
    assert result.code == 0
    data = json.loads(result.out)
    assert set(data) == {"facts", "outcomes", "grounds"}
    assert data["outcomes"] == ["deny"]
    assert data["grounds"] == {"deny": [{"rule": "reduction.rules:10", "location": "kb/reduction.rules:10",
                                         "authorities": ["Baylor"], "rules": ["reduction.rules:10"]}]}
    facts = data["facts"]
    assert facts["deny"] == [[]]  # a fact with no arguments
    assert facts["sentenced_on"] == [["2012-10-24"]] and facts["sentenced"] == [["2012-10-24"]]
    assert facts["mandatory_minimum_months"] == [[120]]
    assert facts["category"] == [["drug"]]
    assert "eligible" not in facts or facts["eligible"] == []
    assert list(facts) == sorted(facts)
    assert not any(name.startswith("_") for name in facts)


def test_run_without_a_case(folder: Path, lexkb: Lexkb) -> None:
    result = lexkb("run", "kb/reduction.rules", "--format", "json")
    assert result.code == 0
    assert json.loads(result.out)["outcomes"] == ["deny"]


def test_json_lists_are_sorted_and_stable(folder: Path, write: Callable[[str, str], Path], lexkb: Lexkb) -> None:
    write("many.rules", "p(3, b)\np(1, z)\np(1, a)\np(2012-01-01, a)\np(\"s\", a)\np(-5, a)\n")
    first = lexkb("run", str(folder / "many.rules"), "--format", "json").out
    assert json.loads(first)["facts"]["p"] == [[-5, "a"], [1, "a"], [1, "z"], [3, "b"], ["2012-01-01", "a"],
                                               ["s", "a"]]
    assert lexkb("run", str(folder / "many.rules"), "--format", "json").out == first


def test_check_passes_and_counts(folder: Path, lexkb: Lexkb) -> None:
    result = lexkb("check", "kb", "--case", "alcaraz.case")
    assert result.code == 0, result
    assert "no problems found" in result.out
    assert "2 quote" in result.out


def test_check_finding_exits_1(folder: Path, lexkb: Lexkb) -> None:
    (folder / "typo.case").write_text("case typo\noffense_categry(drug)\n", encoding="utf-8")
    result = lexkb("check", "kb", "--case", "typo.case")
    assert result.code == 1
    assert "typo.case:2:1: error: the case states offense_categry" in result.err
    assert "did you mean 'offense_category'?" in result.err
    assert result.out == ""


def test_test_command_passes_and_fails(folder: Path, lexkb: Lexkb) -> None:
    result = lexkb("test", "kb", "alcaraz.case")
    assert result.code == 0, result
    assert result.out.splitlines() == ["PASS alcaraz (2 expectations)", "1 passed, 0 failed"]
    (folder / "wrong.case").write_text("case wrong\nlowers_range\nexpect deny\nexpect not eligible\n",
                                       encoding="utf-8")
    result = lexkb("test", "kb", "alcaraz.case", "wrong.case")
    assert result.code == 1
    out = result.out
    assert "PASS alcaraz" in out and "FAIL wrong" in out and "1 passed, 1 failed" in out
    assert "wrong.case:3:1: miss: expected deny, but it does not hold" in out
    assert "wrong.case:4:1: miss: expected not eligible, but it holds" in out


@pytest.mark.parametrize("args", [
    ("run",), ("test", "kb"), ("test", "alcaraz.case"), ("run", "kb", "--format", "yaml"), ("frobnicate",),
    ("run", "missing_folder"), ("run", "kb", "--case", "missing.case"), ("check", "kb", "--case", "nope.case"),
])
def test_usage_errors_exit_2_without_traceback(folder: Path, lexkb: Lexkb, args: tuple[str, ...]) -> None:
    outcome = lexkb(*args)
    assert outcome.code == 2, outcome
    assert "Traceback" not in outcome.err and outcome.err.strip()
    assert outcome.out == ""


def test_an_invalid_program_exits_2_with_location(folder: Path, lexkb: Lexkb) -> None:
    (folder / "kb" / "broken.rules").write_text("grant if eligible and\n", encoding="utf-8")
    outcome = lexkb("run", "kb", "--case", "alcaraz.case")
    assert outcome.code == 2
    assert outcome.err.startswith("kb/broken.rules:1:22: error: expected a condition after 'and'")
    assert outcome.out == ""


@pytest.mark.parametrize("command", ["run", "check", "test"])
def test_help_teaches(command: str, lexkb: Lexkb) -> None:
    result = lexkb(command, "--help")
    assert result.code == 0
    assert "Example:" in result.out and "lexkb " + command in result.out
    assert "KB_PATHS" in result.out


def test_top_level_help_and_version(lexkb: Lexkb) -> None:
    result = lexkb("--help")
    assert result.code == 0
    for word in ("run", "check", "test", "Exit codes"):
        assert word in result.out
    version = lexkb("--version")
    assert version.code == 0 and "0." in version.out


def test_the_command_list_matches_each_commands_own_help() -> None:
    """`lexkb --help` lists commands without importing them; the lines must not drift."""
    from lexkb.cli import COMMANDS

    context = click.Context(cli)
    for name, (_, _, short) in COMMANDS.items():
        command = cli.get_command(context, name)
        assert command is not None and command.name == name
        assert command.get_short_help_str(limit=200) == short


def test_start_up_imports_no_command_module() -> None:
    """A plain `lexkb --help` loads neither z3 nor Graphviz (start-up stays small)."""
    import subprocess
    import sys

    code = ("import sys; from lexkb.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('z3', 'graphviz', 'lexkb.research.verify', 'lexkb.batch.runner') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"


DEEPER = """
authority Terry "Terry v. Ohio, 392 U.S. 1 (1968)" says "reasonable suspicion"
authority Statute "18 U.S.C. § 1"
input stopped
outcomes admit
rule suspicion: suspicious if stopped because Terry
rule admit_it: admit if suspicious because Statute
"""


def test_each_ground_lists_the_authorities_of_its_whole_derivation(tmp_path: Path, lexkb: Lexkb) -> None:
    (tmp_path / "deeper.rules").write_text(DEEPER, encoding="utf-8")
    (tmp_path / "c.case").write_text("stopped\n", encoding="utf-8")
    args = [str(tmp_path / "deeper.rules"), "--case", str(tmp_path / "c.case")]
    text = lexkb("run", *args).out
    assert "  admit_it because Statute, Terry (" in text  # Terry is cited one rule deeper
    ground = json.loads(lexkb("run", *args, "--format", "json").out)["grounds"]["admit"]
    assert [(g["rule"], g["authorities"], g["rules"]) for g in ground] == [
        ("admit_it", ["Statute", "Terry"], ["admit_it", "suspicion"])]
