"""Error messages: golden files with the exact output of the command line, and
the properties every syntax message must have.

Each ``tests/golden/errors/NAME.expected`` holds, on its first line, the
command (``$ lexkb run NAME.rules``, run in that folder), then the exact
standard error, then ``[exit N]``. Regenerate after a deliberate change of
wording with ``.venv/bin/pytest tests/language/test_diagnostics.py --update-golden``
and review the diff as a reader of the messages would.
"""

from __future__ import annotations

import random
import re
import shlex
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from lexkb.errors import LexkbError
from lexkb.language.diagnostics import SYNTAX_EXAMPLES
from lexkb.language.parser import parse, parser

if TYPE_CHECKING:
    from conftest import Lexkb

GOLDEN = Path(__file__).parents[1] / "golden" / "errors"
GOLDENS = sorted(GOLDEN.glob("*.expected"))


@pytest.mark.parametrize("path", GOLDENS, ids=lambda p: p.stem)
def test_golden(path: Path, lexkb: Lexkb, golden: Callable[[str, str], None]) -> None:
    command = path.read_text(encoding="utf-8").split("\n", 1)[0]
    assert command.startswith("$ lexkb "), f"{path.name}: the first line must be the command"
    code, out, err = lexkb(*shlex.split(command[len("$ lexkb "):]), cwd=GOLDEN)
    golden(f"errors/{path.name}", f"{command}\n{err}[exit {code}]\n")
    assert out == "", "an error must not leave partial output on stdout"
    assert code in (1, 2)


def test_every_golden_has_an_input_or_is_about_a_missing_one() -> None:
    assert len(GOLDENS) >= 30
    for path in GOLDENS:
        command = path.read_text(encoding="utf-8").split("\n", 1)[0]
        named = [GOLDEN / arg for arg in shlex.split(command)[3:] if arg.endswith((".rules", ".case"))]
        assert named, path.name
        assert all(p.exists() for p in named) or path.stem.startswith("missing_"), path.name


LOCATED = re.compile(r"^(?P<file>[^\s:]+):(?P<line>\d+):(?P<col>\d+): (error|warning): \S")


@pytest.mark.parametrize("path", GOLDENS, ids=lambda p: p.stem)
def test_golden_messages_are_located_with_a_caret(path: Path) -> None:
    """file:line:col, the offending line, a caret under the column; exit 1 only for check findings
    (a case's, or warnings under --strict)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    command, body, last = lines[0], lines[1:-1], lines[-1]
    assert "Traceback" not in "\n".join(body)
    if path.stem.startswith("missing_file"):
        assert body[0].startswith("error: ") and last == "[exit 2]"
        return
    first = LOCATED.match(body[0])
    assert first, body[0]
    gutter = f"{int(first['line']):>4} | "
    assert body[1].startswith(gutter), body[1]
    caret = body[2]
    assert caret.lstrip().startswith("| ") and "^" in caret
    assert caret.index("^") - len(gutter) + 1 == int(first["col"])
    if last == "[exit 1]":
        assert command.startswith("$ lexkb check") and ("--case" in command or "--strict" in command)
    else:
        assert last == "[exit 2]"


# ---------------------------------------------------------------- the syntax example table


def message(text: str) -> str:
    try:
        parse(text, "t.rules")
    except LexkbError as error:
        return error.message
    raise AssertionError(f"{text!r} parses")


def contexts(example: str) -> list[str]:
    """The example alone, after statements of other kinds, and inside a named rule."""
    out = [example, 'include "x.rules"\n' + example,
           'input q(int)\nz if w and (v or u) because A\ninclude "y"\n' + example]
    if re.match(r"(a|deny) if", example):
        out.append("rule r: " + example)
    return out


@pytest.mark.parametrize("label", list(SYNTAX_EXAMPLES))
def test_every_label_is_reached_by_its_examples_anywhere_in_a_file(label: str) -> None:
    pattern = re.escape(label).replace(re.escape("{previous}"), r"\S+")
    for example in SYNTAX_EXAMPLES[label]:
        for text in contexts(example):
            got = message(text)
            assert re.match(pattern, got), f"{text!r}: {got!r}"
            assert "{" not in got


def test_the_users_example_of_a_missing_condition() -> None:
    assert message("deny if not because Baylor") == "expected a condition after 'if not', found 'because'"
    assert message("deny if not") == "expected a condition after 'if not', found the end of the file"


LARK_NAMES = re.compile(r"\b(RPAR|LPAR|NAME|VARIABLE|INT|DATE|STRING|COMPARE|PLUS|MINUS|MUL_OP|COMMA|COLON|NOT|"
                        r"__\w+|\$END|[A-Z]{2,}_[A-Z_]+|_?[a-z]+_(star|plus)_\d+|Token|Tree)\b")

CORPUS = """authority Baylor "United States v. Baylor" says "no authority"
input offense_level(int)
input sentenced_on(date)
outcomes grant, deny
rule amended: amended(?l2) if offense_level(?l) and ?l2 = max(?l - 4, 1) * 2
deny if not lowers_range or (barred and ?x != "x") unless waived(?x) because Baylor
table(31, I, 108, 135) from "the table"
include "x.rules"
case alcaraz "cite"
source "order.txt"
expect not grant
"""


def mutations(text: str, rng: random.Random, count: int) -> list[str]:
    """Broken variants: cut after a token, drop a token, or double a token."""
    tokens = list(parser().lex(text))
    out = []
    for _ in range(count):
        i = rng.randrange(len(tokens))
        token = tokens[i]
        start, end = token.start_pos, token.end_pos
        kind = rng.randrange(3)
        if kind == 0:
            out.append(text[:end])
        elif kind == 1:
            out.append(text[:start] + text[end:])
        else:
            out.append(text[:end] + " " + text[start:])
    return out


def test_no_message_shows_a_parser_name() -> None:
    """Over many broken inputs, messages and hints are in words: no Lark terminal or rule names."""
    rng = random.Random(7)
    seen = 0
    for text in mutations(CORPUS, rng, 600):
        try:
            parse(text, "t.rules")
        except LexkbError as error:
            seen += 1
            shown = f"{error.message} {error.hint or ''}"
            assert not LARK_NAMES.search(shown.replace("'not'", "").replace("not ", "")), (text, shown)
            assert error.span is not None and error.span.line >= 1 and error.span.column >= 1
    assert seen > 300


def test_most_broken_inputs_get_a_labelled_message() -> None:
    """The generic fallback ('unexpected …') should be the exception, not the rule."""
    rng = random.Random(11)
    generic = total = 0
    for text in mutations(CORPUS, rng, 400):
        try:
            parse(text, "t.rules")
        except LexkbError as error:
            total += 1
            generic += error.message.startswith(("unexpected", "the file ends"))
    assert generic <= total * 0.25, (generic, total)
