"""`lexkb fmt` over every rules and case file lexkb has: the bundled knowledge base and the
tests' own files. Formatting keeps every comment and every conclusion, is idempotent, and
a file that cannot be read stops it before any file is written."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import ROOT, Lexkb

from lexkb.errors import LexkbError
from lexkb.language.format import strip_spans
from lexkb.language.parser import parse, parse_with_comments

KB = ROOT / "kb"
# Files written to be unreadable: fmt must refuse them (exit 2) and leave them as they are.
BROKEN_ON_PURPOSE = ("tests/golden/errors/", "tests/hostile/", "tests/fixtures/batch/cases/broken.case")
TEST_FILES = sorted(p.relative_to(ROOT).as_posix() for suffix in ("rules", "case")
                    for p in (ROOT / "tests").rglob(f"*.{suffix}"))


def comments_of(path: Path) -> list[str]:
    return [c.text for c in parse_with_comments(path.read_text(encoding="utf-8"), "f")[1]]


def meaning_of(path: Path) -> object:
    return strip_spans(parse(path.read_text(encoding="utf-8"), "f"))


def readable(path: Path) -> bool:
    try:
        parse(path.read_text(encoding="utf-8"), "f")
    except (LexkbError, UnicodeDecodeError):
        return False
    return True


def files_below(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.suffix in (".rules", ".case"))


@pytest.fixture(scope="module")
def formatted_kb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of kb/ formatted once (by the library: the tests below check the command)."""
    from lexkb.cli import main

    root = tmp_path_factory.mktemp("formatted") / "kb"
    shutil.copytree(KB, root)
    with pytest.raises(SystemExit) as done:
        main(["fmt", "--", str(root)])
    assert done.value.code == 0
    return root


def test_the_bundled_kb_is_rewritten_keeping_comments_and_meaning(formatted_kb: Path) -> None:
    originals = files_below(KB)
    assert [p.relative_to(KB) for p in originals] == [p.relative_to(formatted_kb) for p in files_below(formatted_kb)]
    assert any(p.read_bytes() != (formatted_kb / p.relative_to(KB)).read_bytes() for p in originals)
    for original in originals:
        formatted = formatted_kb / original.relative_to(KB)
        assert comments_of(formatted) == comments_of(original), original
        assert meaning_of(formatted) == meaning_of(original), original


def test_acknowledgement_directives_survive_exactly(formatted_kb: Path) -> None:
    directives = [line for p in files_below(KB) for line in p.read_text(encoding="utf-8").splitlines()
                  if line.startswith("# lexkb: acknowledge")]
    assert directives
    after = {line for p in files_below(formatted_kb) for line in p.read_text(encoding="utf-8").splitlines()}
    assert set(directives) <= after


def test_formatting_the_kb_again_changes_nothing(formatted_kb: Path, lexkb: Lexkb) -> None:
    code, out, err = lexkb("fmt", "--check", str(formatted_kb))
    assert (code, err) == (0, ""), out
    assert out == f"0 files would be reformatted, {len(files_below(KB))} already formatted\n"
    code, out, _ = lexkb("fmt", str(formatted_kb))
    assert code == 0
    assert out == f"0 files reformatted, {len(files_below(KB))} left unchanged\n"


@pytest.mark.parametrize("case", sorted(p.name for p in (KB / "cases").glob("*.case")))
def test_every_case_runs_to_the_same_result_after_formatting(case: str, formatted_kb: Path, lexkb: Lexkb) -> None:
    def run(root: Path) -> str:
        code, out, err = lexkb("run", "kb", "--case", f"kb/cases/{case}", cwd=root.parent)
        assert (code, err) == (0, "")
        return re.sub(r"(\.rules|\.case):\d+", r"\1:LINE", out)  # rules move to other lines

    assert run(formatted_kb) == run(KB)


