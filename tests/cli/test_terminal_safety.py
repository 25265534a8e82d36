"""Terminal safety (issue 14 item 11): what comes from a file is shown escaped, one line stays one line.

The corpus in tests/hostile/ holds the attacks a folder in git can hold; here are the file names
(an escape sequence and a line break in the name of a rules or case file) and the JSON output.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click
import pytest

from lexkb.cli.common import json_text, text_lines

if TYPE_CHECKING:
    from conftest import Lexkb

HOSTILE = "evil\x1b[2J\nPASS forged"
SHOWN = "evil\\x1b[2J\\nPASS forged"  # how lexkb shows that name
RULES = """input level(int)
outcomes deny, grant
authority a "A"
rule r1: deny if level(?l) and ?l > 3   and   missing_thing because a
deny if level(?l) and ?l > 3 because a
grant if level(?l) and ?l < 2 because a
"""


@pytest.fixture(autouse=True)
def as_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """click.echo strips escape sequences from output that is not a terminal: not here, or a raw one
    that would reach a user's terminal would be hidden from these tests."""
    monkeypatch.setattr(click.utils, "should_strip_ansi", lambda stream=None, color=None: False)


@pytest.mark.parametrize("args", [
    ["check", "kb"],
    ["fmt", "--check", "kb"],
    ["run", "kb", "--case", f"{HOSTILE}.case"],
    ["test", "kb", f"{HOSTILE}.case", "--coverage"],
    ["explain", "kb", "--case", f"{HOSTILE}.case", "deny"],
    ["whatif", "kb", "--case", f"{HOSTILE}.case", "deny"],
    ["verify", "kb"],
    ["batch", "kb", f"{HOSTILE}.case", "-o", "out.jsonl", "--jobs", "1"],
], ids=lambda args: args[0] if args[0] != "fmt" else "fmt-check")
def test_a_file_name_with_an_escape_and_a_line_break_is_shown_escaped(args: list[str], tmp_path: Path,
                                                                       lexkb: Lexkb) -> None:
    (tmp_path / "kb").mkdir()
    (tmp_path / "kb" / f"{HOSTILE}.rules").write_text(RULES)
    (tmp_path / f"{HOSTILE}.case").write_text("level(5)\nexpect deny\n")  # no `case` line: named by its path
    code, out, err = lexkb(*args, cwd=tmp_path)
    printed = out + err
    assert "Traceback" not in printed and code in (0, 1), printed
    assert "\x1b" not in printed, f"a raw ESC reached the terminal:\n{printed!r}"
    assert not any(line.startswith("PASS forged") for line in printed.splitlines()), printed
    if args[0] != "batch":  # batch names no file when every case runs (explain's text folds a line break)
        assert SHOWN in printed or SHOWN.replace("\\n", " ") in printed, printed


def test_text_lines_keeps_each_line_on_its_line() -> None:
    assert text_lines(["Case c: c\nOutcome: grant", "\x1b]0;title\x07"]) == \
        "Case c: c\\nOutcome: grant\n\\x1b]0;title\\x07"


def test_json_output_escapes_what_a_terminal_acts_on_and_keeps_the_value() -> None:
    value = {"s": "csi \x9b2J, bidi \u202e, ESC \x1b, undecodable \udcff, § …"}
    shown = json_text(value)
    assert "\x9b" not in shown and "\u202e" not in shown and "\x1b" not in shown and "\udcff" not in shown
    assert "§ …" in shown and json.loads(shown) == value
    shown.encode("utf-8")  # a lone surrogate could not even be written


def test_run_json_shows_a_c1_control_escaped(tmp_path: Path, lexkb: Lexkb) -> None:
    (tmp_path / "r.rules").write_text('input name(string)\noutcomes deny\nauthority a "A"\n'
                                      'named(?n) if name(?n) because a\ndeny if named(?n) because a\n')
    (tmp_path / "c.case").write_text('case c "c"\nname("x\\u009b2J")\n')
    code, out, _ = lexkb("run", "r.rules", "--case", "c.case", "--format", "json", cwd=tmp_path)
    assert code == 0 and "\x9b" not in out and "\\u009b2J" in out
    assert json.loads(out)["facts"]["named"] == [["x\x9b2J"]]


@pytest.mark.parametrize("args", [["run", "r.rules", "--format", "\x1b[2J"], ["\x1b]0;title\x07"]],
                         ids=["bad-value", "no-such-command"])
def test_a_usage_error_quoting_an_argument_shows_it_escaped(args: list[str], lexkb: Lexkb) -> None:
    code, out, err = lexkb(*args)
    assert code == 2 and out == "" and "\x1b" not in err and "\\x1b" in err, err
