"""The z3 encoding, evaluated on concrete inputs, gives exactly the engine's facts.

Every input slot is fixed to one fact of a generated case (present, with its
values); z3 then decides every guard, and the tuples whose guard holds must be
the engine's facts for that case, predicate by predicate. Recursive predicates
are unfolded as many rounds as the engine needed facts, so the bounded
unfolding is exact here; predicates the encoding gives up on (abstracted) and
those reading them are left out, as verify leaves them out.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import z3
from evaluate.programs import MIXED, Program, programs, to_lexkb
from hypothesis import given, settings

import lexkb
from lexkb.compile.semantics import FAIL, ORDERINGS, compare, term_value
from lexkb.evaluate.matching import Matcher
from lexkb.research.symbolic import Encoding
from lexkb.research.symbolic_values import Slot, V, const, make_slot, sym_compare, zv
from lexkb.values import Text, Value


def plain(model: z3.ModelRef, term: object) -> Value:
    """A z3 Value in a model, as the engine's value."""
    value = model.eval(zv(term), model_completion=True)
    if z3.is_true(model.eval(V.is_int_(value))):
        return model.eval(V.num(value)).as_long()  # type: ignore[union-attr]
    if z3.is_true(model.eval(V.is_dec_(value))):  # a decimal: a fraction of few places, exact in 28 digits
        real = model.eval(V.real(value))
        return Decimal(real.numerator_as_long()) / Decimal(real.denominator_as_long())  # type: ignore[union-attr]
    if z3.is_true(model.eval(V.is_date_(value))):
        return datetime.date.fromordinal(model.eval(V.day(value)).as_long())  # type: ignore[union-attr]
    if z3.is_true(model.eval(V.is_text_(value))):
        return Text(model.eval(V.chars(value)).as_string())  # type: ignore[union-attr]
    return model.eval(V.name(value)).as_string()  # type: ignore[union-attr]


def rounds_needed(kb: lexkb.KnowledgeBase, relations: dict) -> int:
    """How many rounds of applying its rules each recursive stratum needs to reach the engine's facts."""
    most = 0
    for stratum in kb.program.strata:
        if stratum[0] not in kb.program.recursive:
            continue
        current = {**relations, **{p: {} for p in stratum}}
        rounds = 0
        while True:
            matcher = Matcher(current)
            step = {p: {head: None for branch in kb.program.branches_for(p) for env in matcher.matches(branch)
                        if FAIL not in (head := tuple(term_value(a, env) for a in branch.head.args))}
                    for p in stratum}
            if all(step[p].keys() == current[p].keys() for p in stratum):
                break
            current = {**current, **step}
            rounds += 1
        most = max(most, rounds)
    return most


def check_encoding(program: Program) -> None:
    program.as_inputs = True
    kb = lexkb.loads(to_lexkb(program), "generated.rules")
    expected = kb.run(program.case()).relations
    slots: list[Slot] = []
    constraints: list[z3.BoolRef] = []
    for predicate, decl in sorted(kb.program.inputs.items()):
        for i, row in enumerate(program.facts[predicate]):
            slot, obeys = make_slot(predicate, [t.text for t in decl.types], f"{predicate}#{i}")
            slots.append(slot)
            constraints += [*obeys, slot.present, *(v == const(a) for v, a in zip(slot.values, row))]
    static = kb.run({}).relations
    depth = 1 + rounds_needed(kb, expected)
    encoding = Encoding(kb.program, kb.engine, static, slots, constraints, depth)
    solver = z3.Solver()
    guards = [g for predicate in kb.program.arities for g, _ in encoding.rows(predicate)]
    solver.add(*constraints, *encoding.named.definitions(*guards))  # the named guards' definitions
    assert solver.check() == z3.sat
    model = solver.model()
    inexact = kb.program.dependents(encoding.abstracted)
    for predicate in kb.program.arities:
        if predicate in inexact:
            continue
        got = {tuple(plain(model, a) for a in args) for guard, args in encoding.rows(predicate)
               if guard is True or (guard is not False and z3.is_true(model.eval(guard, model_completion=True)))}
        assert got == set(expected[predicate]), (predicate, to_lexkb(program), program.case())


