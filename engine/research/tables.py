"""Reference tables as functions over their finite key domain, for the z3 encoding.

A reference table is a relation no case input can change, such as the
Sentencing Table ``table_range(level, category, lo, hi)``. Read row by row,
a join through it with symbolic keys, or a reverse read (which cells have
this range?), makes one symbolic match per row, and chains of such joins
multiply. Instead, a table with a *key* — a set of argument positions that
determines the whole row (a functional dependency, found here from the rows:
level × category → lo, hi) — becomes:

- a **key domain**: the finite set of its keys, as a compact formula (a
  product of per-column sets when the keys are one, an integer column of
  consecutive values such as the levels 1..43 as a bounded integer);
- one z3 **function** per other position (``table_range@2(level, category)``
  is the minimum), defined by one ground equation per row: the solver reads
  the table directly, whatever the keys.

A read whose keys are not all known gets fresh *parameters* for the missing
ones (constrained to the key domain); the symbolic encoding treats them as
existentially quantified (see :mod:`lexkb.research.symbolic`). The solver then
reasons over the table as a finite function, and no row is enumerated.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from itertools import count

import z3

from lexkb.research.symbolic_values import Guard, Term, V, conj, const, disj, reads_no_name, symbolic, term_key, veq
from lexkb.values import Value

_fresh = count(1)


def functional_key(rows: Sequence[tuple[Value, ...]]) -> tuple[int, ...] | None:
    """The smallest set of positions whose values determine the rest of each row (the leftmost first).

    None when no proper subset does (the table is a plain set of rows).
    """
    if not rows:
        return None
    arity = len(rows[0])
    for size in range(1, arity):
        for positions in itertools.combinations(range(arity), size):
            keys = {tuple(term_key(row[p]) for p in positions) for row in rows}
            if len(keys) == len(rows):
                return positions
    return None


class ReferenceTable:
    """One reference table with a key: its key domain and its other columns as z3 functions."""

    def __init__(self, predicate: str, rows: Sequence[tuple[Value, ...]], key: tuple[int, ...]) -> None:
        self.predicate = predicate
        self.rows = list(rows)
        self.key = key
        self.arity = len(self.rows[0])
        self._by_key = {tuple(term_key(row[p]) for p in key): row for row in self.rows}
        self.functions: dict[int, z3.FuncDeclRef] = {}
        self.axioms: list[z3.BoolRef] = []
        for position in range(self.arity):
            if position in key:
                continue
            function = z3.Function(f"{predicate}@{position}", *([V] * len(key)), V)
            self.functions[position] = function
            self.axioms += [function(*(const(row[p]) for p in key)) == const(row[position]) for row in self.rows]
        self._columns = [sorted({term_key(row[p]): row[p] for row in self.rows}.items()) for p in key]
        self._product = len(self.rows) == math.prod(len(c) for c in self._columns)

    def parameters(self) -> list[z3.ExprRef]:
        """Fresh key variables (existential parameters) for a read whose keys are not known."""
        n = next(_fresh)
        return [z3.Const(f"{self.predicate}#k{n}.{i}", V) for i in range(len(self.key))]

    def column(self, position: int) -> list[Value]:
        """The distinct values of one key position."""
        return [v for _, v in self._columns[self.key.index(position)]]

    def in_domain(self, keys: Sequence[Term]) -> Guard:
        """Whether ``keys`` (plain or symbolic, in key order) is the key of some row."""
        if not any(symbolic(k) for k in keys):
            return tuple(term_key(k) for k in keys) in self._by_key
        if self._product:
            return conj(*(_member(k, [v for _, v in column]) for k, column in zip(keys, self._columns)))
        return disj(conj(*(veq(k, row[p]) for k, p in zip(keys, self.key))) for row in self.rows)

    def value(self, position: int, keys: Sequence[Term]) -> Term:
        """The value at ``position`` of the row with these keys (meaningful within the key domain)."""
        if position in self.key:
            return keys[self.key.index(position)]
        if not any(symbolic(k) for k in keys):
            row = self._by_key.get(tuple(term_key(k) for k in keys))
            if row is not None:
                return row[position]
        return self.functions[position](*(k if symbolic(k) else const(k) for k in keys))


def _member(term: Term, values: list[Value]) -> Guard:
    """``term`` is one of ``values``: consecutive integers as a bounded integer, else a disjunction."""
    if not symbolic(term):
        return any(veq(term, v) is True for v in values)
    ints = [v for v in values if type(v) is int]
    if len(ints) == len(values) and len(ints) > 2 and max(ints) - min(ints) + 1 == len(ints):
        return reads_no_name(z3.And(V.is_int_(term), V.num(term) >= min(ints), V.num(term) <= max(ints)))
    return disj(veq(term, v) for v in values)

