"""The rule base as z3 formulas over symbolic case inputs (used by verify and what-if).

Each declared input predicate gets *slots*: a zero-argument input one Bool
(stated or not); an input with arguments a bounded number of symbolic facts,
each a presence flag and one typed value per argument. Every other predicate
becomes a finite *symbolic relation*: a list of ``(guard, args)`` pairs, where
``guard`` is a z3 Bool over the slots (or plain True/False) and each argument is
a plain value or a z3 term. Relations that no input can change are taken from
the engine as they are (concrete rows); the rest are computed rule by rule,
strata first, by a symbolic join. Because the rules are stratified and every
relation is finite, a `not X` is exactly the conjunction of "this tuple is not
X" over X's finitely many guarded tuples: the completion is exact for
non-recursive predicates. Recursive ones are unfolded a bounded number of
rounds (an under-approximation, stated as such by the tools).

Values are one z3 datatype, so a column may mix kinds as the language allows
(``table_range(…, 360, life)``): ``int(n)``, ``date(day number)``,
``sym(name)``, ``text(chars)``. Symbols and strings are z3 strings: only
equality matters to the engine, so the domain is exact; witnesses rename any
symbol the rules never mention to ``other``, ``other2``, ….
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import z3

from lexkb.compile.program import Branch, Negative, Positive, Program, Test
from lexkb.evaluate.engine import Engine
from lexkb.evaluate.matching import compare
from lexkb.language import ast
from lexkb.values import Text, Value

Guard = Any  # True, False, or a z3 BoolRef
Term = Any  # a plain Value or a z3 expression of sort Value
SymRelation = list[tuple[Guard, tuple[Term, ...]]]

LOOKUP_MIN_GROUPS = 6  # above this many distinct results, a table lookup becomes one If-chain
MAX_STATES = 20_000
MAX_TUPLES = 5_000
MIN_DAY, MAX_DAY = datetime.date.min.toordinal(), datetime.date.max.toordinal()


class EncodingLimit(Exception):
    """The symbolic join grew beyond what the tools will attempt."""

    def __init__(self, message: str, rule: ast.Rule | None = None) -> None:
        super().__init__(message)
        self.rule = rule


def _value_sort() -> z3.DatatypeSortRef:
    value = z3.Datatype("Value")
    value.declare("int_", ("num", z3.IntSort()))
    value.declare("date_", ("day", z3.IntSort()))
    value.declare("sym_", ("name", z3.StringSort()))
    value.declare("text_", ("chars", z3.StringSort()))
    return value.create()


V = _value_sort()


def const(value: Value) -> z3.ExprRef:
    """A plain value as a z3 Value."""
    if isinstance(value, bool):
        raise TypeError("booleans are not lexkb values")
    if isinstance(value, int):
        return V.int_(z3.IntVal(value))
    if isinstance(value, datetime.date):
        return V.date_(z3.IntVal(value.toordinal()))
    if isinstance(value, Text):
        return V.text_(z3.StringVal(str(value)))
    return V.sym_(z3.StringVal(value))


def symbolic(term: Term) -> bool:
    return isinstance(term, z3.ExprRef)


def zv(term: Term) -> z3.ExprRef:
    return term if symbolic(term) else const(term)


def conj(*guards: Guard) -> Guard:
    parts = []
    for guard in guards:
        if guard is False:
            return False
        if guard is True:
            continue
        parts.append(guard)
    if not parts:
        return True
    return parts[0] if len(parts) == 1 else z3.And(*parts)


def disj(guards: Iterable[Guard]) -> Guard:
    parts = []
    for guard in guards:
        if guard is True:
            return True
        if guard is False:
            continue
        parts.append(guard)
    if not parts:
        return False
    return parts[0] if len(parts) == 1 else z3.Or(*parts)


def neg(guard: Guard) -> Guard:
    if guard is True:
        return False
    if guard is False:
        return True
    return z3.Not(guard)


def veq(a: Term, b: Term) -> Guard:
    if not symbolic(a) and not symbolic(b):
        return bool(a == b)
    if symbolic(a) and symbolic(b) and a.eq(b):
        return True
    return zv(a) == zv(b)


def _key(term: Term) -> tuple:
    if symbolic(term):
        return ("z", term.get_id())
    return ("c", type(term).__name__, term)


def _is_int(term: Term) -> Guard:
    return type(term) is int if not symbolic(term) else V.is_int_(term)


def _num(term: Term) -> z3.ArithRef:
    return z3.IntVal(term) if not symbolic(term) else V.num(term)


def _day(term: Term) -> z3.ArithRef:
    return z3.IntVal(term.toordinal()) if not symbolic(term) else V.day(term)


def _is_date(term: Term) -> Guard:
    return True if not symbolic(term) else V.is_date_(term)


def _order(op: str, a: z3.ArithRef, b: z3.ArithRef) -> z3.BoolRef:
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]


def sym_compare(op: str, a: Term, b: Term) -> Guard:
    """A comparison on symbolic terms, with the engine's semantics."""
    if not symbolic(a) and not symbolic(b):
        return compare(op, a, b)
    if op == "=":
        return veq(a, b)
    if op == "!=":
        return neg(veq(a, b))
    kinds = []
    for concrete in (a, b):
        if not symbolic(concrete):
            if type(concrete) is int:
                kinds = ["int"]
            elif type(concrete) is datetime.date:
                kinds = ["date"]
            else:
                return False
    parts = []
    if not kinds or kinds == ["int"]:
        parts.append(conj(_is_int(a), _is_int(b), _order(op, _num(a), _num(b))))
    if not kinds or kinds == ["date"]:
        parts.append(conj(_is_date(a), _is_date(b), _order(op, _day(a), _day(b))))
    return disj(parts)