@settings(max_examples=30, deadline=None)
@given(programs(MIXED, max_rows=5))
def test_the_encoding_on_concrete_inputs_gives_the_engines_facts(program: Program) -> None:
    check_encoding(program)


def test_comparisons_on_symbolic_values_follow_the_semantics() -> None:
    """Every comparison with one or both sides symbolic holds exactly when the interpreter's does."""
    values: list[Value] = [3, 5, datetime.date(2024, 1, 1), datetime.date(2024, 1, 2), "a", "b", Text("a")]
    x, y = z3.Const("x", V), z3.Const("y", V)
    for op in ("=", "!=", "<", "<=", ">", ">="):
        for value in values:
            for other in values:
                for right in (other, y):
                    guard = sym_compare(op, x, right)
                    if not isinstance(guard, bool):
                        guard = z3.is_true(z3.simplify(z3.substitute(guard, (x, const(value)), (y, const(other)))))
                    assert guard == compare(op, value, other), (op, value, other, right)


def test_comparisons_of_integers_by_construction_are_z3s_own_orderings() -> None:
    """``int_(i) < 4`` and the like are the orderings of the integers, the very terms z3's operators build
    (sym_compare builds them through the C API: operand order included), and hold as the engine's."""
    i, j = z3.Int("i"), z3.Int("j")
    operands: list[tuple[object, z3.ArithRef]] = [
        (V.int_(i), i), (V.int_(j), j), (4, z3.IntVal(4)), (V.int_(z3.IntVal(7)), z3.IntVal(7))]
    for op, order in ORDERINGS.items():
        for a, za in operands:
            for b, zb in operands:
                if not z3.is_expr(a) and not z3.is_expr(b):
                    continue
                guard = sym_compare(op, a, b)
                assert guard.eq(order(za, zb)), (op, a, b, guard)
                for vi, vj in ((3, 5), (5, 5), (7, 4)):
                    value = z3.is_true(z3.simplify(z3.substitute(guard, (i, z3.IntVal(vi)), (j, z3.IntVal(vj)))))
                    plain = [z3.simplify(z3.substitute(z, (i, z3.IntVal(vi)), (j, z3.IntVal(vj)))).as_long()
                             for z in (za, zb)]
                    assert value == compare(op, plain[0], plain[1]), (op, a, b, vi, vj)


def test_a_table_with_a_key_is_read_as_functions_over_a_bounded_domain() -> None:
    """level × category → (lo, hi) is found as the key; levels 1..43 become a bounded integer, not 43 cases."""
    from lexkb.research.tables import ReferenceTable, functional_key

    rows: list[tuple[Value, ...]] = [(level, c, level * 2, level * 3) for level in range(1, 44) for c in ("I", "II")]
    key = functional_key(rows)
    assert key == (0, 1)
    table = ReferenceTable("t", rows, key)
    level, category = z3.Const("l", V), z3.Const("c", V)
    solver = z3.Solver()
    solver.add(*table.axioms, table.in_domain([level, category]))
    solver.add(table.value(3, [level, category]) == const(30))
    assert solver.check() == z3.sat
    assert solver.model().eval(level) == const(10)
    solver.add(V.num(level) > 43)
    assert solver.check() == z3.unsat
    assert "<=" in str(table.in_domain([level, category]))  # a range, not a disjunction of 43 levels
    assert functional_key([(1, "a"), (1, "b"), (2, "a"), (2, "b")]) is None  # a plain set of rows


def test_the_cycle_collector_runs_less_often_while_encoding_and_as_before_afterwards() -> None:
    import gc
    from unittest import mock

    kb = lexkb.loads("input level(int)\nrule r: high(?l) if level(?l) and ?l > 3\n")
    slot, constraints = make_slot("level", ["int"], "level#1")
    during: list[tuple[int, int, int]] = []
    real_compute = Encoding._compute

    def compute(self: Encoding, predicate: str) -> object:
        during.append(gc.get_threshold())
        return real_compute(self, predicate)

    before = gc.get_threshold()
    with mock.patch.object(Encoding, "_compute", compute):
        Encoding(kb.program, kb.engine, {}, [slot], constraints, 1)
    assert during and all(t[0] >= 50_000 and t[1:] == before[1:] for t in during)
    assert gc.get_threshold() == before
