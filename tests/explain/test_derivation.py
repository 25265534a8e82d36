"""Derivation graphs and why-not on small constructed rule bases."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

import lexkb
from lexkb.explain.graph import Derivation, Node

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def fixture_result(monkeypatch: pytest.MonkeyPatch) -> lexkb.Result:
    """The explanation fixture's case, run from the repository root (paths as a user sees them)."""
    monkeypatch.chdir(ROOT)
    kb = lexkb.load("tests/fixtures/explain/reduction.rules")
    return kb.run("tests/fixtures/explain/cases/toy.case")


def run(rules: str, case: dict | None = None) -> lexkb.Result:
    return lexkb.loads(rules, "t.rules").run(case or {})


def kinds(d: Derivation, node: Node | str) -> list[str]:
    return [c.kind for c in d.children(node)]


def assert_dag(d: Derivation) -> None:
    """Every child exists, and no node is its own ancestor."""
    state: dict[str, int] = {}

    def visit(node_id: str) -> None:
        assert node_id in d.nodes
        if state.get(node_id) == 2:
            return
        assert state.get(node_id) != 1, f"cycle through {node_id}"
        state[node_id] = 1
        for child in d.nodes[node_id].children:
            visit(child)
        state[node_id] = 2

    visit(d.root)


GROUNDS = """
authority A "Authority A, 1 U.S. 1 (1800)" says "What A holds."
authority B "Authority B"
input a
input b
input c
input score(int)
rule by_a: p if a because A
rule by_b_or_c: p if b or c because A, B
rule high: q if score(?x) and ?x > 1
"""


def test_each_independent_ground_is_shown() -> None:
    result = run(GROUNDS, {"a": [()], "b": [()], "c": [()]})
    d = result.explain("p")
    assert d.holds and d.mode == "why"
    assert [g.detail["rule"] for g in d.grounds] == ["by_a", "by_b_or_c", "by_b_or_c"]
    assert [g.detail.get("alternative") for g in d.grounds] == [None, [1, 2], [2, 2]]
    assert d.nodes[d.root].detail["grounds"] == 3
    by_a = d.grounds[0]
    assert by_a.detail["authorities"] == [{"name": "A", "citation": "Authority A, 1 U.S. 1 (1800)",
                                           "says": "What A holds."}]
    assert [a["name"] for a in d.grounds[1].detail["authorities"]] == ["A", "B"]
    assert by_a.detail["location"] == "t.rules:8"  # the string starts with a newline
    assert kinds(d, by_a) == ["given"]  # stated by a caller: no quote, no source
    assert_dag(d)


def test_each_binding_of_one_rule_is_a_ground_with_its_values() -> None:
    d = run(GROUNDS, {"score": [(1,), (2,), (3,)]}).explain("q")
    assert [g.detail["bindings"] for g in d.grounds] == [{"x": 2}, {"x": 3}]
    comparisons = [d.children(g)[1] for g in d.grounds]
    assert [c.label for c in comparisons] == ["2 > 1", "3 > 1"]
    assert comparisons[0].detail | {} == {**comparisons[0].detail, "written": "?x > 1", "left": 2, "right": 1,
                                          "op": ">", "true": True}


def test_max_grounds_counts_the_rest() -> None:
    d = run(GROUNDS, {"score": [(n,) for n in range(2, 30)]}).explain("q", max_grounds=5)
    assert len(d.grounds) == 5
    root = d.nodes[d.root]
    assert root.detail["more_grounds"] == 23
    more = d.children(root)[-1]
    assert (more.kind, more.id, more.label) == ("more", f"{root.id}/more", "23 more grounds not shown")


SHARED = """
input base(int)
mid(?x) if base(?x)
left if mid(?x) and ?x > 0
right if mid(?x) and ?x < 10
top if left and right
"""


def test_a_shared_sub_derivation_is_one_node() -> None:
    d = run(SHARED, {"base": [(5,)]}).explain("top")
    mids = [n for n in d.nodes.values() if n.label == "mid(5)"]
    assert len(mids) == 1
    assert sorted(d.parents()[mids[0].id]) == sorted(
        n.id for n in d.nodes.values() if n.kind == "rule" and mids[0].id in n.children)
    assert len(d.parents()[mids[0].id]) == 2
    assert_dag(d)


def test_node_ids_are_stable_and_deterministic() -> None:
    first = run(SHARED, {"base": [(5,)]}).explain("top")
    second = run(SHARED, {"base": [(5,)]}).explain("top")
    assert list(first.nodes) == list(second.nodes)
    assert all(isinstance(i, str) for i in first.nodes)
    assert "fact:mid(5)" in first.nodes


NEGATION = """
authority E "Exception authority"
input x(int)
input barred
input flagged(int)
blocked(?v) if flagged(?v)
ok(?v) if x(?v) and not blocked(?v) unless barred because E
"""


