"""Fuzz the command line (issue 14, deliverable 8): generated and mutated rule, case and CSV files never
end in a traceback — only exit codes 0, 1 and 2, and no Python error on standard error.

The suite runs a fixed budget (``LEXKB_FUZZ_EXAMPLES`` examples per test, 40 by default, a few seconds);
a longer hunt is one command (tests/hostile/README.md)::

    LEXKB_FUZZ_EXAMPLES=20000 .venv/bin/python -m pytest -p no:cacheprovider tests/test_fuzz.py
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

if TYPE_CHECKING:
    from conftest import Lexkb

EXAMPLES = int(os.environ.get("LEXKB_FUZZ_EXAMPLES", "40"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                             HealthCheck.too_slow])
ROOT = Path(__file__).resolve().parents[1]
PYTHON_ERROR = re.compile(r"Traceback|\b[A-Z][A-Za-z]*Error:")  # "RecursionError: …", not lexkb's "error:"

# Pieces of the language, so that mutations land near real syntax rather than only in noise.
TOKENS = ["if", "and", "or", "not", "unless", "because", "authority", "says", "input", "outcomes", "case",
          "from", "expect", "include", "source", "min", "max", "reads", "internal", "(", ")", ",", "?x", "?y",
          "=", "<", ">=", "!=", "+", "-", "*", "/", '"', '"quote"', "\n", " ", "#", "0", "-1", "2012-01-05",
          "3.5", "99999999999999999999", "p", "q(?x)", "\\", "\x1b[2J", "\u202e", "é", "\t", "\r", ")))", "((("]


def _seeds(pattern: str) -> list[str]:
    found = sorted((ROOT / "tests").glob(pattern)) + sorted((ROOT / "kb").glob(pattern))
    return [p.read_text(encoding="utf-8", errors="replace") for p in found if p.stat().st_size < 20_000][:60]


RULE_SEEDS = _seeds("**/*.rules") or ["input a\noutcomes x\nx if a\n"]
CASE_SEEDS = _seeds("**/*.case") or ['case c "c"\na\n']
CSV_SEEDS = ["case,a,n\nc1,true,3\nc2,false,-1\n", 'case,a,n\n"c,1",true,"3"\n=cmd,,x\n']


@st.composite
def mutated(draw: st.DrawFn, seeds: list[str]) -> str:
    """A seed file with a few pieces cut, repeated or replaced by tokens of the language or odd characters."""
    text = draw(st.sampled_from(seeds))
    for _ in range(draw(st.integers(0, 6))):
        at = draw(st.integers(0, len(text)))
        end = min(len(text), at + draw(st.integers(0, 12)))
        piece = draw(st.one_of(st.sampled_from(TOKENS), st.text(max_size=4), st.just(text[at:end] * 3)))
        text = text[:at] + piece + text[end:]
    return text


@st.composite
def generated_rules(draw: st.DrawFn) -> str:
    """A small rule base put together from the language's pieces: often valid, sometimes not."""
    names = ["a", "b", "x", "y", "n(?x)", "m(?x, ?y)", "p(1)", "q(?y)"]
    lines = [f"input {draw(st.sampled_from(['a', 'b', 'n(int)', 'm(int, int)', 'd(date)']))}"
             for _ in range(draw(st.integers(0, 3)))]
    lines.append("outcomes " + draw(st.sampled_from(["x", "y", "x, y"])))
    for _ in range(draw(st.integers(1, 5))):
        head = draw(st.sampled_from(names))
        body = draw(st.lists(st.sampled_from([*names, "not a", "?x > 3", "?y = ?x * 2", "(a or b)", "not (a and b)"]),
                             min_size=1, max_size=4))
        lines.append(f"{head} if {' and '.join(body)}")
    return "\n".join(lines) + "\n"


def _run_all(lexkb: Lexkb, folder: Path, commands: list[list[str]]) -> None:
    for args in commands:
        code, out, err = lexkb(*args, cwd=folder)
        assert code in (0, 1, 2), (args, code, out, err)
        assert not PYTHON_ERROR.search(err), (args, err)
        assert "Traceback" not in out, (args, out)


@FUZZ
@given(rules=st.one_of(mutated(RULE_SEEDS), generated_rules()), case=mutated(CASE_SEEDS))
def test_rules_and_cases_never_end_in_a_traceback(rules: str, case: str, lexkb: Lexkb) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        (folder / "r.rules").write_text(rules, encoding="utf-8", errors="surrogateescape")
        (folder / "c.case").write_text(case, encoding="utf-8", errors="surrogateescape")
        _run_all(lexkb, folder, [["check", "r.rules"], ["run", "r.rules", "--case", "c.case"],
                                 ["explain", "r.rules", "--case", "c.case", "x"], ["fmt", "--check", "r.rules"]])


@FUZZ
@given(table=mutated(CSV_SEEDS))
def test_csv_tables_never_end_in_a_traceback(table: str, lexkb: Lexkb) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        (folder / "r.rules").write_text("input a\ninput n(int)\noutcomes x\nx if a\nx if n(?v) and ?v > 2\n")
        (folder / "cases.csv").write_text(table, encoding="utf-8", errors="surrogateescape")
        _run_all(lexkb, folder, [["batch", "r.rules", "cases.csv", "--jobs", "1", "-o", "out.jsonl"]])
