"""`lexkb explain` on the command line: formats, exit codes, atomic -o, Graphviz missing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from lexkb.cli import cli, main

ROOT = Path(__file__).resolve().parents[2]
KB = ["tests/fixtures/explain/reduction.rules", "--case", "tests/fixtures/explain/cases/toy.case"]
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")


@pytest.fixture(autouse=True)
def at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


@click.command(context_settings={"ignore_unknown_options": True, "help_option_names": []})
@click.argument("argv", nargs=-1, type=click.UNPROCESSED)
def as_installed(argv: tuple[str, ...]) -> None:
    """``lexkb.cli.main`` as the installed script runs it: errors formatted, exit codes chosen."""
    main(list(argv))


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(as_installed, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_text_is_the_default_and_shows_every_ground() -> None:
    code, out, _ = invoke("explain", *KB, "deny")
    assert code == 0
    assert out.startswith("deny holds, on 3 independent grounds.")
    assert "Ground 3: rule same_range" in out


def test_an_atom_that_does_not_hold_exits_1_and_suggests_why_not() -> None:
    code, out, err = invoke("explain", *KB, "grant")
    assert code == 1 and out == ""
    assert "--why-not" in err


def test_why_not_exits_0_with_the_failed_conditions() -> None:
    code, out, _ = invoke("explain", *KB, "eligible", "--why-not")
    assert code == 0
    assert "the case does not state sentenced_on" in out


def test_atoms_with_values() -> None:
    code, out, _ = invoke("explain", *KB, "reduction_floor_months(120)", "--format", "json")
    assert code == 0
    assert json.loads(out)["args"] == [120]


@pytest.mark.parametrize("args, message", [
    (["denny"], "did you mean 'deny'?"),
    (["deny(1"], "<atom>:1:7"),
    (["deny(?x)"], "plain values"),
    (["deny", "--format", "png"], "-o OUT"),
    (["deny", "--depth", "0"], "--depth"),
])
def test_usage_errors_exit_2(args: list[str], message: str) -> None:
    code, out, err = invoke("explain", *KB, *args)
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def test_needs_a_knowledge_base_and_an_atom() -> None:
    code, _, err = invoke("explain", "deny")
    assert code == 2 and "name the knowledge base" in err


@needs_dot
@pytest.mark.parametrize("fmt, magic", [("svg", b"<?xml"), ("png", b"\x89PNG"), ("pdf", b"%PDF"),
                                        ("html", b"<!DOCTYPE html>"), ("dot", b"digraph"), ("json", b"{")])
def test_o_writes_each_format(tmp_path: Path, fmt: str, magic: bytes) -> None:
    out = tmp_path / f"deny.{fmt}"
    code, stdout, _ = invoke("explain", *KB, "deny", "--format", fmt, "-o", str(out))
    assert code == 0 and stdout == ""
    data = out.read_bytes()
    assert data.startswith(magic)
    again = tmp_path / f"again.{fmt}"
    invoke("explain", *KB, "deny", "--format", fmt, "-o", str(again))
    assert again.read_bytes() == data  # byte-identical run to run


def test_o_leaves_no_partial_file_on_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "deny.svg"
    out.write_text("the old file")
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))  # no Graphviz
    code, _, err = invoke("explain", *KB, "deny", "--format", "svg", "-o", str(out))
    assert code == 2
    assert out.read_text() == "the old file"
    assert [p.name for p in tmp_path.iterdir()] == ["deny.svg"]  # no temporary file left behind


@pytest.mark.parametrize("fmt", ["svg", "png", "pdf", "html"])
def test_without_graphviz_images_fail_with_how_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          fmt: str) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    code, _, err = invoke("explain", *KB, "deny", "--format", fmt, "-o", str(tmp_path / "x"))
    assert code == 2
    assert "apt-get install graphviz" in err and "Traceback" not in err
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("fmt", ["text", "dot", "json"])
def test_without_graphviz_text_dot_and_json_still_work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       fmt: str) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    code, out, _ = invoke("explain", *KB, "deny", "--format", fmt)
    assert code == 0 and out


def test_help_has_examples() -> None:
    result = CliRunner().invoke(cli, ["explain", "--help"])
    assert result.exit_code == 0
    assert "lexkb explain kb --case kb/cases/alcaraz.case deny --format svg -o deny.svg" in result.output
    assert "--why-not" in result.output
