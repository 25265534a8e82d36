"""Progress on a terminal and the budgets that stop long work (issue 14 items 7 and 12).

On a terminal, standard error shows what `explain`, `whatif` and `verify` are doing (rich); anywhere
else nothing, so output stays byte-identical. The terminal here is a pseudo-terminal given to a real
process: what it shows is asserted by message, never by timing.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import shutil
import struct
import subprocess
import sys
import termios
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import pytest

from lexkb.cli.whatif import whatif_text
from lexkb.research.whatif import WhatIf

if TYPE_CHECKING:
    from conftest import Lexkb

ROOT = Path(__file__).resolve().parents[2]
KB = ["tests/fixtures/explain/reduction.rules", "--case", "tests/fixtures/explain/cases/toy.case"]
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
CONTROL = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\r")


class Terminal(NamedTuple):
    code: int
    out: str  # standard output (a pipe)
    shown: str  # what the terminal on standard error showed, its control sequences removed
    raw: str  # the same, as written


def on_a_terminal(*args: str) -> Terminal:
    """Run lexkb in its own process with standard error on a pseudo-terminal 200 columns wide."""
    main, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 200, 0, 0))
    unset = ("NO_COLOR", "TERM", "COLUMNS", "TTY_COMPATIBLE", "TTY_INTERACTIVE")  # rich would draw differently
    env = {key: value for key, value in os.environ.items() if key not in unset}
    process = subprocess.Popen([sys.executable, "-c", "from lexkb.cli import main; main()", *args], cwd=ROOT,
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=child,
                               env={**env, "TERM": "xterm-256color", "COLUMNS": "200"})
    os.close(child)
    shown = b""
    while True:  # until the process closes its end (EIO on Linux)
        try:
            chunk = os.read(main, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(main)
    assert process.stdout is not None
    out = process.stdout.read().decode("utf-8")
    code = process.wait(timeout=300)
    raw = shown.decode("utf-8", "replace")
    return Terminal(code, out, CONTROL.sub("", raw), raw)


def test_explain_shows_each_step_on_a_terminal_and_writes_the_same_text(lexkb: Lexkb,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    terminal = on_a_terminal("explain", *KB, "deny")
    assert terminal.code == 0
    assert "explain: running the rules on the case" in terminal.shown
    assert "explain: building the explanation (at most about 2,000 nodes, --max-nodes)" in terminal.shown
    assert "explain: writing the explanation as text" in terminal.shown
    code, out, err = lexkb("explain", *KB, "deny")  # not a terminal: not a byte of progress
    assert code == 0 and err == "" and out == terminal.out


@needs_dot
def test_explain_says_it_is_drawing_and_draws_the_same_picture(tmp_path: Path, lexkb: Lexkb,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    terminal = on_a_terminal("explain", *KB, "deny", "--format", "svg", "-o", str(tmp_path / "tty.svg"))
    assert terminal.code == 0 and terminal.out == ""
    assert re.search(r"explain: drawing [\d,]+ nodes as svg with Graphviz", terminal.shown), terminal.shown
    code, out, err = lexkb("explain", *KB, "deny", "--format", "svg", "-o", str(tmp_path / "pipe.svg"))
    assert code == 0 and out == err == ""
    assert (tmp_path / "tty.svg").read_bytes() == (tmp_path / "pipe.svg").read_bytes()


def test_whatif_shows_what_it_looks_for_and_its_budget() -> None:
    terminal = on_a_terminal("whatif", *KB, "deny", "--time", "5")
    assert terminal.code in (0, 1), terminal.shown
    assert "whatif: looking for the smallest change that flips deny (z3 and the engine, --time 5 s)" \
        in terminal.shown
    assert terminal.out.startswith("deny holds for ")


def test_verify_shows_what_it_is_looking_for() -> None:
    terminal = on_a_terminal("verify", "tests/fixtures/explain/reduction.rules")
    assert terminal.code in (0, 1), terminal.shown
    assert "verify: looking for" in terminal.shown
    assert "Result:" in terminal.out


def test_a_status_message_naming_a_hostile_file_is_shown_escaped(tmp_path: Path) -> None:
    """rich would obey `[bold]`-style markup and a raw ESC in a message; both are shown as written."""
    rules = tmp_path / "[bold]x\x1b[2J.rules"
    rules.write_text('input a\noutcomes deny, grant\nauthority s "S"\ndeny if a because s\ngrant if not a because s\n'
                     "never if a and not a because s\n")
    terminal = on_a_terminal("verify", str(rules))
    assert terminal.code in (0, 1), terminal.shown
    assert "x\x1b[2J" not in terminal.raw
    assert "[bold]x\\x1b[2J.rules" in terminal.shown  # the dead-rule check names the rule by its file


# -- the budgets: each stop says what it stopped and how to raise the budget


def test_a_drawing_over_the_node_limit_is_refused_before_graphviz_starts(tmp_path: Path, lexkb: Lexkb,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    for output_format in ("svg", "png", "pdf", "html"):
        out_file = tmp_path / f"deny.{output_format}"
        code, out, err = lexkb("explain", *KB, "deny", "--format", output_format, "-o", str(out_file),
                               "--max-draw-nodes", "3")
        assert code == 2 and out == "" and not out_file.exists(), err
        nodes = re.search(r"not drawn: the explanation has (\d+) nodes, more than --max-draw-nodes \(3\); Graphviz "
                          r"can take minutes on a graph that large, so nothing was written", err)
        assert nodes, err
        assert "--format text, json or dot need no drawing" in err
        assert f"raise the limit with --max-draw-nodes {nodes.group(1)} (0: no limit)" in err
    code, out, _ = lexkb("explain", *KB, "deny", "--max-draw-nodes", "3")  # text is not drawn: no limit
    assert code == 0 and out.startswith("deny holds")


@needs_dot
def test_the_node_limit_raised_or_lifted_draws(tmp_path: Path, lexkb: Lexkb, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    for limit in ("0", "100000"):
        code, _, err = lexkb("explain", *KB, "deny", "--format", "svg", "-o", str(tmp_path / "d.svg"),
                             "--max-draw-nodes", limit)
        assert code == 0, err
        assert (tmp_path / "d.svg").read_bytes().lstrip().startswith(b"<?xml")


def test_whatif_says_when_max_runs_stopped_it(tmp_path: Path, lexkb: Lexkb) -> None:
    (tmp_path / "r.rules").write_text('input a\ninput b\noutcomes deny\nauthority s "S"\n'
                                      "deny if a because s\ndeny if b because s\n")
    (tmp_path / "c.case").write_text('case c "c"\na\nb\n')  # two grounds: no single change flips deny
    code, out, _ = lexkb("whatif", "r.rules", "--case", "c.case", "deny", "--method", "engine-runs",
                         "--max-runs", "1", cwd=tmp_path)
    assert code == 1
    assert ("No flip found (the search bound ran out; 1 engine runs of at most 1). "
            "The search stopped at --max-runs: raise it to look further.") in out


def test_whatif_says_when_its_time_stopped_it() -> None:
    none_in_time = WhatIf("deny", True, [], None, runs=40, max_runs=20000, exhausted=True, proved_above=1,
                          rounds=3, seconds=8.0)
    assert whatif_text(none_in_time, "c", [])[-1] == (
        "No flip found within the time (z3 and the engine: 3 rounds, 40 engine runs, 8.0 s); z3 proved that none "
        "of 1 change or fewer exists. The search stopped at --time: raise it to look further.")
    finished = WhatIf("deny", True, [], None, runs=40, max_runs=20000, exhausted=False, proved_above=6)
    assert "raise" not in whatif_text(finished, "c", [])[-1]