# ---------------------------------------------------------------- inputs


@dataclass
class Slot:
    """One symbolic input fact: present or not, with typed values."""

    predicate: str
    present: z3.BoolRef
    values: tuple[z3.ExprRef, ...]  # z3 Values
    raw: tuple[z3.ExprRef, ...]  # the underlying Int/String variables
    types: tuple[str, ...]


def make_slot(predicate: str, types: Sequence[str], name: str) -> tuple[Slot, list[z3.BoolRef]]:
    """A fresh slot and the constraints its values obey (dates in range)."""
    raw: list[z3.ExprRef] = []
    values: list[z3.ExprRef] = []
    constraints: list[z3.BoolRef] = []
    for i, type_name in enumerate(types):
        var_name = f"{name}.{i}"
        if "|" in type_name:  # a choice of kinds, e.g. int|symbol: any Value of those kinds
            var = z3.Const(var_name, V)
            values.append(var)
            constraints.append(z3.Or([_is_kind(part, var) for part in type_name.split("|")]))
            raw.append(var)
            continue
        if type_name == "int":
            var = z3.Int(var_name)
            values.append(V.int_(var))
        elif type_name == "date":
            var = z3.Int(var_name)
            values.append(V.date_(var))
            constraints += [var >= MIN_DAY, var <= MAX_DAY]
        elif type_name == "string":
            var = z3.String(var_name)
            values.append(V.text_(var))
        else:
            var = z3.String(var_name)
            values.append(V.sym_(var))
            constraints.append(z3.Length(var) >= 1)
        raw.append(var)
    present = z3.Bool(f"{name}.present")
    return Slot(predicate, present, tuple(values), tuple(raw), tuple(types)), constraints


_KIND_TESTER = {"int": V.is_int_, "date": V.is_date_, "symbol": V.is_sym_, "string": V.is_text_}
_KIND_FIELD = {"int": V.num, "date": V.day, "symbol": V.name, "string": V.chars}


def _is_kind(kind: str, value: z3.ExprRef) -> z3.BoolRef:
    test = _KIND_TESTER[kind](value)
    if kind == "date":
        return z3.And(test, V.day(value) >= MIN_DAY, V.day(value) <= MAX_DAY)
    if kind == "symbol":
        return z3.And(test, z3.Length(V.name(value)) >= 1)
    return test