def test_not_and_unless_that_held() -> None:
    d = run(NEGATION, {"x": [(3,)], "flagged": [(4,)]}).explain("ok(3)")
    rule = d.grounds[0]
    given, absent, exception = d.children(rule)
    assert (given.kind, absent.kind, exception.kind) == ("given", "absent", "absent")
    assert absent.label == "not blocked(3)"
    assert absent.detail == {"written": "not blocked(?v)", "exception": False, "compound": False,
                             "atom": "blocked(3)"}
    assert exception.label == "unless barred" and exception.detail["exception"] is True


def test_comparison_and_binding_values() -> None:
    rules = """
    input level(int)
    input cut(int)
    input on(date)
    amended(?l2) if level(?l) and cut(?r) and ?l2 = ?l - ?r and on(?d) and ?d < 2014-11-01
    """
    d = run(rules, {"level": [(29,)], "cut": [(4,)], "on": [(datetime.date(2012, 10, 24),)]}).explain("amended(25)")
    level, cut, binding, on, comparison = d.children(d.grounds[0])
    assert binding.kind == "binding"
    assert binding.label == "?l2 = 25"
    assert binding.detail["expression"] == "?l - ?r" and binding.detail["computed"] == "29 - 4"
    assert comparison.kind == "comparison"
    assert comparison.label == "2012-10-24 < 2014-11-01"
    assert comparison.detail["left"] == "2012-10-24" and comparison.detail["right"] == "2014-11-01"


# The inner condition repeats range(?lo, ?hi); the plain form is tested at the end.
HIDDEN = """
input mm(int)
input range(int, int)
applicable(?lo, ?hi) if range(?lo, ?hi) and not (mm(?m) and range(?lo, ?hi) and ?m > ?hi)
"""


def test_hidden_auxiliary_is_the_rules_own_not_condition() -> None:
    d = run(HIDDEN, {"range": [(87, 108)], "mm": [(60,)]}).explain("applicable(87, 108)")
    assert all(not n.label.startswith(("rule _", "_")) for n in d.nodes.values())
    assert [g.detail["rule"] for g in d.grounds] == ["t.rules:4"]
    negation = d.children(d.grounds[0])[1]
    assert negation.kind == "absent" and negation.detail["compound"] is True
    assert negation.label == "not (mm(?m) and range(87, 108) and ?m > 108)"
    assert negation.detail["written"] == "not (mm(?m) and range(?lo, ?hi) and ?m > ?hi)"


def test_why_not_a_hidden_auxiliary_shows_what_made_it_hold() -> None:
    d = run(HIDDEN, {"range": [(87, 108)], "mm": [(120,)]}).why_not("applicable(87, 108)")
    (rule,) = d.grounds
    (present,) = d.children(rule)
    assert present.kind == "present" and present.failed
    assert present.label == "not (mm(120) and range(87, 108) and 120 > 108) fails: all of it holds"
    assert [c.label for c in d.children(present)] == ["mm(120)", "range(87, 108)", "120 > 108"]
    assert not any(n.kind == "rule" and n.detail["rule"].startswith("_") for n in d.nodes.values())


ELIGIBLE = """
authority S "18 U.S.C. § 3582(c)(2)"
input offense_category(symbol)
input sentenced_on(date)
input level(int)
covered(drug)
rule eligible_offense:
    eligible if offense_category(?c) and covered(?c) and sentenced_on(?d) and ?d < 2014-11-01
rule by_level:
    eligible if level(?l) and ?l >= 30 and ?l <= 43
grant if eligible because S
"""


def test_why_not_names_the_input_the_case_does_not_state() -> None:
    d = run(ELIGIBLE, {"offense_category": [("drug",)], "level": [(29,)]}).why_not("eligible")
    assert not d.holds and d.mode == "why_not"
    first, second = d.grounds
    assert first.detail["failed_condition"] == "sentenced_on(?d)"
    assert first.detail["satisfied"] == ["offense_category(?c)", "covered(?c)"]
    assert first.detail["bindings"] == {"c": "drug"}
    (missing,) = d.children(first)
    assert missing.kind == "missing_input"
    assert missing.label == "the case does not state sentenced_on"
    # the first condition in written order that fails, with the values compared
    (failed,) = d.children(second)
    assert failed.kind == "comparison" and failed.failed
    assert failed.label == "29 >= 30 is false"
    assert failed.detail["compared"] == [[29, 30]]


def test_why_not_recurses_into_conditions_rules_could_conclude_to_the_depth() -> None:
    case = {"offense_category": [("drug",)], "level": [(29,)]}
    deep = run(ELIGIBLE, case).why_not("grant")
    (rule,) = deep.grounds
    (eligible,) = deep.children(rule)
    assert eligible.kind == "not_concluded" and eligible.label == "eligible"
    assert len(deep.children(eligible)) == 2
    shallow = run(ELIGIBLE, case).why_not("grant", depth=1)
    eligible = shallow.nodes[eligible.id]
    assert eligible.children == [] and eligible.detail["truncated"] is True


def test_why_not_a_wrong_value_shows_what_the_case_states() -> None:
    d = run(ELIGIBLE + "\nrule lvl: special if level(31)\n", {"level": [(29,)]}).why_not("special")
    (missing,) = d.children(d.grounds[0])
    assert missing.label == "the case does not state level(31)"
    assert missing.detail["existing"] == ["level(29)"]