@pytest.mark.parametrize("name", TEST_FILES)
def test_every_rules_and_case_file_of_the_tests(name: str, tmp_path: Path, lexkb: Lexkb) -> None:
    original = ROOT / name
    copy = tmp_path / original.name
    shutil.copyfile(original, copy)
    if not readable(original):
        assert name.startswith(BROKEN_ON_PURPOSE), f"{name} no longer parses"
        code, out, err = lexkb("fmt", str(copy))
        assert code == 2 and "error:" in err and out == ""
        assert copy.read_bytes() == original.read_bytes()
        return
    code, _, err = lexkb("fmt", str(copy))
    assert (code, err) == (0, "")
    assert comments_of(copy) == comments_of(original)
    assert meaning_of(copy) == meaning_of(original)
    assert lexkb("fmt", "--check", str(copy)).code == 0  # idempotent


def test_check_lists_what_would_change_and_writes_nothing(tmp_path: Path, lexkb: Lexkb) -> None:
    (tmp_path / "a.rules").write_text("deny   if  not lowers_range   # Baylor\n", encoding="utf-8")
    (tmp_path / "cases").mkdir()
    (tmp_path / "cases" / "b.case").write_text("high\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a rules file\n", encoding="utf-8")
    code, out, err = lexkb("fmt", "--check", ".", cwd=tmp_path)
    assert (code, err) == (1, "")
    assert out == "would reformat a.rules\n1 file would be reformatted, 1 already formatted\n"
    assert (tmp_path / "a.rules").read_text(encoding="utf-8") == "deny   if  not lowers_range   # Baylor\n"
    code, out, _ = lexkb("fmt", ".")
    assert (code, out) == (0, "reformatted a.rules\n1 file reformatted, 1 left unchanged\n")
    assert (tmp_path / "a.rules").read_text(encoding="utf-8") == "deny if not lowers_range  # Baylor\n"
    assert lexkb("fmt", "--check", ".").code == 0


def test_one_unreadable_file_stops_everything_before_any_write(tmp_path: Path, lexkb: Lexkb) -> None:
    good = tmp_path / "a.rules"
    good.write_text("deny   if  high\n", encoding="utf-8")
    bad = tmp_path / "z.rules"
    bad.write_text("deny if high.\n", encoding="utf-8")
    code, out, err = lexkb("fmt", ".", cwd=tmp_path)
    assert code == 2 and out == ""
    assert err.startswith("z.rules:1:13: error:")
    assert good.read_text(encoding="utf-8") == "deny   if  high\n"
    assert bad.read_text(encoding="utf-8") == "deny if high.\n"


def test_paths_that_name_nothing_to_format(tmp_path: Path, lexkb: Lexkb) -> None:
    (tmp_path / "empty").mkdir()
    code, _, err = lexkb("fmt", "empty", cwd=tmp_path)
    assert code == 2 and "no .rules or .case files in the folder empty" in err
    code, _, err = lexkb("fmt", "missing.rules")
    assert code == 2 and "no such file or folder: missing.rules" in err


def test_top_level_help_lists_fmt(lexkb: Lexkb) -> None:
    code, out, _ = lexkb("--help")
    assert code == 0
    assert re.search(r"^  fmt\s+Rewrite \.rules and \.case files", out, re.MULTILINE)


def test_the_example_in_the_docs_is_what_fmt_writes(tmp_path: Path, lexkb: Lexkb) -> None:
    docs = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    written = re.search(r"```lexkb\n# file: messy/grounds.rules\n(.*?)```", docs, re.S)
    shown = re.search(r"`messy/grounds.rules` now reads:\n\n```lexkb\n(.*?)```", docs, re.S)
    assert written and shown
    (tmp_path / "grounds.rules").write_text(written.group(1), encoding="utf-8")
    assert lexkb("fmt", "grounds.rules", cwd=tmp_path).code == 0
    assert (tmp_path / "grounds.rules").read_text(encoding="utf-8") == shown.group(1)
