"""Evaluation semantics by example: small programs → the facts they must yield."""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import lexkb
from lexkb import EvaluationError, Text, loads

# (rules, predicate, the facts expected of it)
TABLE = [
    # kinds: comparisons across kinds are false when the values meet at run time (with kinds known at
    # check time, as for constants or declared inputs, they are errors: tests/compile/test_kinds.py)
    ("k(life)\np if k(?x) and 120 < ?x", "p", []),
    ("k(life)\np if k(?x) and ?x > 120", "p", []),
    ("k(life)\np if k(?x) and 120 != ?x", "p", [()]),
    ("k(life)\np if k(?x) and 120 = ?x", "p", []),
    ('s("120")\np if s(?x) and ?x = 120', "p", []),
    ('s("drug")\nsym(drug)\np if s(?x) and sym(?x)', "p", []),
    ('k(drug)\np if k(?x) and "drug" = ?x', "p", []),
    ('k(drug)\np if k(?x) and "drug" != ?x', "p", [()]),
    ('p if "drug" = "drug"', "p", [()]),
    ("k(2012-10-24)\np if k(?x) and ?x < 5", "p", []),
    ("k(2012-10-24)\np if k(?x) and ?x != 5", "p", [()]),
    # dates compare chronologically
    ("p if 2012-12-31 < 2013-01-01", "p", [()]),
    ("p if 2012-10-24 >= 2012-10-24", "p", [()]),
    ("d(2014-11-01)\nd(2012-10-24)\nd(2013-01-01)\nlater(?a) if d(?a) and d(?b) and ?a > ?b", "later",
     [(datetime.date(2013, 1, 1),), (datetime.date(2014, 11, 1),)]),
    # arithmetic: integers only; anything else makes the branch fail, not the run
    ("q(5)\nq(life)\nq(2012-10-24)\nq(\"7\")\np(?y) if q(?x) and ?y = ?x + 1", "p", [(6,)]),
    ("q(5)\nq(life)\np(?y) if q(?x) and ?y = min(?x, 3)", "p", [(3,)]),
    ("q(4)\np(?y) if q(?x) and ?y = ?x * -3 - 2", "p", [(-14,)]),
    ("q(4)\np(?y) if q(?x) and ?y = max(?x - 10, -1) * (2 + 1)", "p", [(-3,)]),
    ("q(4)\np if q(?x) and ?x + 1 > 4", "p", [()]),
    # binding vs testing: `=` binds an unbound variable, tests a bound one
    ("q(4)\nr(5)\np(?x) if q(?x) and r(?y) and ?y = ?x + 1", "p", [(4,)]),
    ("q(4)\nr(6)\np(?x) if q(?x) and r(?y) and ?y = ?x + 1", "p", []),
    # repeated variables, constants in atoms
    ("e(1, 1)\ne(1, 2)\ne(3, 3)\nloop(?x) if e(?x, ?x)", "loop", [(1,), (3,)]),
    ("e(1, 1)\ne(1, 2)\nfrom_one(?y) if e(1, ?y)", "from_one", [(1,), (2,)]),
    # recursion
    ("e(1, 2)\ne(2, 3)\ne(3, 1)\ne(4, 5)\ntc(?x, ?y) if e(?x, ?y)\ntc(?x, ?z) if tc(?x, ?y) and e(?y, ?z)\n"
     "cyclic(?x) if tc(?x, ?x)", "cyclic", [(1,), (2,), (3,)]),
    ("n(0)\nn(?y) if n(?x) and ?y = ?x + 1 and ?y <= 5\neven(0)\neven(?y) if odd(?x) and n(?y) and ?y = ?x + 1\n"
     "odd(?y) if even(?x) and n(?y) and ?y = ?x + 1", "odd", [(1,), (3,), (5,)]),
    # negation, unless, or, not (a and b)
    ("input barred\ngrant if not barred", "grant", [()]),
    ("barred\ngrant if not barred", "grant", []),
    ("q(1)\nq(2)\nbad(2)\nok(?x) if q(?x) unless bad(?x)", "ok", [(1,)]),
    ("q(1)\nq(2)\nq(3)\np(?x) if q(?x) and (?x = 1 or ?x = 3)", "p", [(1,), (3,)]),
    ("q(1)\nq(2)\na(1)\na(2)\nb(2)\np(?x) if q(?x) and not (a(?x) and b(?x))", "p", [(1,)]),
    ("q(1)\nq(2)\np(?x) if q(?x) and not (?x > 1)", "p", [(1,)]),
    ("q(1)\nq(2)\np(?x) if q(?x) and not not (?x > 1)", "p", [(2,)]),
    # zero-arity atoms
    ("z\np if z and not w\ninput w", "p", [()]),
    # strings keep their escapes as characters
    ('q("a \\"b\\" \\\\ c")\np(?x) if q(?x)', "p", [(Text('a "b" \\ c'),)]),
]


