"""An explanation costs in proportion to the nodes it builds (issue 14 item 5), counted in lines of Python
executed and in facts the matcher hands back (:mod:`evaluate.work`): no timing, so no flakiness.

Each conclusion is re-matched once, through an index; a ground that is the engine's own record is known
to be well founded without ranking the chain below it; the conclusions already shown are looked up, not
formatted. Only counting the steps the node budget leaves out walks the rest of the derivation, once.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from evaluate.work import PACKAGE, REACH_RULES, lines_run

import lexkb
from lexkb.evaluate.matching import Matcher
from lexkb.render.json import render_json
from lexkb.render.text import render_text
from lexkb.values import Value

STEPS = 150
LINEAR = 4.4  # four times the nodes: four times the work, and a little for what does not grow; quadratic is 16


def chain(steps: int) -> lexkb.Result:
    """``reach(n<steps>)`` resting on a recursive derivation ``steps`` rules deep."""
    edges = [(f"n{i}", f"n{i + 1}") for i in range(steps)]
    return lexkb.loads(REACH_RULES).run({"start": [("n0",)], "edge": edges})


def test_explaining_and_rendering_a_chain_cost_in_proportion_to_its_nodes() -> None:
    nodes, work = [], []
    for steps in (STEPS, 4 * STEPS):
        result = chain(steps)

        def explain_and_render(result: lexkb.Result = result, steps: int = steps) -> lexkb.Derivation:
            derivation = result.explain(f"reach(n{steps})", max_nodes=None)
            render_text(derivation)
            render_json(derivation)
            return derivation

        derivation, lines = lines_run(explain_and_render)
        nodes.append(len(derivation.nodes))
        work.append(lines)
    assert nodes[1] >= 4 * nodes[0] - 10  # every step shown: a rule, a conclusion and an edge each
    assert work[1] <= LINEAR * work[0], work


def test_under_the_node_budget_building_costs_the_same_however_long_the_chain() -> None:
    """Only counting the steps left out (``steps_not_shown``) grows with the chain; building the graph
    must not: it once ranked the whole chain below the explained atom before matching anything."""
    built = []
    for steps in (STEPS, 4 * STEPS):
        result = chain(steps)
        derivation, lines = lines_run(lambda: result.explain(f"reach(n{steps})", max_nodes=60),  # noqa: B023
                                      under=PACKAGE / "explain", skip=frozenset({"steps_not_shown"}))
        expanded = sum(1 for node in derivation.nodes.values()
                       if node.kind == "conclusion" and not node.detail.get("over_budget"))
        assert derivation.nodes[derivation.root].detail["not_shown"] == steps + 1 - expanded  # reach(n0) … (n<steps>)
        built.append(lines)
    assert built[1] <= 1.05 * built[0], built


@pytest.fixture
def handed_back(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """The number of facts each of the matcher's index lookups hands back, in order."""
    sizes: list[int] = []
    lookup = Matcher.lookup

    def counted(self: Matcher, predicate: str, positions: tuple[int, ...], key: tuple[Value, ...]
                ) -> list[tuple[Value, ...]]:
        found = lookup(self, predicate, positions, key)
        sizes.append(len(found))
        return found

    monkeypatch.setattr(Matcher, "lookup", counted)
    yield sizes


def test_each_step_is_matched_through_an_index_not_a_scan(handed_back: list[int]) -> None:
    steps = 4 * STEPS
    chain(steps).explain(f"reach(n{steps})", max_nodes=None)
    assert len(handed_back) <= 2 * (steps + 1)  # one lookup per branch and conclusion at most
    assert sum(handed_back) <= 2 * (steps + 1)  # each the one edge into the conclusion
