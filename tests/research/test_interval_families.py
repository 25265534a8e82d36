"""A run of consecutive integers under one guard is one family tuple over a bounded integer (research/families.py).

``count(0)`` … ``count(N)``, all concluded by one rule on one condition, is
encoded as one tuple ``count(p)`` with ``0 <= p <= N`` in its guard; joins
carry it as one symbolic match; a test whose argument the parameter stands at
(``not cand(?m)`` with ``?m = ?n - 1``) substitutes it; a parameter no argument
shows (a zero-argument conclusion drawn from the family) is eliminated by a
quantifier over the bounded integer. Checked here against the engine:

- with every input fixed to a case, z3 decides each fact (and non-fact) of
  every predicate exactly as the engine concludes it (cases enumerated, and
  generated rule bases);
- verify on a rule base whose range (0..9999) the encoding could not hold
  before (10,000 plain tuples: "too large to encode", searched only) now proves
  a fixed rule base clean and finds a planted gap, its claims checked against
  the engine on every case of a small domain.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lexkb
from lexkb.research import families
from lexkb.research.families import Parameters, SymTuple
from lexkb.research.symbolic import Encoding
from lexkb.research.symbolic_values import V, conj, const, make_slot
from lexkb.research.verify import Report, verify

z3 = pytest.importorskip("z3")

DIGITS = "\n".join(f"digit({d})" for d in range(10))
INPUTS = "input flag\ninput value(int)\ninput weight(int)\n"


def family_rules(coefficient: int, offset: int, op: str, shift: int) -> str:
    """count(0..99) under `flag`, joined with inputs through a linear comparison; tests and negations of it."""
    return f"""{INPUTS}{DIGITS}
rule counting: count(?n) if flag and digit(?t) and digit(?u) and ?n = 10 * ?t + ?u
rule candidates: cand(?n) if count(?n) and value(?v) and weight(?w) and {coefficient} * ?n + {offset} {op} ?v + 2 * ?w
rule least: least(?n) if cand(?n) and ?m = ?n - 1 and not cand(?m)
rule shifted: edge(?n) if cand(?n) and ?k = ?n + {shift} and not cand(?k)
rule below: below if value(?v) and least(?f) and ?v <= ?f
rule beyond: beyond if flag and not below
rule some: some_candidate if cand(?n)
rule none: no_candidate if flag and not some_candidate
rule doubled: twice(?d) if least(?f) and ?d = 2 * ?f
"""


def encode(kb: lexkb.KnowledgeBase, case: dict[str, list[tuple]]) -> tuple[Encoding, list]:
    """The encoding with one slot per fact of ``case``, each slot fixed to its fact (present, with its values)."""
    slots = []
    constraints: list = []
    for predicate, decl in sorted(kb.program.inputs.items()):
        for i, row in enumerate(case.get(predicate, [])):
            slot, obeys = make_slot(predicate, [t.text for t in decl.types], f"{predicate}#{i}")
            slots.append(slot)
            constraints += [*obeys, slot.present, *(v == const(a) for v, a in zip(slot.values, row))]
    static = kb.run({}).relations
    return Encoding(kb.program, kb.engine, static, slots, constraints, 1), constraints


def check_case(kb: lexkb.KnowledgeBase, case: dict[str, list[tuple]], probes: range) -> Encoding:
    """Every predicate's facts, as z3 decides them from the encoding, are exactly the engine's for ``case``."""
    expected = kb.run(case).relations
    encoding, constraints = encode(kb, case)
    assert not encoding.abstracted, encoding.abstracted
    for predicate, arity in kb.program.arities.items():
        if predicate in kb.program.inputs:
            continue
        candidates = [()] if arity == 0 else [(n,) for n in probes] if arity == 1 else []
        candidates += [args for args in expected.get(predicate, {}) if args not in candidates]
        for args in candidates:
            formula = encoding.holds(predicate, args)
            held = args in expected.get(predicate, {})
            if isinstance(formula, bool):
                assert formula == held, (predicate, args, case)
                continue
            solver = z3.Solver()
            solver.add(*constraints, *encoding.named.definitions(formula))
            solver.add(z3.Not(formula) if held else formula)  # the other answer must be impossible
            assert solver.check() == z3.unsat, (predicate, args, case, held)
    return encoding


def test_a_run_of_integers_is_one_family_and_every_fact_is_the_engines() -> None:
    kb = lexkb.loads(family_rules(3, 1, ">", 2), "family.rules")
    values = [-4, 0, 7, 40, 400]
    cases: list[dict[str, list[tuple]]] = [{}, {"flag": [()]}]
    for value, weight in itertools.product(values, [-3, 0, 5]):
        cases.append({"flag": [()], "value": [(value,)], "weight": [(weight,)]})
    cases.append({"flag": [()], "value": [(5,), (200,)], "weight": [(0,), (30,)]})  # two facts: a union of runs
    cases.append({"value": [(5,)], "weight": [(0,)]})  # no flag: no count, nothing below
    encodings = [check_case(kb, case, range(-2, 102)) for case in cases]
    encoding = encodings[-2]  # flag, two values, two weights
    # one tuple for the 100 counts, one family for each relation drawn from it: no enumeration
    assert [len(encoding.tuples(p)) for p in ("count", "cand", "least")] == [1, 1, 1]
    assert all(row.params for p in ("count", "cand", "least") for row in encoding.tuples(p))


@settings(max_examples=12, deadline=None)
@given(st.integers(-3, 4), st.integers(-20, 20), st.sampled_from(["<", "<=", ">", ">=", "=", "!="]),
       st.integers(-2, 3), st.lists(st.integers(-30, 150), min_size=1, max_size=2), st.integers(-10, 10))
def test_families_from_generated_comparisons_give_the_engines_facts(
        coefficient: int, offset: int, op: str, shift: int, values: list[int], weight: int) -> None:
    kb = lexkb.loads(family_rules(coefficient, offset, op, shift), "family.rules")
    case = {"flag": [()], "value": [(v,) for v in values], "weight": [(weight,)]}
    check_case(kb, case, range(-3, 103))


def test_a_parameter_is_substituted_where_an_argument_binds_it_and_quantified_where_none_does() -> None:
    params = Parameters()
    flag = z3.Bool("flag")
    family = params.interval(SymTuple(flag, (0, "x")), 0, 0, 199)
    (param,) = family.params
    assert family.args == (V.int_(param), "x")
    # bound: no parameter is left, no quantifier is made
    bound = params.member(family, (V.int_(z3.Int("k")), "x"))
    assert not families.occurs([param], bound) and "Exists" not in str(bound)
    assert params.member(family, (5, "y")) is False or z3.is_false(z3.simplify(params.member(family, (5, "y"))))
    assert params.member(family, ("sym", "x")) is False  # a symbol is never int_(p)
    # unbound: exists p in 0..199 — a quantifier, equivalent to the expansion over the 200 values
    closed = params.eliminate(family.params, conj(family.guard, z3.Int("k") == param * 3))
    expanded = z3.Or([z3.And(flag, z3.Int("k") == 3 * n) for n in range(200)])
    assert "Exists" in str(closed)
    solver = z3.Solver()
    solver.add(closed != expanded)
    assert solver.check() == z3.unsat
    # a short interval is expanded instead (no quantifier)
    short = params.interval(SymTuple(flag, (0,)), 0, 10, 10 + families.EXPAND_MAX - 1)
    assert "Exists" not in str(params.eliminate(short.params, short.guard))


# ---------------------------------------------------------------- verify, end to end

LARGE = f"""input flag
input value(int)
outcomes grant, deny
{DIGITS}
rule counting:
    count(?n) if flag and digit(?a) and digit(?b) and digit(?c) and digit(?d)
                 and ?n = 1000 * ?a + 100 * ?b + 10 * ?c + ?d
