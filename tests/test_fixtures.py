"""The shared fixtures of tests/conftest.py: a fixture that cannot fail would let every test using it pass."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from conftest import golden_files

if TYPE_CHECKING:
    from conftest import Lexkb


def test_lexkb_returns_the_exit_code_and_both_streams(tmp_path: Path, lexkb: Lexkb) -> None:
    (tmp_path / "a.rules").write_text("input lowers_range\ndeny if not lowers_range\n", encoding="utf-8")
    code, out, err = lexkb("run", "a.rules", "--format", "json", cwd=tmp_path)
    assert (code, err) == (0, "") and json.loads(out)["facts"]["deny"] == [[]]
    code, out, err = lexkb("run", "missing.rules", cwd=tmp_path)
    assert code == 2 and out == ""
    assert err.startswith("error: ") and "missing.rules" in err


def test_lexkb_terminal_shows_standard_error_in_out(tmp_path: Path, lexkb: Lexkb) -> None:
    code, out, err = lexkb("run", "missing.rules", cwd=tmp_path, terminal=True)
    assert code == 2 and err == ""
    assert out.startswith("error: ") and "missing.rules" in out


def test_lexkb_env_is_seen_by_the_command(tmp_path: Path, lexkb: Lexkb) -> None:
    """Without Graphviz on PATH an image cannot be drawn (how the explain tests use ``env``)."""
    rules = tmp_path / "a.rules"
    rules.write_text("deny\n", encoding="utf-8")
    code, _, err = lexkb("explain", str(rules), "deny", "--format", "svg", "-o", str(tmp_path / "x.svg"),
                         env={"PATH": str(tmp_path)})
    assert code == 2 and "graphviz" in err.lower()


def test_golden_passes_only_on_equal_text(tmp_path: Path) -> None:
    (tmp_path / "explain").mkdir()
    (tmp_path / "explain" / "a.txt").write_text("one\n", encoding="utf-8")
    check = golden_files(tmp_path, update=False)
    check("explain/a.txt", "one\n")
    with pytest.raises(AssertionError, match="differs from its golden file"):
        check("explain/a.txt", "one\ntwo\n")
    with pytest.raises(AssertionError, match="--update-golden"):
        check("explain/new.txt", "text")


def test_update_golden_writes_the_file(tmp_path: Path) -> None:
    golden_files(tmp_path, update=True)("errors/new.expected", "what it prints now\n")
    assert (tmp_path / "errors" / "new.expected").read_text(encoding="utf-8") == "what it prints now\n"
    golden_files(tmp_path, update=False)("errors/new.expected", "what it prints now\n")
