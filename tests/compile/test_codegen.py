"""compile/codegen.py and evaluate/engine.py: compiled joins, fused strata, shared case-independent facts."""

from __future__ import annotations

import lexkb
from lexkb.compile.codegen import LOOPS_PER_FUNCTION, compile_sequence

RULES = """
input level(int)
table(1, 10)
table(2, 20)
table(3, 30)
doubled(?l, ?d) if table(?l, ?m) and ?d = ?m * 2
reachable(?a, ?b) if table(?a, ?x) and table(?b, ?y) and ?b = ?a + 1
reachable(?a, ?c) if reachable(?a, ?b) and reachable(?b, ?c)
months(?m) if level(?l) and table(?l, ?m)
long if months(?m) and ?m > 15
"""


def test_case_independent_facts_are_computed_once_and_shared() -> None:
    kb = lexkb.loads(RULES, "plan.rules")
    first, second = kb.run({"level": [(1,)]}), kb.run({"level": [(3,)]})
    # the table, doubled and reachable read no input: one baseline, the same objects in every result
    assert first.relations["doubled"] is second.relations["doubled"]
    assert first.relations["reachable"] is second.relations["reachable"]
    assert first.facts("reachable") == [(1, 2), (1, 3), (2, 3)]
    # what reads the input is each case's own
    assert first.relations["months"] is not second.relations["months"]
    assert (first.facts("months"), first.holds("long")) == ([(10,)], False)
    assert (second.facts("months"), second.holds("long")) == ([(30,)], True)


def test_the_join_uses_an_index_on_the_bound_argument() -> None:
    kb = lexkb.loads(RULES, "plan.rules")
    [months] = [c for c in kb.engine.compiled if c.branch.head.predicate == "months"]
    assert "I_table_0.get(v_l, ())" in months.source  # table looked up by the level, not scanned
    assert ("table", (0,)) in kb.engine.indexes


def test_recursive_rules_get_a_delta_plan_per_recursive_condition() -> None:
    kb = lexkb.loads(RULES, "plan.rules")
    recursive = [c for c in kb.engine.compiled if c.branch.head.predicate == "reachable" and c.deltas]
    assert [pred for pred, _ in recursive[0].deltas] == ["reachable", "reachable"]


def test_fused_sequence_runs_non_recursive_rules_in_one_function() -> None:
    kb = lexkb.loads(RULES, "plan.rules")
    branches = [b for b in kb.program.branches if b.head.predicate in ("months", "long")]
    code, function = compile_sequence(branches, indexed=set())
    assert code.count("def ") == 1 and "F_months[h] =" in code
    relations = {p: {} for p in kb.program.arities}
    relations["level"][(2,)] = None
    relations["table"].update({(1, 10): None, (2, 20): None})
    indexes = {("table", (0,)): {1: [(1, 10)], 2: [(2, 20)]}}
    function(relations, indexes, lambda predicate, before: None)
    assert list(relations["months"]) == [(20,)] and () in relations["long"]


def _chain(n: int) -> str:
    """A rule of n atom conditions joined in a chain, its facts, and a recursive rule reading it."""
    conditions = " and ".join(f"c{i}(?x{i}, ?x{i + 1})" for i in range(n))
    facts = "\n".join(f"c{i}({i}, {i + 1})\nc{i}({i}, {i + 100})" for i in range(n))
    return (f"input start(int)\nend(?x{n}) if start(?x0) and {conditions}\n{facts}\n"
            f"step(?a, ?b) if c0(?a, ?b)\nstep(?a, ?x{n}) if step(?a, ?x0) and {conditions}\n")


def test_a_rule_of_any_length_compiles_into_helper_functions() -> None:
    # Python allows 20 nested blocks per function: past LOOPS_PER_FUNCTION loops the join continues in a helper
    for n in (LOOPS_PER_FUNCTION, 20, 3 * LOOPS_PER_FUNCTION + 5):
        kb = lexkb.loads(_chain(n), "long.rules")
        result = kb.run({"start": [(0,)]})
        assert result.facts("end") == [(n,), (n + 99,)]
        assert sorted(result.facts("step")) == [(0, 1), (0, 100)]
        [end] = [c for c in kb.engine.compiled if c.branch.head.predicate == "end"]
        assert end.source.count("def ") == 1 + n // LOOPS_PER_FUNCTION  # n conditions and start: n + 1 loops


def test_a_long_rule_in_a_fused_sequence_compiles() -> None:
    kb = lexkb.loads(_chain(40), "long.rules")
    branches = [b for b in kb.program.branches if b.head.predicate == "end"]
    code, function = compile_sequence(branches, indexed=set())
    assert code.count("def ") == 3 and "s0_k2(R, IX, None, None, v_x0," in code