rule candidates: cand(?n) if count(?n) and value(?v) and 3 * ?n > ?v
rule least: least(?n) if cand(?n) and ?m = ?n - 1 and not cand(?m)
rule deny_small: deny if value(?v) and least(?f) and ?f <= LIMIT
rule grant_unflagged: grant if not flag
rule grant_large: grant if flag and value(?v) and ?v >= 15
rule grant_no_value: grant if flag and not has_value
rule has_a_value: has_value if value(?v)
rule never: deny if least(?f) and ?f > 9999
"""


def check_against_engine(kb: lexkb.KnowledgeBase, report: Report) -> None:
    """What verify claims holds on every case with at most one `value` (around the boundaries), either `flag`:
    no conflict or gap it did not report, and no rule it called dead fires."""
    kinds = {f.kind for f in report.findings}
    dead = {f.message.split()[1] for f in report.findings if f.kind == "dead"}
    matcher_rules = {b.id: b.rule.name for b in kb.program.branches}
    for value in [None, *range(-3, 40), 29996, 29997, 29998, 40000]:
        for flag in (False, True):
            case = {**({"value": [(value,)]} if value is not None else {}), **({"flag": [()]} if flag else {})}
            result = kb.run(case)
            held = set(result.outcomes)
            assert "conflict" in kinds or held != {"grant", "deny"}, case
            assert "gap" in kinds or held, case
            fired = {matcher_rules[b] for b in _fired_branches(kb, result)}
            assert not fired & dead, (case, fired & dead)


def _fired_branches(kb: lexkb.KnowledgeBase, result: object) -> set[int]:
    from lexkb.evaluate.matching import Matcher

    matcher = Matcher(result.relations)  # type: ignore[attr-defined]
    return {b.id for b in kb.program.branches if next(iter(matcher.matches(b)), None) is not None}


def test_verify_proves_a_rule_base_through_a_range_of_ten_thousand_exactly() -> None:
    """deny holds exactly when the least n with 3n > v is at most 5, i.e. v <= 14: to prove no gap and no
    conflict, z3 reasons about every n of 0..9999 (the least one is under a negation). Before, `count` was "too
    large to encode" (10,000 tuples): searched, nothing about it proved."""
    kb = lexkb.loads(LARGE.replace("LIMIT", "5"), "large.rules")
    report = verify(kb, bound=1)
    assert not report.gave_up, report.gave_up
    assert report.searched == [], report.searched
    assert [(f.kind, f.message) for f in report.findings] == [("dead", "rule never can never fire")]
    check_against_engine(kb, report)


def test_verify_finds_a_gap_planted_behind_the_range() -> None:
    """With `?f <= 4`, values 12..14 have least term 5: neither outcome holds. verify finds the gap (its witness
    run by the engine) and proves there is no conflict."""
    kb = lexkb.loads(LARGE.replace("LIMIT", "4"), "large.rules")
    report = verify(kb, bound=1)
    assert not report.gave_up, report.gave_up
    assert report.searched == [], report.searched
    assert sorted(f.kind for f in report.findings) == ["dead", "gap"]
    (gap,) = [f for f in report.findings if f.kind == "gap"]
    table: dict[str, list[tuple]] = {}
    for predicate, args in gap.facts:
        table.setdefault(predicate, []).append(args)
    assert table["flag"] == [()] and 12 <= table["value"][0][0] <= 14, gap.facts
    assert kb.run(table).outcomes == []
    check_against_engine(kb, report)
