"""Symbolic arguments that can take only a few values, made plain (for the z3 encoding).

A symbolic tuple's argument is a z3 term over the input slots. Many such terms
can only take a handful of values, whatever the inputs: a level read as
``max(1, min(43, ?l - ?r))`` is one of 1..43; a Sentencing Table minimum is one
of the table's minimums (and, in a known row, one of that row's). Joined on,
such terms defeat the hash join (two symbolic terms may be equal, so every
pair is a match to encode) and chains of joins multiply. Splitting a tuple into
one plain tuple per possible value — guard ``g and term = v`` — and merging
equal tuples turns the join into a lookup and the relation into at most one
tuple per value: on the bundled knowledge base, the amended cell from every
original cell and level reduction becomes one tuple per Sentencing Table cell.

:class:`PossibleValues` over-approximates the values a term can take *where its
guard holds* (a table function's value is meaningful only in its key domain,
arithmetic only on numbers: their guards say so), so the split is exact: a
value that cannot occur gets a guard the solver finds false.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any, TypeAlias

import z3

from lexkb.research.symbolic_values import Guard, Term, V, conj, symbolic, term_key, veq
from lexkb.values import Text, Value

GROUND_MAX = 64  # a term with more possible values than this stays symbolic
SPLIT_MAX = 512  # nor is a tuple split into more plain tuples than this (the Sentencing Table has 258 cells)

Interval: TypeAlias = tuple[int | None, int | None]  # None: unbounded on that side
Values: TypeAlias = frozenset[Value] | None  # None: any value
Ints: TypeAlias = frozenset[int] | None


class PossibleValues:
    """The values a term can take, as a finite set when it is small (None otherwise).

    Table functions are registered with their rows (``register``) so that a
    lookup is bounded by the rows its keys can select.
    """

    def __init__(self) -> None:
        self._tables: dict[str, tuple[tuple[int, ...], int, list[tuple[Value, ...]]]] = {}
        self._memo: dict[int, tuple[z3.ExprRef, Values]] = {}
        self._int_memo: dict[int, tuple[z3.ExprRef, Interval, Ints]] = {}
        self._indexes: dict[str, dict[tuple, tuple[Value, ...]]] = {}
        # ground() evaluates the same arguments and builds the same equalities for every combination of
        # values of every tuple split (on kb/, 41,000 evaluations and 25,000 equalities for amended_cell):
        # each argument's evaluation is worked out once, each equality built once (terms kept: ids are keys).
        self._evaluators: dict[int, tuple[z3.ExprRef, Callable[[dict[int, Value]], Term]]] = {}
        self._equalities: dict[tuple, tuple[z3.ExprRef, Guard]] = {}

    def register(self, function: z3.FuncDeclRef, key: tuple[int, ...], position: int,
                 rows: Sequence[tuple[Value, ...]]) -> None:
        """``function(keys)`` is ``row[position]`` of the row whose ``key`` positions are ``keys``."""
        self._tables[function.name()] = (key, position, list(rows))

    def of(self, term: Term) -> Values:
        """The values ``term`` can take (a plain value: itself)."""
        if not symbolic(term):
            return frozenset([term])
        cached = self._memo.get(term.get_id())
        if cached is not None:
            return cached[1]
        result = self._values(term)
        if result is not None and len(result) > GROUND_MAX:
            result = None
        self._memo[term.get_id()] = (term, result)  # the term is kept so that its id is not reused
        return result

    def _values(self, term: z3.ExprRef) -> Values:
        if not z3.is_app(term):
            return None
        decl = term.decl()
        if decl.eq(V.int_):
            span, ints = self._ints(term.arg(0))
            ints = ints if ints is not None else _enumerate(span)
            return None if ints is None else frozenset[Value](ints)
        if decl.eq(V.sym_) or decl.eq(V.text_):
            text = term.arg(0)
            if not z3.is_string_value(text):
                return None
            return frozenset([text.as_string() if decl.eq(V.sym_) else Text(text.as_string())])
        if z3.is_app_of(term, z3.Z3_OP_ITE):
            return _union(self.of(term.arg(1)), self.of(term.arg(2)))
        table = self._tables.get(decl.name())
        if table is not None:
            key, position, rows = table
            choices = [self.of(term.arg(i)) for i in range(len(key))]
            return frozenset(row[position] for row in rows
                             if all(c is None or row[k] in c for k, c in zip(key, choices)))
        return None

    def roots(self, term: z3.ExprRef) -> list[tuple[z3.ExprRef, frozenset[Value]]] | None:
        """The few-valued parts whose values determine ``term`` (None: there are none).

        A table lookup is determined by its keys; a key of unknown values ranges over
        its table column (the lookup's guard keeps it in the key domain).
        """
        table = self._tables.get(term.decl().name()) if z3.is_app(term) else None
        if table is not None:
            key, _, rows = table
            out: list[tuple[z3.ExprRef, frozenset[Value]]] = []
            for i, k in enumerate(key):
                argument = term.arg(i)
                column = frozenset(row[k] for row in rows)
                if not symbolic(argument) or _is_value_constant(argument):
                    continue
                inner = self.roots(argument) if self.of(argument) is None else None
                if inner is not None and not any(t.eq(argument) for t, _ in inner):
                    out.extend(inner)
                    continue
                values = self.of(argument)
                out.append((argument, column if values is None else values & column))
            return out
        own = self.of(term)
        return None if own is None else [(term, own)]

    def evaluate(self, term: Term, assignment: dict[int, Value]) -> Term:
        """``term``'s value once the parts in ``assignment`` (by term id) have theirs."""
        return self.evaluator(term)(assignment) if symbolic(term) else term

    def evaluator(self, term: z3.ExprRef) -> Callable[[dict[int, Value]], Term]:
        """:meth:`evaluate` for one term, as a function of the assignment (the term's structure read once)."""
        cached = self._evaluators.get(term.get_id())
        if cached is not None:
            return cached[1]
        own = term.get_id()
        function: Callable[[dict[int, Value]], Term]
        table = None if _is_value_constant(term) or not z3.is_app(term) else self._tables.get(term.decl().name())
        if _is_value_constant(term):
            value = _constant_value(term)

            def function(assignment: dict[int, Value]) -> Term:
                return assignment.get(own, value)
        elif table is None:
            def function(assignment: dict[int, Value]) -> Term:
                return assignment.get(own, _IMPOSSIBLE)
        else:
            key, position, rows = table
            parts = [self.evaluator(term.arg(i)) for i in range(len(key))]
            index = self._row_index(term.decl().name(), key, rows)

            def function(assignment: dict[int, Value]) -> Term:
                if own in assignment:
                    return assignment[own]
                keys = tuple(part(assignment) for part in parts)
                if any(k is _IMPOSSIBLE or symbolic(k) for k in keys):
                    return _IMPOSSIBLE
                row = index.get(tuple(term_key(k) for k in keys))
                return _IMPOSSIBLE if row is None else row[position]
        self._evaluators[own] = (term, function)
        return function

    def equality(self, term: z3.ExprRef, value: Value) -> Guard:
        """``term = value`` (built once for each pair)."""
        key = (term.get_id(), term_key(value))
        cached = self._equalities.get(key)
        if cached is None:
            cached = self._equalities[key] = (term, veq(term, value))
        return cached[1]

    def _row_index(self, name: str, key: tuple[int, ...], rows: list[tuple[Value, ...]]) -> dict[tuple, tuple[Value, ...]]:
        index = self._indexes.get(name)
        if index is None:
            index = self._indexes[name] = {tuple(term_key(row[k]) for k in key): row for row in rows}
        return index

    def _ints(self, term: z3.ExprRef) -> tuple[Interval, Ints]:
        """An integer term's bounds and, when few, its values."""
        cached = self._int_memo.get(term.get_id())
        if cached is not None:
            return cached[1], cached[2]
        span, values = self._int_values(term)
        if values is None:
            values = _enumerate(span)
        elif len(values) > GROUND_MAX:
            values = None
        if values is not None:
            span = (min(values), max(values))
        self._int_memo[term.get_id()] = (term, span, values)
        return span, values

    def _int_values(self, term: z3.ExprRef) -> tuple[Interval, Ints]:
        if z3.is_int_value(term):
            n = term.as_long()  # type: ignore[attr-defined]
            return (n, n), frozenset([n])
        if not z3.is_app(term) or term.num_args() == 0:
            return (None, None), None
        decl = term.decl()
        if decl.eq(V.num):
            values = self.of(term.arg(0))
            if values is None:
                return (None, None), None
            ints = frozenset(v for v in values if isinstance(v, int))
            return _hull(ints), ints
        if z3.is_app_of(term, z3.Z3_OP_ITE):
            return self._choice(term)
        kind = decl.kind()
        if kind in (z3.Z3_OP_ADD, z3.Z3_OP_SUB, z3.Z3_OP_MUL) and term.num_args() == 2:
            (a, va), (b, vb) = self._ints(term.arg(0)), self._ints(term.arg(1))
            combine = {z3.Z3_OP_ADD: lambda x, y: x + y, z3.Z3_OP_SUB: lambda x, y: x - y,
                       z3.Z3_OP_MUL: lambda x, y: x * y}[kind]
            if va is not None and vb is not None and len(va) * len(vb) <= GROUND_MAX * GROUND_MAX:
                combined = frozenset(combine(x, y) for x in va for y in vb)
                return _hull(combined), combined
            if kind == z3.Z3_OP_ADD:
                return (_add(a[0], b[0]), _add(a[1], b[1])), None
            if kind == z3.Z3_OP_SUB:
                return (_sub(a[0], b[1]), _sub(a[1], b[0])), None
        return (None, None), None

    def _choice(self, term: z3.ExprRef) -> tuple[Interval, Ints]:
        """``If(c, x, y)``: min and max keep their bounds (``If(x <= y, x, y)``); any other choice is the union."""
        condition, x, y = term.arg(0), term.arg(1), term.arg(2)
        (sx, vx), (sy, vy) = self._ints(x), self._ints(y)
        values = _union(vx, vy)
        comparison = {z3.Z3_OP_LE: "min", z3.Z3_OP_LT: "min", z3.Z3_OP_GE: "max", z3.Z3_OP_GT: "max"}
        if z3.is_app(condition) and condition.decl().kind() in comparison and condition.num_args() == 2 \
                and condition.arg(0).eq(x) and condition.arg(1).eq(y):
            if comparison[condition.decl().kind()] == "min":
                return (_lower(min, sx[0], sy[0]), _upper(min, sx[1], sy[1])), values
            return (_lower(max, sx[0], sy[0]), _upper(max, sx[1], sy[1])), values
        return (_lower(min, sx[0], sy[0]), _upper(max, sx[1], sy[1])), values


def ground(guard: Guard, args: tuple[Term, ...], possible: PossibleValues) -> list[tuple[Guard, tuple[Term, ...]]] | None:
    """The tuple split into one per combination of values of its few-valued symbolic parts (None: no split).

    The parts split on are the arguments themselves or, for a table lookup, its keys
    (a range's minimum and maximum are both known once the cell is: splitting on the
    cell keeps them together). Each combination is one plain tuple, its guard saying
    the parts have those values.
    """
    roots: dict[int, tuple[z3.ExprRef, list[Value]]] = {}
    for arg in args:
        if symbolic(arg):
            found = possible.roots(arg)
            if found is None:
                continue
            for term, choices in found:
                roots.setdefault(term.get_id(), (term, sorted(choices, key=term_key)))
    if not roots:
        return None
    total = 1
    for _, ordered in roots.values():
        total *= len(ordered)
    if total > SPLIT_MAX:
        return None
    terms = [term for term, _ in roots.values()]
    ids = [term.get_id() for term in terms]
    evaluators = [possible.evaluator(arg) if symbolic(arg) else None for arg in args]
    out: list[tuple[Guard, tuple[Term, ...]]] = []
    for combination in itertools.product(*(values for _, values in roots.values())):
        assignment = dict(zip(ids, combination))
        plain = tuple(arg if evaluate is None else evaluate(assignment) for arg, evaluate in zip(args, evaluators))
        if any(value is _IMPOSSIBLE for value in plain):
            continue
        g = conj(guard, *(possible.equality(term, value) for term, value in zip(terms, combination)))
        if g is not False:
            out.append((g, plain))
    return out


_IMPOSSIBLE: Any = object()  # a combination of values no row has: the split drops it


def _is_value_constant(term: z3.ExprRef) -> bool:
    """A plain value written as a z3 term (``int_(3)``, ``sym_("I")``)."""
    return z3.is_app(term) and term.num_args() == 1 and (
        z3.is_int_value(term.arg(0)) or z3.is_string_value(term.arg(0))) and (
        term.decl().eq(V.int_) or term.decl().eq(V.sym_) or term.decl().eq(V.text_))


def _constant_value(term: z3.ExprRef) -> Value:
    inner = term.arg(0)
    if term.decl().eq(V.int_):
        return inner.as_long()  # type: ignore[attr-defined,no-any-return]
    text = inner.as_string()  # type: ignore[attr-defined]
    return text if term.decl().eq(V.sym_) else Text(text)


def _enumerate(span: Interval) -> Ints:
    lo, hi = span
    if lo is None or hi is None or hi - lo + 1 > GROUND_MAX:
        return None
    return frozenset(range(lo, hi + 1))


def _hull(values: frozenset[int]) -> Interval:
    return (min(values), max(values)) if values else (0, -1)


def _union(a: frozenset[Any] | None, b: frozenset[Any] | None) -> frozenset[Any] | None:
    return None if a is None or b is None else a | b


def _add(x: int | None, y: int | None) -> int | None:
    return None if x is None or y is None else x + y


def _sub(x: int | None, y: int | None) -> int | None:
    return None if x is None or y is None else x - y


def _lower(pick, x: int | None, y: int | None) -> int | None:  # type: ignore[no-untyped-def]
    """A lower bound of min/max of two numbers: unbounded below only where the pick can be."""
    if pick is max:
        return x if y is None else y if x is None else max(x, y)
    return None if x is None or y is None else min(x, y)


def _upper(pick, x: int | None, y: int | None) -> int | None:  # type: ignore[no-untyped-def]
    if pick is min:
        return x if y is None else y if x is None else min(x, y)
    return None if x is None or y is None else max(x, y)
