"""Large inputs: the parser builds the AST as it reads (no parse tree), in memory
proportional to the input, and the error path looks only near the error.

Bounds are operation counts or generous memory limits, never timings.
"""

from __future__ import annotations

import dataclasses
import gc
import tracemalloc
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from lark import Tree

from lexkb.errors import SyntaxProblem
from lexkb.language import diagnostics
from lexkb.language.parser import _check_nesting, parse, parse_with_comments, parser
from lexkb.limits import MAX_NESTING

if TYPE_CHECKING:
    from conftest import Lexkb

EVERY_CONSTRUCT = '''
authority Baylor "United States v. Baylor, 556 F.3d 672 (8th Cir. 2009)" says "the minimum controls"
input offense_level(int)
input category(symbol|int)
outcomes deny, grant
include "other.rules"
internal helper
offense_level(?l) reads "the level was ?l" not "no level"
rule lowers: lowers_range(?n) if offense_level(?l) and ?n = max(?l - 2, 1) * 3 + -1
    and not (barred or ?l >= 43) unless exempt(_) because Baylor
case alcaraz "citation"
source "order.txt"
fact(1, -2.5, 2012-10-24, "text", name) from "a quote" from "another"  # a comment
expect not grant
'''


def _nodes(node: object) -> list[object]:
    """Every object reachable through the AST's dataclass fields and tuples."""
    found, pending = [], [node]
    while pending:
        item = pending.pop()
        found.append(item)
        if dataclasses.is_dataclass(item):
            pending.extend(getattr(item, field.name) for field in dataclasses.fields(item))
        elif isinstance(item, tuple):
            pending.extend(item)
    return found


def test_every_construct_is_built_without_a_parse_tree() -> None:
    """Lark calls a builder method for every grammar rule that makes a node: a rule without one
    would leave a lark Tree in the AST."""
    for module in (parse(EVERY_CONSTRUCT, "f.rules"), parse_with_comments(EVERY_CONSTRUCT, "f.rules")[0]):
        assert len(module.statements) == 12
        assert not [n for n in _nodes(module) if isinstance(n, Tree)]


def _nesting_texts(depth: int) -> list[str]:
    return [
        "x if " + "not " * depth + "a",
        "x if " + "(" * depth + "a" + ")" * depth,
        "x if b unless " + "not " * depth + "a",
        "x(?y) if a(?v) and ?y = " + " + ".join(["?v"] * depth),
        "x(?y) if a(?v) and ?y = " + "min(" * depth + "1" + ", 2)" * depth,
        "x(?y) if a(?v) and ?y = " + "(" * depth + "?v" + " + 1)" * depth,
        "p(" + " * ".join(["1"] * depth) + ")",
    ]


@pytest.mark.parametrize("depth", range(MAX_NESTING - 8, MAX_NESTING + 4))
def test_nesting_is_measured_as_the_parse_tree_is_deep(depth: int) -> None:
    """The builder measures each node's height as it goes; it refuses exactly what the
    depth of Lark's own tree refuses, with the same message and place."""
    for text in _nesting_texts(depth):
        try:
            _check_nesting(parser().parse(text), "f")
            expected = None
        except SyntaxProblem as problem:
            expected = (problem.message, problem.span)
        try:
            parse(text, "f")
            got = None
        except SyntaxProblem as problem:
            got = (problem.message, problem.span)
        assert got == expected, text[:60]


def test_a_bad_value_before_a_syntax_error_reports_the_syntax_error() -> None:
    """The builder meets the bad date first; the file's syntax error is still what is reported, as before."""
    with pytest.raises(SyntaxProblem, match="expected ',' between the values"):
        parse("p(2012-13-01)\nq(1 2)\n", "f")
    with pytest.raises(SyntaxProblem, match="not a real date"):
        parse("p(2012-13-01)\nq(1, 2)\n", "f")


@pytest.mark.parametrize("collecting", [True, False])
def test_the_cycle_collector_is_left_as_it_was(collecting: bool) -> None:
    was = gc.isenabled()
    try:
        gc.enable() if collecting else gc.disable()
        parse("p(1) q(2)", "f")
        assert gc.isenabled() is collecting
        with pytest.raises(SyntaxProblem):
            parse("p(1 2)", "f")
        assert gc.isenabled() is collecting
    finally:
        gc.enable() if was else gc.disable()


def test_a_long_string_takes_memory_in_proportion() -> None:
    """A 2 MB string once took about 600 MB while lexed (the regular expression kept a record
    per character); now a few copies of the text."""
    text = 'note("' + "x" * 2_000_000 + '")\n'
    parse("warm(1)", "f")
    tracemalloc.start()
    try:
        parse(text, "f")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 40_000_000


def test_a_line_of_many_facts_keeps_no_tree_of_its_tokens() -> None:
    """20,000 facts on one line: the peak is what the AST needs, not a tree of every token besides."""
    text = " ".join(f"edge({i}, {i + 1})" for i in range(20_000))
    parse("warm(1)", "f")
    tracemalloc.start()
    try:
        module = parse(text, "f")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(module.statements) == 20_000
    assert peak < 20_000 * 2_000  # measured about 1,100 bytes a fact; the parse tree besides took about 2,400


def test_an_error_at_the_end_of_a_long_line_lexes_only_near_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Describing the error lexes from two tokens before it, not the whole line again."""
    text = " ".join(f"p({i})" for i in range(20_000)) + " p(1 2)"
    lexed: list[int] = []
    lex = type(parser()).lex
    monkeypatch.setattr(type(parser()), "lex", lambda self, part, *a, **k: lexed.append(len(part)) or lex(self, part))
    with pytest.raises(SyntaxProblem, match="expected ',' between the values") as raised:
        parse(text, "f")
    assert raised.value.span is not None and raised.value.span.column == len(text) - 1
    assert lexed and max(lexed) < 20
    assert diagnostics  # the module whose lexing is counted


def test_an_error_on_a_huge_line_shows_a_window_of_it(lexkb: Lexkb, tmp_path: Path) -> None:
    facts = " ".join(f"p({i})" for i in range(30_000))
    (tmp_path / "r.rules").write_text(f"input p(int)\n{facts} p(1 2) {facts}\n", encoding="utf-8")
    result = lexkb("check", "r.rules", cwd=tmp_path)
    assert result.code == 2
    lines = result.err.splitlines()
    assert "r.rules:2:" in lines[0] and "expected ',' between the values" in lines[0]
    shown, caret = lines[1], lines[2]
    assert len(shown) < 200 and shown.count("\u2026") == 2 and "p(1 2)" in shown
    assert shown[caret.index("^")] == "2"
