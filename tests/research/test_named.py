"""Named guards (lexkb.research.named): a query is given the definitions its formula reaches."""

from __future__ import annotations

from random import Random
from typing import Any

import z3

from lexkb.research import z3_calls
from lexkb.research.families import EXPAND_MAX, Parameters, SymTuple, substitute
from lexkb.research.named import NamedGuards
from lexkb.research.symbolic_values import V, conj, disj, neg, sym_compare, veq


def test_definitions_reach_through_connectives_and_names() -> None:
    x = z3.Int("x")
    named = NamedGuards()
    inner = named.name("inner", z3.And(x > 1, x < 5))
    outer = named.name("outer", z3.Or(inner, x == 9))
    unrelated = named.name("unrelated", x == 3)
    found = {str(d) for d in named.definitions(z3.Not(outer))}
    assert any(s.startswith("outer") for s in found) and any(s.startswith("inner") for s in found)
    assert not any(s.startswith("unrelated") for s in found), unrelated


def test_definitions_reach_into_a_quantifier() -> None:
    # a family over a bounded integer is closed by `Exists n. lo <= n <= hi and guard(n)`:
    # a name inside must be defined, or the solver takes it as free (any value)
    n, y = z3.Int("n"), z3.Int("y")
    named = NamedGuards()
    inside = named.name("inside", z3.And(y > 3, y < 7))
    closed = z3.Exists([n], z3.And(n >= 0, n <= 1999, inside, n == y))
    definitions = named.definitions(closed)
    assert [str(d).split(" ")[0] for d in definitions] == [str(inside)]
    solver = z3.Solver()
    solver.add(*definitions, closed, y == 10)
    assert solver.check() == z3.unsat  # with the definition, y = 10 is not inside


# What a definition reads is found from the skeletons conj/disj/neg and substitution record, each shared part
# once (named.py): the tests below compare it with a plain walk of the terms, which is what it replaced.

def _walked(named: NamedGuards, formula: Any) -> list[int]:
    """The names a depth-first walk of ``formula``'s connectives finds, in order (the walk named.py replaced)."""
    found: list[int] = []
    seen: set[int] = set()
    todo = [formula]
    while todo:
        term = todo.pop()
        if term.get_id() in seen:
            continue
        seen.add(term.get_id())
        if term.get_id() in named._definitions:
            found.append(term.get_id())
        elif z3.is_quantifier(term):
            todo.append(term.body())
        elif z3.is_and(term) or z3.is_or(term) or z3.is_not(term):
            todo.extend(term.children())
    return found


def _reached(named: NamedGuards, formula: Any) -> list[int]:
    """The ids of the definitions' names, in the order ``definitions`` gives them, as the walk finds them."""
    out: list[int] = []
    todo = list(_walked(named, formula))
    while todo:
        key = todo.pop()
        if key not in out:
            out.append(key)
            todo.extend(_walked(named, named._definitions[key][1]))
    return out


def _names_of(named: NamedGuards, definitions: list[z3.BoolRef]) -> list[int]:
    by_definition = {d.get_id(): key for key, (d, _) in named._definitions.items()}
    return [by_definition[d.get_id()] for d in definitions]


def test_a_name_under_a_shared_part_is_read_by_every_guard_that_holds_it() -> None:
    x = z3.Int("x")
    named = NamedGuards()
    deep = named.name("deep", conj(x > 1, x < 5))
    shared = disj([conj(deep, x > 2), x == 7])  # one part, in both guards below
    first = named.name("first", conj(shared, x > 0))
    second = named.name("second", conj(x < 9, shared))
    assert _names_of(named, named.definitions(first)) == _reached(named, first)
    # the second guard's reads come from what was found for the first (the shared part is not looked at again)
    found = named.definitions(second)
    assert _names_of(named, found) == _reached(named, second)
    assert any(str(d).startswith("deep") for d in found)


def test_a_name_under_a_not_and_under_a_comparison_only_part() -> None:
    x = z3.Int("x")
    named = NamedGuards()
    inner = named.name("inner", conj(x > 1, x < 5))
    guard = conj(sym_compare("<", V.int_(x), 3), neg(disj([inner, x == 4])))
    outer = named.name("outer", guard)
    assert [str(d).split(" ")[0] for d in named.definitions(outer)] == [str(outer), str(inner)]


def test_a_substituted_guard_reads_the_names_of_the_guard_it_was_made_from() -> None:
    p, x = z3.FreshConst(V, "p"), z3.Int("x")
    named = NamedGuards()
    inner = named.name("inner", conj(x > 1, x < 5))
    family = disj([conj(inner, veq(p, V.int_(x))), conj(neg(inner), veq(p, 3))])
    member = substitute(family, [(p, V.int_(z3.IntVal(9)))])
    assert not member.eq(family)
    definitions = named.definitions(member)
    assert _names_of(named, definitions) == _reached(named, member) == [inner.get_id()]


def test_a_family_closed_by_a_quantifier_reads_the_names_inside() -> None:
    x = z3.Int("x")
    named = NamedGuards()
    params = Parameters()
    inner = named.name("inner", conj(x > 1, x < 5))
    row = params.interval(SymTuple(conj(inner, x > 0), (0,)), 0, 0, EXPAND_MAX + 10)
    closed = params.eliminate(row.params, row.guard)
    assert z3.is_quantifier(closed)
    outer = named.name("outer", disj([closed, x == 3]))
    assert _names_of(named, named.definitions(outer)) == _reached(named, outer) == [outer.get_id(), inner.get_id()]


def test_the_parts_of_a_guard_read_what_they_read_in_the_guard() -> None:
    # symbolic.Encoding._named names the parts of a family's guard (bool_children): each part must read
    # the names it holds, though it is a new Python term, built by no conj
    x = z3.Int("x")
    named = NamedGuards()
    inner = named.name("inner", conj(x > 1, x < 5))
    guard = substitute(disj([conj(inner, x > 2), neg(inner), x == 1]), [(x, z3.IntVal(3))])
    parts = z3_calls.bool_children(guard)
    renamed = [named.name(f"part{i}", part) for i, part in enumerate(parts)]
    for part in renamed:
        assert _names_of(named, named.definitions(part)) == _reached(named, part)
    assert [len(named.definitions(part)) for part in renamed] == [2, 2, 1]


def test_definitions_agree_with_the_walk_on_random_guards() -> None:
    x = z3.Int("x")
    random = Random(5)
    named = NamedGuards()
    pool: list[Any] = [x > i for i in range(4)]
    for i in range(300):
        parts = random.sample(pool, random.randint(1, 4))
        how = random.randrange(4)
        made = (conj(*parts) if how == 0 else disj(parts) if how == 1 else neg(parts[0]) if how == 2
                else substitute(conj(*parts), [(x, z3.IntVal(i))]))
        if isinstance(made, bool):
            continue
        pool.append(named.name("n", made) if random.random() < 0.3 else made)
    for formula in random.sample(pool, 60):  # the reads found for one formula are kept for the next
        assert _names_of(named, named.definitions(formula)) == _reached(named, formula)
