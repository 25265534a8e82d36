"""Generated stratified programs, as a Hypothesis strategy (so a failing program shrinks).

A program is generated once as an abstract structure, written in lexkb by
:func:`to_lexkb` (with `or`, `not (a and b)`, `unless`, min/max, conditions in
shuffled order) and, by the clingo test, in clingo's language. Negation only
reads predicates of strictly lower levels, so every program is stratified;
every computed value is guarded to -20..19, so evaluation terminates.

The differential tests use it to compare every evaluator of the language with
the engine: clingo (integers only), the interpreter and the z3 encoding (which
also get dates, symbols and strings, where `<` across kinds and arithmetic on
non-numbers are where evaluators could disagree).
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from hypothesis import strategies as st

from lexkb.values import Text, Value

BOUND = 20  # computed values stay in -BOUND .. BOUND-1
T = TypeVar("T")

INTEGERS = st.integers(min_value=-3, max_value=6)
# Few distinct values of each kind, so joins and comparisons meet equal values often.
MIXED = st.one_of(
    INTEGERS,
    st.sampled_from([Decimal("0.5"), Decimal("-1.25"), Decimal("2.0")]),  # 2.0 equals the integer 2
    st.sampled_from([datetime.date(2024, 1, 1), datetime.date(2024, 1, 2), datetime.date(2023, 12, 31)]),
    st.sampled_from(["a", "b"]),
    st.sampled_from([Text("a"), Text("x y")]),
)


@dataclass(frozen=True)
class Pred:
    name: str
    arity: int
    level: int  # 0 for base facts


# A term is ("var", name) | ("const", value) | ("anon",) for `_` (atoms' arguments only)
#   | (op, term, term) with op in + - * min max.
# A literal is ("pos", pred, args) | ("neg", pred, args) | ("cmp", op, term, term)
#   | ("bind", var, term) | ("or", [literals], [literals]) | ("notand", [literals]) | ("unless", pred, args)


@dataclass
class Program:
    base: list[Pred]
    derived: list[Pred]
    facts: dict[str, list[tuple[Value, ...]]]
    rules: list[tuple[Pred, tuple, list]] = field(default_factory=list)  # (head, head args, body)
    as_inputs: bool = False  # base facts given as a case (inputs) rather than written in the rules

    @property
    def predicates(self) -> list[Pred]:
        return self.base + self.derived

    def case(self) -> dict[str, list[tuple[Value, ...]]] | None:
        return {p.name: self.facts[p.name] for p in self.base} if self.as_inputs else None


@functools.cache
def _integers(low: int, high: int) -> st.SearchStrategy[int]:
    """One strategy object per range: building strategies is what a draw costs most."""
    return st.integers(low, high)


class _Generator:
    """Builds one program from Hypothesis draws; every choice is a draw, so it shrinks."""

    def __init__(self, draw: Callable[[st.SearchStrategy[Any]], Any], values: st.SearchStrategy[Value],
                 max_rows: int) -> None:
        self.draw = draw
        self.values = values
        self.max_rows = max_rows
        self.fresh = 0

    def chance(self, percent: int) -> bool:
        """True ``percent`` times in a hundred; shrinks to False."""
        return bool(self.count(0, 99) >= 100 - percent)

    def choice(self, items: Sequence[T]) -> T:
        """One of ``items``; shrinks to the first."""
        return items[self.count(0, len(items) - 1)]

    def count(self, low: int, high: int) -> int:
        return int(self.draw(_integers(low, high)))

    def var(self) -> tuple:
        self.fresh += 1
        return ("var", f"V{self.fresh}")

    def const(self) -> tuple:
        return ("const", self.draw(self.values))

    def program(self) -> Program:
        base = [Pred("e", 2, 0), Pred("f", 1, 0), Pred("g", 2, 0), Pred("z", 0, 0)]
        facts: dict[str, list[tuple[Value, ...]]] = {}
        for pred in base:
            if pred.arity == 0:
                facts[pred.name] = [()] if self.chance(60) else []
            else:
                rows = self.draw(st.lists(st.tuples(*[self.values] * pred.arity), max_size=self.max_rows, unique=True))
                facts[pred.name] = rows
        derived = [Pred(f"p{i}", self.choice([0, 1, 2]), self.count(1, 3)) for i in range(self.count(2, 6))]
        program = Program(base, derived, facts, as_inputs=self.chance(50))
        if self.chance(25):  # transitive closure, the classic recursion
            tc = Pred("tc", 2, self.count(1, 3))
            program.derived.append(tc)
            x, y, z = self.var(), self.var(), self.var()
            program.rules.append((tc, (x, y), [("pos", base[0], (x, y))]))
            program.rules.append((tc, (x, z), [("pos", tc, (x, y)), ("pos", base[0], (y, z))]))
        for pred in derived:
            for _ in range(self.count(1, 3)):
                program.rules.append(self.rule(pred, program))
        return program

    def args(self, pred: Pred, bound: list[tuple], allow_new: bool) -> tuple:
        out = []
        for _ in range(pred.arity):
            if self.chance(10):
                out.append(("anon",))  # `_`: in a positive atom any value, in a negated one no value
            elif bound and (not allow_new or self.chance(60)):
                out.append(self.choice(bound))
            elif allow_new and self.chance(70):
                out.append(self.var())
            else:
                out.append(self.const())
        return tuple(out)

    def rule(self, head: Pred, program: Program) -> tuple[Pred, tuple, list]:
        everything = program.predicates
        same_or_lower = [p for p in everything if p.level <= head.level]
        lower = [p for p in everything if p.level < head.level]
        body: list = []
        bound: list[tuple] = []
        for _ in range(self.count(1, 3)):
            pred = self.choice(same_or_lower)
            args = self.args(pred, bound, allow_new=True)
            body.append(("pos", pred, args))
            bound.extend(a for a in args if a[0] == "var" and a not in bound)
        for _ in range(self.count(0, 3)):
            kind = self.choice(["cmp", "neg", "bind", "or", "notand", "unless"])
            if kind == "bind" and bound:
                new = self.var()
                body.append(("bind", new, self.term(bound)))
                body.append(("cmp", ">=", new, ("const", -BOUND)))
                body.append(("cmp", "<", new, ("const", BOUND)))
                bound.append(new)
            elif kind == "or" and bound:
                body.append(("or", [self.filter(bound, lower, same_or_lower)],
                             [self.filter(bound, lower, same_or_lower), self.filter(bound, lower, same_or_lower)]))
            elif kind == "notand" and lower:
                first = self.choice([p for p in lower if p.arity] or lower)
                args = self.args(first, bound, allow_new=True)
                local = bound + [a for a in args if a[0] == "var" and a not in bound]
                second = self.choice(lower)
                body.append(("notand", [("pos", first, args), ("pos", second, self.args(second, local, False))]))
            elif kind in ("neg", "unless") and lower:
                pred = self.choice(lower)
                body.append((kind, pred, self.args(pred, bound, allow_new=False)))
            elif bound or kind == "cmp":
                body.append(self.comparison(bound))
        head_args = tuple(self.choice(bound) if bound and self.chance(85) else self.const() for _ in range(head.arity))
        return head, head_args, self.draw(st.permutations(body))

    def filter(self, bound: list[tuple], lower: list[Pred], same_or_lower: list[Pred]) -> tuple:
        kind = self.choice(["cmp", "neg", "pos"])
        if kind == "cmp" or not bound:
            return self.comparison(bound)
        if kind == "neg" and lower:
            pred = self.choice(lower)
            return ("neg", pred, self.args(pred, bound, allow_new=False))
        pred = self.choice(same_or_lower)
        return ("pos", pred, self.args(pred, bound, allow_new=False))

    def comparison(self, bound: list[tuple]) -> tuple:
        op = self.choice(["<", "<=", ">", ">=", "=", "!="])
        if len(bound) >= 2 and self.chance(60):
            left, right = self.choice(bound), self.choice(bound)
        elif bound:
            left, right = self.choice(bound), self.const()
        else:  # two constants of different kinds are an error at check time (lexkb.compile.kinds)
            left, right = self.const(), self.const()
            if type(left[1]) is not type(right[1]):
                right = left
        if any(side[0] == "const" and type(side[1]) not in (int, Decimal, datetime.date) for side in (left, right)):
            op = self.choice(["=", "!="])  # nor is ordering a symbol or a string
        if self.chance(50):
            left, right = right, left
        return ("cmp", op, left, right)

    def term(self, bound: list[tuple], depth: int = 0) -> tuple:
        if depth >= 2 or not self.chance(65):
            if self.chance(75):
                return self.choice(bound)
            # arithmetic on a constant that is not an integer is an error at check time (lexkb.compile.kinds)
            return self.const() if depth == 0 else ("const", self.draw(INTEGERS))
        op = self.choice(["+", "-", "*", "min", "max"])
        return (op, self.term(bound, depth + 1), self.term(bound, depth + 1))


def programs(values: st.SearchStrategy[Value] = INTEGERS, max_rows: int = 9) -> st.SearchStrategy[Program]:
    """Stratified programs whose constants and base facts are drawn from ``values``,
    with at most ``max_rows`` facts for each base predicate."""

    @st.composite
    def build(draw: Callable[[st.SearchStrategy[Any]], Any]) -> Program:
        return _Generator(draw, values, max_rows).program()

    return build()


# ---------------------------------------------------------------- writing lexkb


def lx_value(value: Value) -> str:
    if isinstance(value, Text):
        return '"' + value + '"'
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def lx_term(term: tuple) -> str:
    if term[0] == "anon":
        return "_"
    if term[0] == "var":
        return "?" + term[1]
    if term[0] == "const":
        return lx_value(term[1])
    op, a, b = term
    if op in ("min", "max"):
        return f"{op}({lx_term(a)}, {lx_term(b)})"
    return f"({lx_term(a)} {op} {lx_term(b)})"


def lx_atom(pred: Pred, args: tuple) -> str:
    return pred.name + (f"({', '.join(lx_term(a) for a in args)})" if args else "")


def lx_literal(lit: tuple) -> str:
    kind = lit[0]
    if kind == "pos":
        return lx_atom(lit[1], lit[2])
    if kind == "neg":
        return "not " + lx_atom(lit[1], lit[2])
    if kind == "cmp":
        return f"{lx_term(lit[2])} {lit[1]} {lx_term(lit[3])}"
    if kind == "bind":
        return f"{lx_term(lit[1])} = {lx_term(lit[2])}"
    if kind == "or":
        return "(" + " or ".join("(" + " and ".join(lx_literal(x) for x in alt) + ")" for alt in lit[1:]) + ")"
    if kind == "notand":
        return "not (" + " and ".join(lx_literal(x) for x in lit[1]) + ")"
    raise AssertionError(kind)


def _input(pred: Pred) -> str:
    return f"input {pred.name}" + (f"({', '.join(['int|decimal|date|symbol|string'] * pred.arity)})" if pred.arity else "")


def to_lexkb(program: Program) -> str:
    lines = []
    for pred in program.base:
        if program.as_inputs:
            lines.append(_input(pred))
        else:
            lines += [lx_atom(pred, tuple(("const", v) for v in row)) for row in program.facts[pred.name]]
            if not program.facts[pred.name]:  # nothing states it, so declare it for the typo check
                lines.append(_input(pred))
    for head, args, body in program.rules:
        plain = [lit for lit in body if lit[0] != "unless"]
        exceptions = [lit for lit in body if lit[0] == "unless"]
        condition = " and ".join(lx_literal(lit) for lit in plain) if plain else "z or not z"
        text = f"{lx_atom(head, args)} if {condition}"
        text += "".join(f" unless {lx_atom(lit[1], lit[2])}" for lit in exceptions)
        lines.append(text)
    return "\n".join(lines) + "\n"
