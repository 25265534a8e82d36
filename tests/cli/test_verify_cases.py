"""`lexkb verify --cases`: decided cases show rules live, so z3 is not asked (nor can give up) about them."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import Lexkb

pytest.importorskip("z3")

RULES = """\
input a(int)
input b(int)
outcomes grant, deny
rule factored: grant if a(?x) and b(?y) and ?x > 1 and ?y > 1 and ?x * ?y = 100160063
deny if b(?y) unless grant
"""
# z3 cannot decide in time whether `factored` can fire (factoring, nonlinear): the engine can, on this case.
DECIDED = """\
case decided "the product factored"
a(10007)
b(10009)
expect grant
"""
QUESTION = "whether rule factored (kb/rules.rules:4) can fire: z3 gave up"


@pytest.fixture
def kb_folder(tmp_path: Path) -> Path:
    (tmp_path / "kb" / "cases").mkdir(parents=True)
    (tmp_path / "kb" / "rules.rules").write_text(RULES)
    (tmp_path / "kb" / "cases" / "decided.case").write_text(DECIDED)
    return tmp_path


def test_the_cases_kept_with_the_rules_show_a_rule_live(kb_folder: Path, lexkb: Lexkb) -> None:
    code, out, _ = lexkb("verify", "kb", "--timeout", "0.5", cwd=kb_folder)
    assert QUESTION not in out, out


def test_without_cases_z3_alone_decides_and_says_when_it_gives_up(kb_folder: Path, lexkb: Lexkb) -> None:
    code, out, _ = lexkb("verify", "kb", "--timeout", "0.5", "--no-cases", cwd=kb_folder)
    assert code == 1 and QUESTION in out, out


def test_cases_can_be_named(kb_folder: Path, lexkb: Lexkb) -> None:
    (kb_folder / "elsewhere").mkdir()
    (kb_folder / "kb" / "cases" / "decided.case").rename(kb_folder / "elsewhere" / "decided.case")
    _, out, _ = lexkb("verify", "kb", "--timeout", "0.5", cwd=kb_folder)
    assert QUESTION in out, out  # no case kept with the rules any more
    _, out, _ = lexkb("verify", "kb", "--timeout", "0.5", "--cases", "elsewhere", cwd=kb_folder)
    assert QUESTION not in out, out


def test_a_bad_case_file_is_a_located_error(kb_folder: Path, lexkb: Lexkb) -> None:
    (kb_folder / "kb" / "cases" / "bad.case").write_text("case bad\na(\n")
    code, _, err = lexkb("verify", "kb", cwd=kb_folder)
    assert code == 2 and "bad.case:2:" in err and "Traceback" not in err, err


def test_a_rules_folder_without_cases_is_not_searched_for_them(kb_folder: Path, lexkb: Lexkb) -> None:
    (kb_folder / "more").mkdir()
    (kb_folder / "more" / "extra.rules").write_text("rule spare: deny if a(?x) and ?x < 0\n")
    _, out, err = lexkb("verify", "kb", "more", "--timeout", "0.5", cwd=kb_folder)
    assert "no .case files" not in err and QUESTION not in out, (out, err)
