"""The interpreter (evaluate/matching.py) gives exactly the engine's facts.

Over a finished result, re-matching every branch with the interpreter must
conclude every derived fact the engine found and nothing else, and
:meth:`Matcher.derives` must confirm each fact by the branch that recorded it.
The programs mix integers, dates, symbols and strings, so the value rules
(cross-kind `<`, arithmetic on non-numbers) are exercised where the compiled
code and the interpreter could disagree.
"""

from __future__ import annotations

import datetime

from hypothesis import given, settings

import lexkb
from lexkb.compile.semantics import FAIL, term_value
from lexkb.evaluate.engine import Given, bindings
from lexkb.evaluate.matching import Matcher
from lexkb.values import Text

from .programs import MIXED, Program, programs, to_lexkb


def check_interpreter(program: Program) -> None:
    kb = lexkb.loads(to_lexkb(program), "generated.rules")
    result = kb.run(program.case())
    matcher = Matcher(result.relations)
    for predicate, relation in result.relations.items():
        concluded = set()
        for branch in kb.program.branches_for(predicate):
            for env in matcher.matches(branch):
                head = tuple(term_value(a, env) for a in branch.head.args)
                if FAIL not in head:
                    concluded.add(head)
        derived = {args for args, record in relation.items() if not isinstance(record, Given)}
        stated = set(relation) - derived
        assert concluded | stated == set(relation), (predicate, to_lexkb(program))
        for args in derived:
            decoded = bindings(kb.program, args, relation[args])
            assert decoded is not None
            assert matcher.derives(decoded[0], args), (predicate, args, to_lexkb(program))


@settings(max_examples=120, deadline=None)
@given(programs(MIXED))
def test_the_interpreter_concludes_exactly_the_engines_facts(program: Program) -> None:
    check_interpreter(program)


def test_cross_kind_comparisons_and_arithmetic_fail_alike() -> None:
    """A hand-written case of what the property test covers: ints, dates, strings and symbols in one column."""
    text = """
    v(1)
    v(2024-01-01)
    v("1")
    v(one)
    small(?x) if v(?x) and ?x < 5
    later(?x) if v(?x) and ?x > 2023-12-31
    next(?y) if v(?x) and ?y = ?x + 1
    """
    kb = lexkb.loads(text, "mixed.rules")
    result = kb.run()
    assert set(result.facts("small")) == {(1,)}
    assert set(result.facts("later")) == {(datetime.date(2024, 1, 1),)}
    assert set(result.facts("next")) == {(2,)}
    matcher = Matcher(result.relations)
    for predicate in ("small", "later", "next"):
        (branch,) = kb.program.branches_for(predicate)
        got = {tuple(term_value(a, env) for a in branch.head.args) for env in matcher.matches(branch)}
        assert got == set(result.facts(predicate))
    assert Text("1") != "1"