@pytest.mark.parametrize(("rules", "predicate", "expected"), TABLE, ids=[r.split("\n")[-1][:50] for r, _, _ in TABLE])
def test_semantics(rules: str, predicate: str, expected: list[tuple]) -> None:
    result = lexkb.loads(rules + "\n").run()
    assert result.facts(predicate) == expected


def test_strings_and_symbols_stay_apart_in_output() -> None:
    result = lexkb.loads('q("drug")\nq(drug)\np(?x) if q(?x)\n').run()
    assert result.facts("p") == [("drug",), (Text("drug"),)]
    assert [type(v) for (v,) in result.facts("p")] == [str, Text]


DETERMINISM_RULES = """
input item(symbol, int)
input label(string)
pair(?a, ?b) if item(?a, ?x) and item(?b, ?y) and ?x < ?y
named(?l, ?a) if label(?l) and item(?a, ?x) and ?x > 2
when(2012-10-24)
"""
DETERMINISM_CASE = """
case mixed
item(zeta, 3)
item(alpha, 1)
item(mu, 5)
item(beta, 2)
item(omega, 4)
label("second")
label("first")
label("Ångström")
"""


def test_same_input_gives_identical_bytes_across_hash_seeds(tmp_path: Path) -> None:
    (tmp_path / "kb.rules").write_text(DETERMINISM_RULES, encoding="utf-8")
    (tmp_path / "c.case").write_text(DETERMINISM_CASE, encoding="utf-8")
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-c", "from lexkb.cli import main; main()", "run", "kb.rules",
                               "--case", "c.case", "--format", "json"], cwd=tmp_path, env=env,
                              capture_output=True, check=False)
        assert done.returncode == 0, done.stderr.decode()
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]
    data = json.loads(outputs[0])
    assert data["facts"]["when"] == [["2012-10-24"]]
    assert data["facts"]["pair"][0] == ["alpha", "beta"]
    assert len(data["facts"]["pair"]) == 10


def test_the_fact_limit_names_the_runaway_rule(write, lexkb) -> None:  # type: ignore[no-untyped-def]
    path = write("runaway.rules", "n(0)\nrule count_up: n(?y) if n(?x) and ?y = ?x + 1\nbounded(?x) if n(?x)\n")
    outcome = lexkb("run", str(path), "--max-facts", "500")
    assert outcome.code == 2
    assert "rule count_up" in outcome.err and "--max-facts" in outcome.err
    assert outcome.out == ""
    with pytest.raises(EvaluationError, match="count_up"):
        loads("n(0)\nrule count_up: n(?y) if n(?x) and ?y = ?x + 1\n", fact_limit=100).run()


SPLIT_RULES = """
input offense_level(int)
input career_offender
table(10, 6, 12)
table(20, 33, 41)
table(30, 97, 121)
range(?lo, ?hi) if offense_level(?l) and table(?l, ?lo, ?hi)
reference(?l) if table(?l, ?lo, ?hi) and ?lo > 10
enhanced(?l2) if offense_level(?l) and career_offender and ?l2 = ?l + 10
"""


def test_one_knowledge_base_runs_independent_cases() -> None:
    """The case-independent facts are shared; nothing of one case leaks into the next."""
    kb = lexkb.loads(SPLIT_RULES)
    first = kb.run({"offense_level": [(10,)]})
    second = kb.run({"offense_level": [(20,)], "career_offender": [()]})
    again = kb.run({"offense_level": [(10,)]})
    assert first.facts("range") == [(6, 12)] and first.facts("enhanced") == []
    assert second.facts("range") == [(33, 41)] and second.facts("enhanced") == [(30,)]
    assert again.to_json() == first.to_json()
    assert first.facts("reference") == second.facts("reference") == [(20,), (30,)]
    for case, result in (({"offense_level": [(10,)]}, first),
                         ({"offense_level": [(20,)], "career_offender": [()]}, second)):
        assert lexkb.loads(SPLIT_RULES).run(case).to_json() == result.to_json()


def test_derivation_records_rebuild_the_match() -> None:
    """A derived fact's record rebuilds the values of all its branch's variables."""
    from lexkb.evaluate.engine import bindings

    result = lexkb.loads("q(4)\nr(5)\np(?y) if q(?x) and r(?y) and ?y > ?x\n").run()
    record = result.record("p", (5,))
    branch, env = bindings(result.program, (5,), record)
    assert env == {"y": 5, "x": 4}
    assert record == (branch.id, 4)  # compact: ?y stands alone in the conclusion, so it is read back from p(5)
    assert bindings(result.program, (4,), result.record("q", (4,))) is None
    assert isinstance(result.record("q", (4,)), lexkb.Given)