def test_why_not_a_failed_negation_shows_the_derivation_of_what_holds() -> None:
    d = run(NEGATION, {"x": [(4,)], "flagged": [(4,)], "barred": [()]}).why_not("ok(4)")
    (present,) = d.children(d.grounds[0])
    assert present.label == "not blocked(4) fails: it holds"
    (blocked,) = d.children(present)
    assert blocked.kind == "conclusion" and blocked.label == "blocked(4)"
    assert d.children(blocked)[0].kind == "rule"


def test_why_not_with_no_rule_and_no_input() -> None:
    d = run("input a\nthing(1)\nfoo if thing(?x) and ?x > 1\n", {}).why_not("thing(2)")
    (node,) = d.children(d.root)
    assert node.kind == "missing"
    assert "no rule concludes thing(2)" in node.label


def test_depth_limits_the_derivation() -> None:
    d = run(SHARED, {"base": [(5,)]}).explain("top", depth=1)
    left = d.nodes["fact:left"]
    assert left.detail["truncated"] is True and left.children == []
    assert max(n.level for n in d.nodes.values()) == 1


def test_recursive_rules_give_a_dag_with_every_well_founded_ground() -> None:
    rules = """
    input edge(symbol, symbol)
    path(?a, ?b) if edge(?a, ?b)
    path(?a, ?c) if path(?a, ?b) and edge(?b, ?c)
    """
    edges = [("a", "b"), ("b", "c"), ("a", "c"), ("c", "a")]
    d = run(rules, {"edge": edges}).explain("path(a, c)")
    assert_dag(d)
    assert [g.detail["bindings"] for g in d.grounds] == [{"a": "a", "b": "c"}, {"a": "a", "c": "c", "b": "b"}]


def test_errors_are_usage_errors() -> None:
    result = run(GROUNDS, {"a": [()]})
    with pytest.raises(lexkb.UsageError, match="does not hold"):
        result.explain("q")
    with pytest.raises(lexkb.UsageError, match="holds for this case"):
        result.why_not("p")
    with pytest.raises(lexkb.UsageError) as error:
        result.explain("pp")
    assert error.value.hint == "did you mean 'p'?"
    with pytest.raises(lexkb.UsageError, match="takes 0 value"):
        result.explain("p(1)")


def test_case_facts_carry_their_quote_and_source(fixture_result: lexkb.Result) -> None:
    d = fixture_result.explain("deny")
    quoted = {n.label: n.detail for n in d.case_facts()}
    assert quoted["offense_level(29)"]["quote"] == "His total offense level was 29"
    assert quoted["offense_level(29)"]["source"] == "tests/fixtures/explain/sources/toy-order.txt"
    assert quoted["offense_level(29)"]["location"] == "tests/fixtures/explain/cases/toy.case:5"
    table = d.nodes["kb:table_range(29, I, 87, 108)"]
    assert table.kind == "kb_fact" and table.detail["location"] == "tests/fixtures/explain/reduction.rules:24"
    assert [g.detail["rule"] for g in d.grounds] == ["no_lowering", "at_the_floor", "same_range"]
    assert_dag(d)


def test_not_of_a_conjunction_sharing_a_variable_with_the_rule() -> None:
    rules = "input mm(int)\ninput range(int, int)\n" \
            "applicable(?lo, ?hi) if range(?lo, ?hi) and not (mm(?m) and ?m > ?hi)\n"
    held = run(rules, {"range": [(87, 108)], "mm": [(60,)]}).explain("applicable(87, 108)")
    assert [n.label for n in held.children(held.grounds[0])] == ["range(87, 108)", "not (mm(?m) and ?m > 108)"]
    failed = run(rules, {"range": [(87, 108)], "mm": [(120,)]}).why_not("applicable(87, 108)")
    (present,) = failed.children(failed.grounds[0])
    assert present.label == "not (mm(120) and 120 > 108) fails: all of it holds"
    assert "mm(120)" in [c.label for c in failed.children(present)]


def test_explanations_write_terms_with_the_parentheses_they_need() -> None:
    rules = "input a(int)\nr(?y) if a(?x) and ?y = ?x - (1 - 2) * 3 and ?x - (1 - 2) > 0\n"
    d = run(rules, {"a": [(4,)]}).explain("r(7)")
    (rule,) = d.grounds
    binding, comparison = d.children(rule)[1:]
    assert binding.detail["expression"] == "?x - (1 - 2) * 3"
    assert binding.detail["computed"] == "4 - (1 - 2) * 3"
    assert comparison.detail["written"] == "?x - (1 - 2) > 0"
    assert comparison.label == "4 - (1 - 2) > 0"


def test_a_compound_negation_is_written_as_the_rule_writes_it() -> None:
    rules = "input a\ninput b\ninput c\nr if not (a and (b or c))\n"
    d = run(rules, {"b": [()]}).explain("r")
    (absent,) = d.children(d.grounds[0])
    assert absent.kind == "absent" and absent.detail["written"] == "not (a and (b or c))"