# ---------------------------------------------------------------- the encoding


class Encoding:
    """Symbolic relations for every predicate of a program, over input slots."""

    def __init__(self, program: Program, engine: Engine, static: dict[str, dict[tuple[Value, ...], object]],
                 slots: list[Slot], constraints: list[z3.BoolRef], depth: int) -> None:
        self.program = program
        self.slots = slots
        self.constraints = constraints
        self.depth = depth
        dynamic = engine.dependents(program.inputs) if program.inputs else set()
        self.static: dict[str, list[tuple[Value, ...]]] = {}
        for predicate in program.arities:
            if predicate not in dynamic:
                self.static[predicate] = sorted(static.get(predicate, {}), key=lambda a: _sort_args(a))
        self.relations: dict[str, SymRelation] = {}
        for predicate in program.inputs:
            if predicate in dynamic:
                self.relations[predicate] = [(s.present, s.values) for s in slots if s.predicate == predicate]
        self._indexes: dict[tuple[str, tuple[int, ...]], dict[tuple, list[tuple[Value, ...]]]] = {}
        self._static_rows: dict[str, SymRelation] = {}
        self._splits: dict[str, tuple[Any, dict[tuple, Guard], SymRelation]] = {}
        self._joins: dict[tuple[str, tuple[int, ...]], tuple[Any, dict[tuple, SymRelation], SymRelation]] = {}
        # Predicates too large to encode: taken as empty (an under-approximation), with the reason.
        self.abstracted: dict[str, str] = {}
        for stratum in program.strata:
            todo = [p for p in stratum if p not in self.static and p not in program.inputs]
            if not todo:
                continue
            try:
                if stratum[0] in program.recursive:
                    self._recursive(todo)
                else:
                    for predicate in todo:
                        self.relations[predicate] = self._compute(predicate)
            except EncodingLimit as error:
                for predicate in todo:
                    self.relations[predicate] = []
                    self.abstracted[predicate] = str(error)

    # -- relations

    def _compute(self, predicate: str) -> SymRelation:
        rows: list[tuple[Guard, tuple[Term, ...]]] = []
        for branch in self.program.branches_for(predicate):
            rows.extend(self.branch_heads(branch))
        return self._merge(predicate, rows)

    def _recursive(self, predicates: list[str]) -> None:
        for predicate in predicates:
            self.relations[predicate] = []
        for _ in range(self.depth):
            new = {p: self._compute(p) for p in predicates}
            for predicate in predicates:
                self.relations[predicate] = new[predicate]

    def _merge(self, predicate: str, rows: list[tuple[Guard, tuple[Term, ...]]]) -> SymRelation:
        merged: dict[tuple, tuple[list[Guard], tuple[Term, ...]]] = {}
        for guard, args in rows:
            if guard is False:
                continue
            key = tuple(_key(a) for a in args)
            if key in merged:
                merged[key][0].append(guard)
            else:
                merged[key] = ([guard], args)
        out = [(disj(guards), args) for guards, args in merged.values()]
        if len(out) > MAX_TUPLES:
            raise EncodingLimit(f"{predicate} would need more than {MAX_TUPLES:,} symbolic facts")
        return out

    def trigger(self, predicate: str) -> Guard:
        """A condition without which an abstracted predicate certainly has no facts.

        Each of its rules needs every one of its positive conditions to match
        something; those conditions are checked one by one (variables as "any
        value"), which over-approximates the rule firing. Outside the trigger
        the empty approximation is exact.
        """
        parts = []
        for branch in self.program.branches_for(predicate):
            needs = [self.holds_pattern(lit.atom) for lit in branch.literals
                     if isinstance(lit, Positive) and lit.atom.predicate not in self.abstracted]
            parts.append(conj(*needs))
        return disj(parts)

    def rows(self, predicate: str) -> SymRelation:
        """The guarded tuples of a predicate (static ones with guard True)."""
        if predicate in self.static:
            if predicate not in self._static_rows:
                self._static_rows[predicate] = [(True, args) for args in self.static[predicate]]
            return self._static_rows[predicate]
        return self.relations.get(predicate, [])

    def holds(self, predicate: str, args: Sequence[Term]) -> Guard:
        """The condition under which ``predicate(args)`` is concluded."""
        if not any(symbolic(a) for a in args):
            # Plain arguments: only same-valued plain rows and the symbolic rows can match.
            concrete, open_rows = self._split(predicate)
            found = concrete.get(tuple(_key(a) for a in args), False)
            return disj([found, *(conj(g, *(veq(a, t) for a, t in zip(args, row))) for g, row in open_rows)])
        return disj(conj(g, *(veq(a, t) for a, t in zip(args, row))) for g, row in self.rows(predicate))

    def _split(self, predicate: str) -> tuple[dict[tuple, Guard], SymRelation]:
        relation = self.relations.get(predicate, []) if predicate not in self.static else None
        cached = self._splits.get(predicate)
        if cached is not None and cached[0] is relation:
            return cached[1], cached[2]
        concrete: dict[tuple, Guard] = {}
        open_rows: SymRelation = []
        for guard, row in self.rows(predicate):
            if any(symbolic(t) for t in row):
                open_rows.append((guard, row))
            else:
                key = tuple(_key(t) for t in row)
                concrete[key] = disj([concrete.get(key, False), guard])
        self._splits[predicate] = (relation, concrete, open_rows)
        return concrete, open_rows

    def holds_pattern(self, atom: ast.Atom) -> Guard:
        """Whether some fact matches ``atom``, whose variables each stand for any value."""
        seen: dict[str, int] = {}
        out = []
        for guard, row in self.rows(atom.predicate):
            parts = [guard]
            for position, arg in enumerate(atom.args):
                if isinstance(arg, ast.Constant):
                    parts.append(veq(arg.value, row[position]))
                elif isinstance(arg, ast.Variable):
                    if arg.name in seen:
                        parts.append(veq(row[seen[arg.name]], row[position]))
                    else:
                        seen[arg.name] = position
            out.append(conj(*parts))
            seen.clear()
        return disj(out)

    def _index(self, predicate: str, positions: tuple[int, ...]) -> dict[tuple, list[tuple[Value, ...]]]:
        key = (predicate, positions)
        if key not in self._indexes:
            index: dict[tuple, list[tuple[Value, ...]]] = {}
            for args in self.static[predicate]:
                index.setdefault(tuple(_key(args[p]) for p in positions), []).append(args)
            self._indexes[key] = index
        return self._indexes[key]

    # -- branches

    def branch_heads(self, branch: Branch, skip: frozenset[int] = frozenset()) -> list[tuple[Guard, tuple[Term, ...]]]:
        """The guarded head tuples a branch derives (literals in ``skip`` left out)."""
        out = []
        for guard, env in self.branch_states(branch, skip):
            values = []
            guards = [guard]
            for arg in branch.head.args:
                value, g = self.term(arg, env)
                values.append(value)
                guards.append(g)
            full = conj(*guards)
            if full is not False:
                out.append((full, tuple(values)))
        return out

    def branch_states(self, branch: Branch, skip: frozenset[int] = frozenset()) -> list[tuple[Guard, dict[str, Term]]]:
        """Every way the branch's literals can match: a guard and the variables' values."""
        remaining = [i for i in range(len(branch.literals)) if i not in skip]
        states: list[tuple[Guard, dict[str, Term]]] = [(True, {})]
        bound: set[str] = set()
        while remaining and states:
            index, kind = self._next(branch, remaining, bound)
            remaining.remove(index)
            literal = branch.literals[index]
            new: list[tuple[Guard, dict[str, Term]]] = []
            for guard, env in states:
                if kind == "scan":
                    new.extend(self._scan(literal.atom, guard, env))  # type: ignore[union-attr]
                elif kind == "bind":
                    c = literal.comparison  # type: ignore[union-attr]
                    lone, other = (c.left, c.right) if isinstance(c.left, ast.Variable) and c.left.name not in bound \
                        else (c.right, c.left)
                    value, g = self.term(other, env)
                    g = conj(guard, g)
                    if g is not False:
                        new.append((g, {**env, lone.name: value}))  # type: ignore[union-attr]
                elif kind == "test":
                    c = literal.comparison  # type: ignore[union-attr]
                    left, gl = self.term(c.left, env)
                    right, gr = self.term(c.right, env)
                    test = sym_compare(c.op, left, right) if gl is not False and gr is not False else False
                    if literal.negated:  # type: ignore[union-attr]
                        test = neg(test)
                    g = conj(guard, gl, gr, test)
                    if g is not False:
                        new.append((g, env))
                else:
                    g = conj(guard, self._absent(literal.atom, env))  # type: ignore[union-attr]
                    if g is not False:
                        new.append((g, env))
                if len(new) > MAX_STATES:
                    raise EncodingLimit(f"rule {branch.label} has more than {MAX_STATES:,} symbolic matches",
                                        branch.rule)
            states = new
            literal_vars = ast.condition_variables(literal.atom if isinstance(literal, (Positive, Negative))
                                                   else literal.comparison)
            if kind in ("scan", "bind"):
                bound.update(literal_vars)
        return states

    def _next(self, branch: Branch, remaining: list[int], bound: set[str]) -> tuple[int, str]:
        best, best_cost = None, None
        for index in remaining:
            literal = branch.literals[index]
            if isinstance(literal, Test):
                c = literal.comparison
                used = set(ast.condition_variables(c))
                if used <= bound:
                    return index, "test"
                if c.op == "=" and not literal.negated:
                    for lone, other in ((c.left, c.right), (c.right, c.left)):
                        if isinstance(lone, ast.Variable) and lone.name not in bound and \
                                set(ast.term_variables(other)) <= bound:
                            return index, "bind"
            elif isinstance(literal, Negative):
                if set(ast.term_variables_of_atom(literal.atom)) <= bound:
                    return index, "absent"
        for index in remaining:
            literal = branch.literals[index]
            if not isinstance(literal, Positive):
                continue
            atom = literal.atom
            if not all(isinstance(a, (ast.Variable, ast.Constant)) or set(ast.term_variables(a)) <= bound
                       for a in atom.args):
                continue
            free = sum(1 for a in atom.args if isinstance(a, ast.Variable) and a.name not in bound)
            size = len(self.rows(atom.predicate))
            cost = (size if free else 0, -sum(1 for a in atom.args if not isinstance(a, ast.Variable)
                                              or a.name in bound))
            if atom.predicate in self.static:
                # A table is best read last, as a lookup keyed by what is already bound.
                cost = (min(size, LOOKUP_MIN_GROUPS) if free < len(atom.args) else size * 100, cost[1])
            if best_cost is None or cost < best_cost:
                best, best_cost = index, cost
        if best is None:
            raise EncodingLimit(f"rule {branch.label} cannot be ordered for symbolic evaluation", branch.rule)
        return best, "scan"

    def term(self, term: ast.Term, env: dict[str, Term]) -> tuple[Term, Guard]:
        """A term's value and the condition for it to have one (arithmetic is on integers only)."""
        if isinstance(term, ast.Constant):
            return term.value, True
        if isinstance(term, ast.Variable):
            return env[term.name], True
        if isinstance(term, ast.Arithmetic):
            operands = (term.left, term.right)
        else:
            operands = term.args
        (a, ga), (b, gb) = (self.term(o, env) for o in operands)
        guard = conj(ga, gb, _is_int(a), _is_int(b))
        if guard is False:
            return 0, False
        if not symbolic(a) and not symbolic(b):
            if isinstance(term, ast.Arithmetic):
                return (a + b if term.op == "+" else a - b if term.op == "-" else a * b), guard
            return (min(a, b) if term.function == "min" else max(a, b)), guard
        x, y = _num(a), _num(b)
        if isinstance(term, ast.Arithmetic):
            result = x + y if term.op == "+" else x - y if term.op == "-" else x * y
        else:
            result = z3.If(x <= y, x, y) if term.function == "min" else z3.If(x >= y, x, y)
        return V.int_(result), guard

    def _scan(self, atom: ast.Atom, guard: Guard, env: dict[str, Term]) -> list[tuple[Guard, dict[str, Term]]]:
        fixed: list[tuple[int, Term]] = []
        free: list[tuple[int, str]] = []
        repeats: list[tuple[int, int]] = []
        first: dict[str, int] = {}
        guards = [guard]
        for position, arg in enumerate(atom.args):
            if isinstance(arg, ast.Variable) and arg.name not in env:
                if arg.name in first:
                    repeats.append((first[arg.name], position))
                else:
                    first[arg.name] = position
                    free.append((position, arg.name))
            else:
                value, g = self.term(arg, env)
                guards.append(g)
                fixed.append((position, value))
        guard = conj(*guards)
        if guard is False:
            return []
        out: list[tuple[Guard, dict[str, Term]]] = []
        if atom.predicate in self.static:
            return self._scan_static(atom.predicate, fixed, free, repeats, guard, env)
        plain = [(p, v) for p, v in fixed if not symbolic(v)]
        for row_guard, row in self._candidates(atom.predicate, plain):
            g = conj(guard, row_guard, *(veq(v, row[p]) for p, v in fixed), *(veq(row[a], row[b]) for a, b in repeats))
            if g is False:
                continue
            local = dict(env)
            for position, name in free:
                local[name] = row[position]
            out.append((g, local))
        return out

    def _candidates(self, predicate: str, plain: list[tuple[int, Term]]) -> SymRelation:
        """The rows that can match plain values at some positions (a hash join on a symbolic relation)."""
        rows = self.rows(predicate)
        if not plain:
            return rows
        positions = tuple(p for p, _ in plain)
        key = (predicate, positions)
        cached = self._joins.get(key)
        if cached is None or cached[0] is not rows:
            index: dict[tuple, SymRelation] = {}
            open_rows: SymRelation = []
            for guard, row in rows:
                if any(symbolic(row[p]) for p in positions):
                    open_rows.append((guard, row))
                else:
                    index.setdefault(tuple(_key(row[p]) for p in positions), []).append((guard, row))
            cached = (rows, index, open_rows)
            self._joins[key] = cached
        return cached[1].get(tuple(_key(v) for _, v in plain), []) + cached[2]

    def _scan_static(self, predicate: str, fixed: list[tuple[int, Term]], free: list[tuple[int, str]],
                     repeats: list[tuple[int, int]], guard: Guard, env: dict[str, Term]
                     ) -> list[tuple[Guard, dict[str, Term]]]:
        concrete = [(p, v) for p, v in fixed if not symbolic(v)]
        open_ = [(p, v) for p, v in fixed if symbolic(v)]
        if concrete:
            rows = self._index(predicate, tuple(p for p, _ in concrete)).get(tuple(_key(v) for _, v in concrete), [])
        else:
            rows = self.static[predicate]
        rows = [r for r in rows if all(r[a] == r[b] for a, b in repeats)]
        if not rows:
            return []
        groups: dict[tuple, list[tuple[Value, ...]]] = {}
        for row in rows:
            groups.setdefault(tuple(_key(row[p]) for p, _ in free), []).append(row)
        out: list[tuple[Guard, dict[str, Term]]] = []
        if open_ and free and len(groups) > LOOKUP_MIN_GROUPS and self._functional(rows, open_, free):
            # One lookup: the open arguments select a row; the free ones are an If-chain over the rows.
            matches = [(z3.And(*[zv(v) == const(row[p]) for p, v in open_]) if len(open_) > 1
                        else zv(open_[0][1]) == const(row[open_[0][0]]), row) for row in rows]
            local = dict(env)
            for position, name in free:
                value = const(matches[-1][1][position])
                for match, row in reversed(matches[:-1]):
                    value = z3.If(match, const(row[position]), value)
                local[name] = value
            out.append((conj(guard, z3.Or(*[m for m, _ in matches])), local))
            return out
        for members in groups.values():
            match = disj(conj(*(veq(v, row[p]) for p, v in open_)) for row in members)
            g = conj(guard, match)
            if g is False:
                continue
            local = dict(env)
            for position, name in free:
                local[name] = members[0][position]
            out.append((g, local))
        return out

    @staticmethod
    def _functional(rows: list[tuple[Value, ...]], open_: list[tuple[int, Term]], free: list[tuple[int, str]]) -> bool:
        seen: dict[tuple, tuple] = {}
        for row in rows:
            key = tuple(_key(row[p]) for p, _ in open_)
            value = tuple(_key(row[p]) for p, _ in free)
            if seen.setdefault(key, value) != value:
                return False
        return True

    def _absent(self, atom: ast.Atom, env: dict[str, Term]) -> Guard:
        values = []
        guards = []
        for arg in atom.args:
            value, g = self.term(arg, env)
            values.append(value)
            guards.append(g)
        if atom.predicate in self.static:
            concrete = [(p, v) for p, v in enumerate(values) if not symbolic(v)]
            if concrete:
                rows = self._index(atom.predicate, tuple(p for p, _ in concrete)).get(
                    tuple(_key(v) for _, v in concrete), [])
            else:
                rows = self.static[atom.predicate]
            present = disj(conj(*(veq(v, row[p]) for p, v in enumerate(values) if symbolic(v))) for row in rows)
        else:
            present = self.holds(atom.predicate, values)
        return conj(*guards, neg(present))


