"""Named guards (lexkb.research.named): a query is given the definitions its formula reaches."""

from __future__ import annotations

import z3

from lexkb.research.named import NamedGuards


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
