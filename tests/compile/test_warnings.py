"""Warnings are not errors: a condition on something nothing establishes is named, and the run goes on."""

from __future__ import annotations

from pathlib import Path

import lexkb
from lexkb.compile.case_checks import validate_case
from lexkb.language.cases import load_case

README_FIRST = 'authority Baylor "United States v. Baylor, 556 F.3d 672 (8th Cir. 2009)"\n' \
               "deny if not lowers_range because Baylor\n"


def test_the_readmes_first_example_runs_as_written() -> None:
    kb = lexkb.loads(README_FIRST, "first.rules")
    assert kb.run().holds("deny")
    [warning] = kb.program.warnings
    assert warning.message.startswith("nothing establishes lowers_range")
    assert warning.span is not None and (warning.span.line, warning.span.column) == (2, 13)
    assert warning.hint == "declare it as a case input: input lowers_range"


def test_one_warning_per_predicate_with_a_suggestion() -> None:
    kb = lexkb.loads("input lowers_range\ndeny if not lowers_rnge\nallow if lowers_rnge\n", "t.rules")
    assert [(w.message.split(":")[0], w.hint) for w in kb.program.warnings] == [
        ("nothing establishes lowers_rnge", "did you mean 'lowers_range'?")]
    assert kb.run().holds("deny") and not kb.run().holds("allow")


def test_no_warnings_when_everything_is_established() -> None:
    assert lexkb.loads("input a\nb if a\nc if not b\n", "t.rules").program.warnings == ()


def test_expect_not_is_accepted_whatever_concludes_it(tmp_path: Path) -> None:
    kb = lexkb.loads(README_FIRST, "first.rules")
    (tmp_path / "t.case").write_text("case t\nexpect not reduction_required\nexpect deny\n", encoding="utf-8")
    case = load_case(tmp_path / "t.case")
    assert validate_case(case, kb.program) == []
    assert all(met for _, met in kb.run(case).expectations())
