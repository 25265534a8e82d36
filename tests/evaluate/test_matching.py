"""The matcher (explanations, coverage, verify): matches over finished relations, plans shared between results."""

from __future__ import annotations

import lexkb
from lexkb.evaluate.matching import Matcher, Plans

RULES = """
input level(int)
input flag
rule high: high if level(?l) and ?l >= 10
rule flagged_high: alert if high and flag
rule low: low if level(?l) and ?l < 10 and not flag
"""


def _matched(kb: lexkb.KnowledgeBase, matcher: Matcher) -> dict[str, list[dict[str, object]]]:
    return {b.rule.label: list(matcher.matches(b)) for b in kb.program.branches if not b.hidden}


def test_matchers_sharing_plans_match_as_each_alone() -> None:
    kb = lexkb.loads(RULES)
    cases = [{"level": [(12,)], "flag": [()]}, {"level": [(3,)]}, {"level": [(3,), (15,)], "flag": [()]}]
    plans: Plans = {}
    for case in cases:
        result = kb.run(case)
        assert _matched(kb, Matcher(result.relations, plans)) == _matched(kb, Matcher(result.relations))
    assert plans  # filled once, by the first result, and read by the others
    first = dict(plans)
    _matched(kb, Matcher(kb.run(cases[0]).relations, plans))
    assert plans == first
