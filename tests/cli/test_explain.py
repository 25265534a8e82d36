"""`lexkb explain` on the command line: formats, exit codes, atomic -o, Graphviz missing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from conftest import Lexkb

ROOT = Path(__file__).resolve().parents[2]
KB = ["tests/fixtures/explain/reduction.rules", "--case", "tests/fixtures/explain/cases/toy.case"]
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")


@pytest.fixture(autouse=True)
def at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def test_text_is_the_default_and_shows_every_ground(lexkb: Lexkb) -> None:
    code, out, _ = lexkb("explain", *KB, "deny")
    assert code == 0
    assert out.startswith("deny holds, on 3 independent grounds.")
    assert "Ground 3: rule same_range" in out


def test_an_atom_that_does_not_hold_exits_1_and_suggests_why_not(lexkb: Lexkb) -> None:
    code, out, err = lexkb("explain", *KB, "grant")
    assert code == 1 and out == ""
    assert "--why-not" in err


def test_why_not_exits_0_with_the_failed_conditions(lexkb: Lexkb) -> None:
    code, out, _ = lexkb("explain", *KB, "eligible", "--why-not")
    assert code == 0
    assert "the case does not state sentenced_on" in out


def test_atoms_with_values(lexkb: Lexkb) -> None:
    code, out, _ = lexkb("explain", *KB, "reduction_floor_months(120)", "--format", "json")
    assert code == 0
    assert json.loads(out)["args"] == [120]


@pytest.mark.parametrize("args, message", [
    (["denny"], "did you mean 'deny'?"),
    (["deny(1"], "<atom>:1:7"),
    (["deny(?x)"], "deny takes 0 values, not 1"),
    (["deny", "--format", "png"], "-o OUT"),
    (["deny", "--depth", "0"], "--depth"),
])
def test_usage_errors_exit_2(args: list[str], message: str, lexkb: Lexkb) -> None:
    code, out, err = lexkb("explain", *KB, *args)
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def test_needs_a_knowledge_base_and_an_atom(lexkb: Lexkb) -> None:
    code, _, err = lexkb("explain", "deny")
    assert code == 2 and "name the knowledge base" in err


@needs_dot
@pytest.mark.parametrize("fmt, magic", [("svg", b"<?xml"), ("png", b"\x89PNG"), ("pdf", b"%PDF"),
                                        ("html", b"<!DOCTYPE html>"), ("dot", b"digraph"), ("json", b"{")])
def test_o_writes_each_format(tmp_path: Path, fmt: str, magic: bytes, lexkb: Lexkb) -> None:
    out = tmp_path / f"deny.{fmt}"
    code, stdout, _ = lexkb("explain", *KB, "deny", "--format", fmt, "-o", str(out))
    assert code == 0 and stdout == ""
    data = out.read_bytes()
    assert data.startswith(magic)
    again = tmp_path / f"again.{fmt}"
    lexkb("explain", *KB, "deny", "--format", fmt, "-o", str(again))
    assert again.read_bytes() == data  # byte-identical run to run


def test_o_leaves_no_partial_file_on_error(tmp_path: Path, lexkb: Lexkb) -> None:
    out = tmp_path / "deny.svg"
    out.write_text("the old file")
    no_graphviz = {"PATH": str(tmp_path / "nowhere")}
    code, _, err = lexkb("explain", *KB, "deny", "--format", "svg", "-o", str(out), env=no_graphviz)
    assert code == 2
    assert out.read_text() == "the old file"
    assert [p.name for p in tmp_path.iterdir()] == ["deny.svg"]  # no temporary file left behind


@pytest.mark.parametrize("fmt", ["svg", "png", "pdf", "html"])
def test_without_graphviz_images_fail_with_how_to_install(tmp_path: Path, fmt: str, lexkb: Lexkb) -> None:
    code, _, err = lexkb("explain", *KB, "deny", "--format", fmt, "-o", str(tmp_path / "x"),
                         env={"PATH": str(tmp_path)})
    assert code == 2
    assert "apt-get install graphviz" in err and "Traceback" not in err
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("fmt", ["text", "dot", "json"])
def test_without_graphviz_text_dot_and_json_still_work(tmp_path: Path, fmt: str, lexkb: Lexkb) -> None:
    code, out, _ = lexkb("explain", *KB, "deny", "--format", fmt, env={"PATH": str(tmp_path)})
    assert code == 0 and out


def test_help_has_examples(lexkb: Lexkb) -> None:
    code, out, _ = lexkb("explain", "--help")
    assert code == 0
    assert "lexkb explain kb --case kb/cases/alcaraz.case deny --format svg -o deny.svg" in out
    assert "--why-not" in out


def test_ground_draws_one_ground_and_an_out_of_range_one_is_a_usage_error(lexkb: Lexkb) -> None:
    code, out, _ = lexkb("explain", *KB, "deny", "--ground", "3")
    assert code == 0
    assert out.startswith("deny holds, on 3 independent grounds; this is ground 3.")
    assert "Ground 3: rule same_range" in out and "Ground 1" not in out
    for wrong in ("0", "4"):
        code, out, err = lexkb("explain", *KB, "deny", "--ground", wrong)
        assert code == 2 and out == ""
        assert "deny has 3 grounds: choose a ground from 1 to 3" in err


def test_an_atom_with_variables_explains_each_match(lexkb: Lexkb) -> None:
    code, out, _ = lexkb("explain", *KB, "table_range(?l, ?c, ?lo, _)")
    assert code == 0
    assert out.count(" holds: it is stated, not concluded.") == 3  # the three rows of the fixture's table
    code, out, _ = lexkb("explain", *KB, "amended_range(?lo, ?hi)")
    assert code == 0 and out.startswith("amended_range(70, 87) holds, on one ground.")
    code, out, _ = lexkb("explain", *KB, "table_range(?l, ?c, ?lo, _)", "--format", "json")
    assert [d["atom"] for d in json.loads(out)] == ["table_range(27, I, 70, 87)", "table_range(29, I, 87, 108)",
                                                    "table_range(31, I, 108, 135)"]


def test_an_atom_with_variables_that_matches_nothing_exits_1(lexkb: Lexkb) -> None:
    code, out, err = lexkb("explain", *KB, "table_range(?l, II, ?lo, ?hi)")
    assert code == 1 and out == ""
    assert err == "No fact matches table_range(?l, II, ?lo, ?hi) for this case.\n"


def test_a_repeated_variable_stands_for_one_value(lexkb: Lexkb) -> None:
    code, out, _ = lexkb("explain", *KB, "amended_applicable_range(?x, ?x)", "--format", "json")
    assert code == 0 and [d["atom"] for d in json.loads(out)] == ["amended_applicable_range(120, 120)"]
    code, _, _ = lexkb("explain", *KB, "amended_range(?x, ?x)")
    assert code == 1


def test_an_atom_with_variables_is_checked_like_any_atom(lexkb: Lexkb) -> None:
    code, _, err = lexkb("explain", *KB, "amended_rang(?lo, ?hi)")
    assert code == 2 and "did you mean 'amended_range'" in err
    code, _, err = lexkb("explain", *KB, "amended_range(?lo + 1, ?hi)")
    assert code == 2 and "plain values or variables here, not arithmetic" in err and "^" in err
    code, _, err = lexkb("explain", *KB, "table_range(?l, ?c, ?lo, ?hi)", "--format", "svg")
    assert code == 2 and "table_range(?l, ?c, ?lo, ?hi) matches 3 facts" in err
