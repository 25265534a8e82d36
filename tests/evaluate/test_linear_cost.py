"""Loading a case and running it cost in proportion to the case (issue 14 item 5), counted in lines of
Python executed (:mod:`work`), so the test does not depend on the machine's speed or load.

A case of 3,000 facts once took seconds to load: each fact was compared with every fact before it, to
merge the quotes of a fact stated twice (tests/language/test_cases.py checks that they are still merged).
"""

from __future__ import annotations

from pathlib import Path

import lexkb

from .work import REACH_RULES, edges_case, lines_run

STEPS = 150
LINEAR = 4.4  # four times the steps: four times the work, and a little for what does not grow; quadratic is 16


def test_loading_and_running_a_case_cost_in_proportion_to_its_facts(tmp_path: Path) -> None:
    kb = lexkb.loads(REACH_RULES)
    work = []
    for steps in (STEPS, 4 * STEPS):
        case = tmp_path / f"edges{steps}.case"
        case.write_text(edges_case(steps))
        result, lines = lines_run(lambda: kb.run(str(case)))  # noqa: B023 (called at once)
        assert result.holds(f"reach(n{steps})")
        work.append(lines)
    assert work[1] <= LINEAR * work[0], work

