"""An explanation stops building at a node budget and says how many steps it left out (issue 14 items 4
and 7): a derivation of thousands of steps would otherwise take minutes to draw and be unreadable."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

import lexkb
from lexkb.explain.builder import DEFAULT_MAX_NODES
from lexkb.render.dot import render_dot
from lexkb.render.json import render_json
from lexkb.render.text import render_text

if TYPE_CHECKING:
    from conftest import Lexkb

STEPS = 3_000


def chain(steps: int) -> str:
    """``p1 if p0``, ``p2 if p1``, … : a derivation ``steps`` rules deep."""
    return "input p0\n" + "".join(f"rule r{i}: p{i} if p{i - 1}\n" for i in range(1, steps + 1))


@pytest.fixture(scope="module")
def long_chain() -> lexkb.Result:
    return lexkb.loads(chain(STEPS)).run({"p0": [()]})


def shown_conclusions(derivation: lexkb.Derivation) -> int:
    return sum(1 for node in derivation.nodes.values() if node.kind == "conclusion")


def test_the_default_budget_bounds_the_graph_and_every_output(long_chain: lexkb.Result) -> None:
    derivation = long_chain.explain(f"p{STEPS}")
    assert DEFAULT_MAX_NODES <= len(derivation.nodes) <= DEFAULT_MAX_NODES + 10
    text = render_text(derivation)
    assert len(text) < 200_000  # the whole chain's text is over 400 kB
    hidden = STEPS - shown_conclusions(derivation) + 1  # p1 … p3000 are concluded; p0 is stated
    message = f"\u2026 {hidden:,} more steps not shown (the explanation stopped at 2,000 nodes); raise --max-nodes"
    assert message in " ".join(text.split())
    assert "(not explained further: node budget)" in text
    assert message in " ".join(render_dot(derivation).split())
    assert '"not_shown": ' + str(hidden) in render_json(derivation)


def test_the_count_is_of_the_steps_left_out_each_once() -> None:
    """A diamond under the cut: each fact below it is counted once, however many paths reach it."""
    rules = chain(50) + "rule other: p20 if p0\n" + "rule top: goal if p50 and p49\n"
    derivation = lexkb.loads(rules).run({"p0": [()]}).explain("goal", max_nodes=10, max_grounds=1)
    shown = {node.label for node in derivation.nodes.values() if node.kind == "conclusion"}
    expanded = {node.label for node in derivation.nodes.values() if node.kind == "conclusion"
                and not node.detail.get("over_budget")}
    assert derivation.nodes[derivation.root].detail["not_shown"] == 51 - len(expanded)
    assert len(shown) < 51


def test_no_limit_builds_everything_and_says_nothing(long_chain: lexkb.Result) -> None:
    derivation = long_chain.explain(f"p{STEPS}", max_nodes=None)
    assert shown_conclusions(derivation) == STEPS
    assert "not shown" not in render_text(derivation)


def test_max_nodes_on_the_command_line(lexkb: Lexkb, tmp_path: Path) -> None:
    rules = tmp_path / "chain.rules"
    rules.write_text(chain(300), encoding="utf-8")
    (tmp_path / "c.case").write_text("case c\np0\n", encoding="utf-8")
    code, out, _ = lexkb("explain", str(rules), "--case", str(tmp_path / "c.case"), "p300", "--max-nodes", "100")
    assert code == 0
    assert "more steps not shown (the explanation stopped at 100 nodes); raise --max-nodes to see them" in \
        " ".join(out.split())
    code, out, _ = lexkb("explain", str(rules), "--case", str(tmp_path / "c.case"), "p300", "--max-nodes", "0")
    assert code == 0 and "more steps not shown" not in out and "rule r1 \u2014" in out
