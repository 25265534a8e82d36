"""The hostile-input corpus (tests/hostile/, see its README): each attack, its exit code and its message."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
import pytest

if TYPE_CHECKING:
    from conftest import Lexkb

CORPUS = Path(__file__).parent / "hostile"
CASES = sorted(p for p in CORPUS.iterdir() if p.is_dir())


@pytest.mark.parametrize("case", CASES, ids=[p.name for p in CASES])
def test_hostile_input(case: Path, tmp_path: Path, lexkb: Lexkb, monkeypatch: pytest.MonkeyPatch) -> None:
    # click.echo strips escape sequences from output that is not a terminal: here it must not, or a raw
    # ESC that would reach a user's terminal would be hidden from the assertions below
    monkeypatch.setattr(click.utils, "should_strip_ansi", lambda stream=None, color=None: False)
    work = tmp_path / case.name
    shutil.copytree(case, work, symlinks=True)
    args = shlex.split((case / "command").read_text())
    code, out, err = lexkb(*args, cwd=work)
    printed = out + err
    assert code == int((case / "exit_code").read_text()), printed
    assert "Traceback" not in printed
    assert "\x1b" not in printed and "\x07" not in printed, f"a raw terminal control reached the terminal:\n{printed!r}"
    for line in (case / "message").read_text().splitlines():
        assert line in printed, f"{line!r} not in:\n{printed}"
    forged = case / "not_a_line"  # lines a file tries to forge: they may appear inside a line, never as one
    for line in forged.read_text().splitlines() if forged.exists() else []:
        assert line not in printed.splitlines(), f"{line!r} forged as a line of:\n{printed}"


# Attacks a folder in git cannot hold: a FIFO, a file name that is not UTF-8, standard output on a full disk.


def test_an_include_of_a_fifo_is_refused_without_blocking(tmp_path: Path, lexkb: Lexkb) -> None:
    os.mkfifo(tmp_path / "pipe.rules")  # opening it to read would wait for a writer forever
    (tmp_path / "r.rules").write_text('include "pipe.rules"\n')
    code, _, err = lexkb("check", "r.rules", cwd=tmp_path)
    assert code == 2 and "pipe.rules is not a regular file (a device, FIFO or socket)" in err


def test_file_names_that_are_not_utf8_are_shown_escaped(tmp_path: Path, lexkb: Lexkb) -> None:
    rules, case = os.fsdecode(b"k\xff.rules"), os.fsdecode(b"c\xfe.case")
    (tmp_path / rules).write_text('input n(int)\nauthority a "A"\nsq(?y) if n(?x) and ?y = ?x * ?x because a\n')
    (tmp_path / case).write_text('case c "c"\nn(3)\n')
    for output_format in ("text", "json", "html", "dot", "svg"):
        code, out, err = lexkb("explain", rules, "--case", case, "sq(9)", "--format", output_format, cwd=tmp_path)
        assert code == 0 and "Traceback" not in err, err
        assert "k\\xff.rules:3" in out.replace("\\\\", "\\")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("output_format", ["text", "json"])
def test_standard_output_on_a_full_disk_is_a_plain_error(output_format: str) -> None:
    kb = Path(__file__).parents[1] / "kb"
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-c", "from lexkb.cli import main; main()", "run", str(kb), "--case",
                               str(kb / "cases" / "alcaraz.case"), "--format", output_format],
                              stdout=full, stderr=subprocess.PIPE, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert done.stderr == "error: cannot write the output: No space left on device\n"


# Cost that grows with the square of the input (issue 14 item 9; bench/scale.py measures it at full size).


def test_an_error_in_a_long_line_shows_a_window_around_the_caret(tmp_path: Path, lexkb: Lexkb) -> None:
    facts = " ".join(f"f({i})" for i in range(5000))
    (tmp_path / "line.rules").write_text(f"{facts} ) {facts}\n")
    code, out, err = lexkb("check", "line.rules", cwd=tmp_path)
    assert code == 2 and "this ')' closes no parenthesis" in err
    shown, caret = err.splitlines()[1:3]
    assert len(shown) < 140 and shown.startswith("   1 | \u2026") and shown.endswith("\u2026")
    assert shown[caret.index("^")] == ")"


def test_the_text_of_a_long_chain_grows_with_its_steps_not_their_square(tmp_path: Path, lexkb: Lexkb) -> None:
    def explained(steps: int) -> str:
        rules = ["input start", "c_0 if start", *(f"c_{i} if c_{i - 1}" for i in range(1, steps))]
        (tmp_path / "chain.rules").write_text("\n".join(rules) + "\n")
        (tmp_path / "c.case").write_text('case c "c"\nstart\n')
        code, out, err = lexkb("explain", "chain.rules", "--case", "c.case", f"c_{steps - 1}", cwd=tmp_path)
        assert code == 0, err
        return out

    short, long = explained(100), explained(400)
    assert max(len(line) for line in long.splitlines()) <= 100
    assert len(long) < 5 * len(short)
    assert "(continued at [1])" in long and "\n[1] " in long and "c_0" in long


@pytest.mark.parametrize("condition", [
    "not (" * 95 + "a" + ")" * 95,
    "(a or " * 95 + "a" + ")" * 95,
    "n(?v) and ?v < " + "?v + " * 95 + "1",
    "n(?v) and ?v < " + "(" * 95 + "?v" + " + 1)" * 95,
], ids=["not", "or", "plus", "parentheses"])
def test_nesting_within_the_limit_goes_through_every_command(condition: str, tmp_path: Path, lexkb: Lexkb) -> None:
    (tmp_path / "r.rules").write_text(f"input a\ninput n(int)\noutcomes x\nx if {condition}\n")
    (tmp_path / "c.case").write_text('case c "c"\nn(1)\n')
    for args in (["check", "r.rules"], ["run", "r.rules", "--case", "c.case"], ["fmt", "--check", "r.rules"],
                 ["explain", "r.rules", "--case", "c.case", "x"], ["explain", "r.rules", "--case", "c.case", "x",
                                                                   "--why-not"], ["verify", "r.rules"]):
        code, out, err = lexkb(*args, cwd=tmp_path)
        assert code in (0, 1) and "Traceback" not in out + err, (args, err)
