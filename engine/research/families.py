"""Families of symbolic tuples: table keys as parameters over finite domains, eliminated without quantifiers.

A symbolic tuple may stand for many tuples at once: a read of a reference
table whose keys are not known (which cells have this range?) ranges over the
table's keys (:mod:`lexkb.research.tables`). Its *parameters* are
existential: left free where the tuple is read positively (z3 treats a free
constant as "some value"; each read gets fresh copies, so two reads choose
independently), and eliminated where an existential must be closed — in a
membership test, which a `not` negates. Elimination is by expansion over the
parameter's finite domain (the values of its key column; the read's key-domain
guard keeps only real keys), so no formula the solver sees quantifies.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import z3

from lexkb.research.symbolic_values import Guard, Term, V, conj, disj, symbolic, veq, zv


class SymTuple(NamedTuple):
    """A guarded tuple; ``params`` are the table keys it ranges over (existential).

    With no parameters it is one tuple, concluded when ``guard`` holds; with
    parameters it stands for every tuple ``args`` under a choice of them that
    makes ``guard`` true.
    """

    guard: Guard
    args: tuple[Term, ...]
    params: tuple[z3.ExprRef, ...] = ()


class Parameters:
    """Every parameter made so far, with the finite set of values it ranges over."""

    def __init__(self) -> None:
        self._domains: dict[int, tuple[Term, ...]] = {}

    def over_values(self, params: Sequence[z3.ExprRef], columns: Sequence[Sequence[Term]]) -> None:
        """Each parameter ranges over the values of its column (table keys)."""
        for param, column in zip(params, columns):
            self._domains[param.get_id()] = tuple(column)

    def renamed(self, row: SymTuple) -> SymTuple:
        """A copy of a tuple with fresh parameters: each positive read of a family chooses its own member."""
        if not row.params:
            return row
        fresh = tuple(z3.FreshConst(V, "p") for _ in row.params)
        pairs = list(zip(row.params, fresh))
        for old, new in pairs:
            self._domains[new.get_id()] = self._domains[old.get_id()]
        return SymTuple(_substitute(row.guard, pairs), tuple(_substitute(a, pairs) for a in row.args), fresh)

    def member(self, row: SymTuple, args: Sequence[Term]) -> Guard:
        """``args`` is one of the tuples ``row`` stands for: parameters that are arguments replaced, the rest expanded."""
        guard, values, params = row
        if params:
            replaced: dict[int, Term] = {}
            for value, arg in zip(values, args):
                if symbolic(value) and any(value.eq(p) for p in params):
                    replaced.setdefault(value.get_id(), arg)
            pairs = [(p, zv(replaced[p.get_id()])) for p in params if p.get_id() in replaced]
            guard = _substitute(guard, pairs)
            values = tuple(_substitute(v, pairs) for v in values)
            params = tuple(p for p in params if p.get_id() not in replaced)
        return self.eliminate(params, conj(guard, *(veq(a, t) for a, t in zip(args, values))))

    def eliminate(self, params: Sequence[z3.ExprRef], guard: Guard) -> Guard:
        """``exists params. guard``, expanded over the values each parameter ranges over."""
        for param in params:
            if isinstance(guard, bool):
                break
            guard = disj(_substitute(guard, [(param, zv(v))]) for v in self._domains[param.get_id()])
        return guard


def _substitute(term: Term, pairs: list[tuple[z3.ExprRef, z3.ExprRef]]) -> Term:
    return z3.substitute(term, *pairs) if pairs and symbolic(term) else term
