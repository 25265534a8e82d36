"""Families of symbolic tuples: one tuple standing for many, over parameters of known domains.

A symbolic tuple may stand for many tuples at once. Two kinds of *parameter*
make families:

- a **table key**: a read of a reference table whose keys are not known (which
  cells have this range?) ranges over the table's keys
  (:mod:`lexkb.research.tables`); the parameter is a Value over the finite set
  of the key column's values;
- an **integer interval**: a relation holding a run of consecutive integers at
  one position under one guard (``month_count(0)`` … ``month_count(1999)``, all
  concluded by the same rule on the same condition) is one tuple
  ``month_count(p)`` with ``lo <= p <= hi`` in its guard; the parameter is a z3
  Int, the argument ``int_(p)`` (so arithmetic on it stays integer arithmetic).

Parameters are existential: left free where the tuple is read positively (z3
treats a free constant as "some value"; each read gets fresh copies, so two
reads choose independently). Where a test gives an argument the parameter
stands at (``not comparable_term_candidate(?m)`` with ``?m`` known), the
parameter is replaced by that argument (:meth:`Parameters.bind`): no
quantifier, no expansion. Only a parameter no argument binds must be
eliminated (the existential closed, as a `not` needs): a table key by
expansion over its finite domain (the read's key-domain guard keeps only real
keys), an interval of at most :data:`EXPAND_MAX` values likewise, a longer one
by a z3 quantifier over the bounded integer — exact, though z3 may then answer
"unknown", which verify reports as "gave up", never as proved.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

import z3

from lexkb.research import z3_calls
from lexkb.research.symbolic_values import (
    SKELETON,
    Guard,
    Term,
    V,
    conj,
    disj,
    reads_no_name,
    skeleton,
    symbolic,
    term_key,
    veq,
    zv,
)

INTERVAL_MIN = 64  # a run of at least this many consecutive integers under one guard becomes one family
EXPAND_MAX = 64  # an interval parameter over more values is eliminated by a quantifier, not expanded

Domain = tuple[Term, ...] | range  # a table key's values, or an integer interval


class SymTuple(NamedTuple):
    """A guarded tuple; ``params`` are the parameters it ranges over (existential).

    With no parameters it is one tuple, concluded when ``guard`` holds; with
    parameters it stands for every tuple ``args`` under a choice of them that
    makes ``guard`` true.
    """

    guard: Guard
    args: tuple[Term, ...]
    params: tuple[z3.ExprRef, ...] = ()


class Parameters:
    """Every parameter made so far, with the values it ranges over."""

    def __init__(self) -> None:
        self._domains: dict[int, Domain] = {}
        self._kept: list[z3.ExprRef] = []  # terms whose ids are used as keys (alive, so ids are not reused)

    def over_values(self, params: Sequence[z3.ExprRef], columns: Sequence[Sequence[Term]]) -> None:
        """Each parameter ranges over the values of its column (table keys)."""
        for param, column in zip(params, columns):
            self._domains[param.get_id()] = tuple(column)

    def interval(self, row: SymTuple, position: int, low: int, high: int) -> SymTuple:
        """The family of ``row`` with ``low..high`` at ``position`` (``row`` holds one of them there)."""
        param = z3.FreshConst(z3.IntSort(), "n")
        self._domains[param.get_id()] = range(low, high + 1)
        args = tuple(V.int_(param) if i == position else a for i, a in enumerate(row.args))
        return SymTuple(conj(row.guard, reads_no_name(param >= low), reads_no_name(param <= high)), args, (param,))

    def renamed(self, row: SymTuple) -> SymTuple:
        """A copy of a tuple with fresh parameters: each positive read of a family chooses its own member."""
        if not row.params:
            return row
        fresh = self.fresh(row.params)
        pairs = list(zip(row.params, fresh))
        return SymTuple(substitute(row.guard, pairs), tuple(substitute(a, pairs) for a in row.args), fresh)

    def fresh(self, params: Sequence[z3.ExprRef]) -> tuple[z3.ExprRef, ...]:
        """New parameters over the same domains as ``params``."""
        out = tuple(z3.FreshConst(p.sort(), "p") for p in params)
        for old, new in zip(params, out):
            self._domains[new.get_id()] = self._domains[old.get_id()]
        return out

    def bind(self, row: SymTuple, known: Iterable[tuple[int, Term]]) -> SymTuple:
        """``row`` restricted to the members whose arguments at the ``known`` positions have those values,
        as far as that is substitution: a parameter an argument stands at is replaced by the value (the
        arguments' equality to the values is left to the caller)."""
        guard, values, params = row
        if not params:
            return row
        pairs: list[tuple[z3.ExprRef, z3.ExprRef]] = []
        bound: set[int] = set()
        for position, arg in known:
            value = values[position]
            if not symbolic(value):
                continue
            for param in params:
                if param.get_id() in bound:
                    continue
                if value.eq(param):
                    replacement: z3.ExprRef | None = zv(arg)
                elif z3.is_app(value) and value.decl().eq(V.int_) and value.arg(0).eq(param):
                    replacement = _integer_of(arg)
                    if replacement is None:  # a plain value of another kind is never int_(p)
                        return SymTuple(False, values, ())
                else:
                    continue
                pairs.append((param, replacement))
                bound.add(param.get_id())
                break
        if not pairs:
            return row
        return SymTuple(substitute(guard, pairs), tuple(_plain(substitute(v, pairs)) for v in values),
                        tuple(p for p in params if p.get_id() not in bound))

    def member(self, row: SymTuple, args: Sequence[Term]) -> Guard:
        """``args`` is one of the tuples ``row`` stands for: parameters that are arguments replaced, the rest eliminated."""
        guard, values, params = self.bind(row, enumerate(args))
        return self.eliminate(params, conj(guard, *(veq(a, t) for a, t in zip(args, values))))

    def eliminate(self, params: Sequence[z3.ExprRef], guard: Guard) -> Guard:
        """``exists params. guard``: expanded over each parameter's values, or (a long interval) quantified."""
        quantified = []
        for param in params:
            if isinstance(guard, bool):
                return guard
            domain = self._domains[param.get_id()]
            if isinstance(domain, range) and len(domain) > EXPAND_MAX:
                quantified.append(param)
                continue
            values = [z3.IntVal(v) for v in domain] if isinstance(domain, range) else [zv(v) for v in domain]
            guard = disj(substitute(guard, [(param, v)]) for v in values)
        if not quantified or isinstance(guard, bool):
            return guard
        bounds = [reads_no_name(b) for p in quantified for b in (p >= self._domains[p.get_id()][0],  # type: ignore[index]
                                                                  p <= self._domains[p.get_id()][-1])]  # type: ignore[index]
        body = z3.And(*bounds, guard)
        body.lexkb_skeleton = tuple(skeleton(part) for part in (*bounds, guard))  # (SKELETON, as conj records it)
        closed = z3.Exists(quantified, body)
        closed.lexkb_skeleton = (body.lexkb_skeleton,)
        return closed

    def shape(self, params: Sequence[z3.ExprRef], terms: Sequence[Term]) -> tuple:
        """A key equal for two lists of terms that differ only in the names of their parameters (which must
        range over the same domains, position by position)."""
        pairs = [(p, z3.Const(f"param%{i}", p.sort())) for i, p in enumerate(params)]
        renamed = [substitute(t, pairs) for t in terms]
        self._kept.extend(t for t in renamed if symbolic(t))
        return (tuple(_domain_key(self._domains[p.get_id()]) for p in params), tuple(term_key(t) for t in renamed))

    def forget_shapes(self) -> None:
        """The terms kept for :meth:`shape` keys are no longer needed."""
        self._kept.clear()

    def merged(self, rows: Sequence[SymTuple]) -> list[SymTuple]:
        """Families of the same shape (equal up to the names of their parameters) as one, guards joined.

        ``{args(p) | exists p. g1(p)} ∪ {args(q) | exists q. g2(q)}`` is ``{args(p) | exists p. g1(p) or g2(p)}``
        once ``q`` is renamed ``p``: exact, and one tuple instead of one per rule match.
        """
        groups: dict[tuple, list[SymTuple]] = {}
        for row in rows:
            groups.setdefault(self.shape(row.params, row.args), []).append(row)
        out = []
        for members in groups.values():
            if len(members) == 1:
                out.append(members[0])
                continue
            params = self.fresh(members[0].params)
            guards = []
            for row in members:
                guards.append(substitute(row.guard, list(zip(row.params, params))))
            args = tuple(substitute(a, list(zip(members[0].params, params))) for a in members[0].args)
            out.append(SymTuple(disj(guards), args, params))
        self.forget_shapes()
        return out


def occurs(params: Sequence[z3.ExprRef], term: Term) -> bool:
    """Whether any of ``params`` occurs in ``term``.

    Asked of z3: replacing them by other constants leaves a term without them
    unchanged (terms are hash-consed, so it is the same term), and z3 walks the
    term far faster than Python can.
    """
    if not symbolic(term) or not params:
        return False
    pairs = [(p, _stand_in(p.sort())) for p in params]
    return not z3.substitute(term, *pairs).eq(term)


class Occurrences:
    """Whether any of some parameters occurs in a term, each subterm looked at once.

    :func:`occurs` asks z3, which walks the whole term again for each question. Naming a
    family's guard asks it of the guard, of each part of its disjunction and of each part
    of those, and the parts share most of their subterms (on kb/, 6,270 parts for one
    ``comparable_term_candidate`` family): here the answers for every subterm are kept.
    The terms asked about must stay alive while this is used (a subterm's id is the key).
    """

    def __init__(self, params: Sequence[z3.ExprRef]) -> None:
        self._params = {p.get_id() for p in params}
        self._memo: dict[int, bool] = {}

    def __call__(self, term: Term) -> bool:
        if not symbolic(term) or not self._params:
            return False
        context = term.ctx_ref()
        memo = self._memo
        # Through z3's C functions unchecked (:mod:`.z3_calls`): the term keeps its subterms alive.
        # Depth first, each term's answer after its children's: ("post", id, children's ids) entries
        # follow every child's visit (in a DAG a term pending its answer is never reached again).
        todo: list[tuple[bool, Any, int, list[int]]] = [(False, term.as_ast(), 0, [])]
        while todo:
            post, ast, key, children = todo.pop()
            if post:
                memo[key] = any(memo[child] for child in children)
                continue
            key = z3_calls.get_ast_id(context, ast)
            if key in memo:
                continue
            if key in self._params:
                memo[key] = True
                continue
            kind = z3_calls.get_ast_kind(context, ast)
            if kind == z3.Z3_APP_AST:
                subterms = [z3_calls.get_app_arg(context, ast, i) for i in range(z3_calls.get_app_num_args(context, ast))]
            elif kind == z3.Z3_QUANTIFIER_AST:
                subterms = [z3_calls.get_quantifier_body(context, ast)]
            else:  # a numeral or a bound variable
                subterms = []
            if not subterms:
                memo[key] = False
                continue
            todo.append((True, ast, key, [z3_calls.get_ast_id(context, sub) for sub in subterms]))
            todo.extend((False, sub, 0, []) for sub in subterms)
        return memo[z3_calls.get_ast_id(context, term.as_ast())]


def _stand_in(sort: z3.SortRef) -> z3.ExprRef:
    """A constant no formula holds, for :func:`occurs`."""
    return z3.Const("param%absent", sort)


def _integer_of(arg: Term) -> z3.ExprRef | None:
    """The integer ``p`` such that ``int_(p)`` is ``arg`` (None when ``arg`` is a plain value of another kind;
    for a symbolic Value that may not be an integer, ``num(arg)``, the caller's equality saying it is one)."""
    if not symbolic(arg):
        return z3.IntVal(arg) if type(arg) is int else None
    if z3.is_app(arg) and arg.decl().eq(V.int_):
        return arg.arg(0)
    return V.num(arg)


def _plain(term: Term) -> Term:
    """``int_(5)`` as the plain 5 (so that equalities with plain values are decided in Python)."""
    if symbolic(term) and z3.is_app(term) and term.decl().eq(V.int_) and z3.is_int_value(term.arg(0)):
        return term.arg(0).as_long()
    return term


def _domain_key(domain: Domain) -> tuple:
    if isinstance(domain, range):
        return ("range", domain.start, domain.stop)
    return ("values", tuple(term_key(v) for v in domain))


def substitute(term: Term, pairs: list[tuple[z3.ExprRef, z3.ExprRef]]) -> Term:
    """``term`` with each parameter of ``pairs`` replaced (a plain value: itself)."""
    if not pairs or not symbolic(term):
        return term
    result = z3.substitute(term, *pairs)
    shape = getattr(term, SKELETON, None)
    if shape is not None:
        # Parameters are integers or Values, never Booleans: replacing them changes only what is below
        # comparisons, so the result has the connectives and names of ``term``: its skeleton (SKELETON).
        result.lexkb_skeleton = shape
    return result