def _sort_args(args: tuple[Value, ...]) -> tuple:
    from lexkb.values import args_key

    return args_key(args)


# ---------------------------------------------------------------- models


def model_value(model: z3.ModelRef, slot: Slot, position: int, rename: dict[str, str],
                known: set[str]) -> Value:
    """The value a model gives one argument of a slot, symbols outside the rules renamed."""
    raw = model.eval(slot.raw[position], model_completion=True)
    kind = slot.types[position]
    if "|" in kind:  # a choice of kinds: find the one the model picked, then read it as that kind
        kind = next(part for part in kind.split("|") if z3.is_true(model.eval(_is_kind(part, raw))))
        raw = model.eval(_KIND_FIELD[kind](raw), model_completion=True)
    if kind == "int":
        return raw.as_long()  # type: ignore[union-attr]
    if kind == "date":
        return datetime.date.fromordinal(raw.as_long())  # type: ignore[union-attr]
    text = raw.as_string()  # type: ignore[union-attr]
    if kind == "string":
        return Text(text)
    if text in known:
        return text
    if text not in rename:
        n = len(rename) + 1
        name = "other" if n == 1 else f"other{n}"
        while name in known:
            n += 1
            name = f"other{n}"
        rename[text] = name
    return rename[text]


def program_symbols(program: Program) -> set[str]:
    """Every symbol the rules and reference facts mention (symbols that witnesses keep as they are)."""
    out: set[str] = set()

    def term(t: ast.Term) -> None:
        if isinstance(t, ast.Constant) and isinstance(t.value, str) and not isinstance(t.value, Text):
            out.add(t.value)
        elif isinstance(t, ast.Arithmetic):
            term(t.left)
            term(t.right)
        elif isinstance(t, ast.Call):
            for a in t.args:
                term(a)

    for branch in program.branches:
        for a in branch.head.args:
            term(a)
        for literal in branch.literals:
            if isinstance(literal, Test):
                term(literal.comparison.left)
                term(literal.comparison.right)
            else:
                for a in literal.atom.args:
                    term(a)
    for fact in program.facts:
        out.update(v for v in fact.args if isinstance(v, str) and not isinstance(v, Text))
    return out
