"""Which values of an input argument the rules can tell apart: the candidate values of what-if.

Argument positions are linked when one rule puts the same variable in both
(``relies_on_amendment(?a) and covered_amendment(?a, ?added)`` links
``relies_on_amendment`` 0 with ``covered_amendment`` 0; a variable in the
conclusion links the body's positions with the conclusion's). A group of
linked positions is *ordered* when one of its variables is compared with
``<``/``<=``/``>``/``>=`` or used in arithmetic or a function.

In a group that is not ordered, values are only ever tested for equality
— with the constants written there, with the reference facts stated there —
so every value outside those is indistinguishable from every other: the
candidates are the values that occur, and one fresh value for "anything
else". In an ordered group, the values that occur (reference facts
included: ``threshold(b1A, 280)``) and each of them plus or minus one are the
candidates, so a threshold is tried on both of its sides — except below 0 where
no value there is negative (the numbers of the law are mostly counts: months,
levels, points).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from lexkb.compile.program import Negative, Positive, Program, Test
from lexkb.language import ast
from lexkb.values import Value

Position = tuple[str, int]
ORDERINGS = ("<", "<=", ">", ">=")


@dataclass
class Group:
    """Linked argument positions and the values the rules give them."""

    ordered: bool = False
    values: set[Value] = field(default_factory=set)


def value_groups(program: Program) -> dict[Position, Group]:
    """Each argument position → its group (positions linked by shared variables share one Group)."""
    parent: dict[Position, Position] = {}

    def find(position: Position) -> Position:
        while parent.setdefault(position, position) != position:
            parent[position] = parent[parent[position]]
            position = parent[position]
        return position

    ordered: set[Position] = set()
    constants: dict[Position, set[Value]] = {}
    for branch in program.branches:
        seen: dict[str, Position] = {}
        atoms = [branch.head] + [lit.atom for lit in branch.literals if isinstance(lit, (Positive, Negative))]
        for atom in atoms:
            for index, term in enumerate(atom.args):
                here = (atom.predicate, index)
                find(here)
                if isinstance(term, ast.Constant):
                    constants.setdefault(here, set()).add(term.value)
                elif isinstance(term, ast.Variable):
                    if term.name in seen:
                        parent[find(here)] = find(seen[term.name])
                    else:
                        seen[term.name] = here
                elif term is not None:  # arithmetic or a call in an argument: values are computed
                    for name in _variables(term):
                        if name in seen:
                            ordered.add(seen[name])
                    ordered.add(here)
        for literal in branch.literals:
            if not isinstance(literal, Test):
                continue
            node = literal.comparison
            simple = node.op not in ORDERINGS and all(
                isinstance(t, (ast.Variable, ast.Constant)) for t in (node.left, node.right))
            # every variable and constant of a comparison is compared with every other: one group
            names = [seen[n] for n in _variables(node.left) + _variables(node.right) if n in seen]
            for here in names:
                if not simple:
                    ordered.add(here)
                parent[find(here)] = find(names[0])
                constants.setdefault(here, set()).update(_constants(node.left) + _constants(node.right))
    for fact in program.facts:
        for index, value in enumerate(fact.args):
            constants.setdefault((fact.predicate, index), set()).add(value)
    groups: dict[Position, Group] = {}
    for position in list(parent):
        group = groups.setdefault(find(position), Group())
        group.ordered |= position in ordered
        group.values |= constants.get(position, set())
    return {position: groups[find(position)] for position in parent}


def _leaves(term: ast.Term) -> list[ast.Term]:
    """The variables and constants of a term, through arithmetic and calls."""
    if isinstance(term, ast.Arithmetic):
        return _leaves(term.left) + _leaves(term.right)
    if isinstance(term, ast.Call):
        return [leaf for arg in term.args for leaf in _leaves(arg)]
    return [term]


def _variables(term: ast.Term) -> list[str]:
    return [leaf.name for leaf in _leaves(term) if isinstance(leaf, ast.Variable)]


def _constants(term: ast.Term) -> list[Value]:
    return [leaf.value for leaf in _leaves(term) if isinstance(leaf, ast.Constant)]


def candidates(group: Group | None, kind: str, stated: set[Value]) -> list[Value]:
    """The candidate values of one kind for a position of ``group``; ``stated``: the case's values of that kind."""
    accepted = ("int", "decimal") if kind == "decimal" else (kind,)  # a decimal position also takes integers
    occurring = {v for v in (group.values if group else set()) | stated if _kind(v) in accepted}
    if group is not None and not group.ordered:
        return sorted(occurring) + [_fresh(kind, occurring)]  # type: ignore[type-var]
    # Where the rules and the case only ever give a number 0 or more (months, levels, points),
    # no negative one is proposed: "a statutory maximum of -1 months" is no case a court sees.
    floor = 0 if kind in ("int", "decimal") and all(v >= 0 for v in occurring) else None  # type: ignore[operator]
    if kind == "int":
        return sorted({v + d for v in occurring for d in (-1, 0, 1)  # type: ignore[operator]
                       if floor is None or v + d >= floor})  # type: ignore[operator]
    if kind == "decimal":  # one step of the value's last place either side: 3.9 → 3.8, 3.9, 4.0
        return sorted({v + d * _last_place(v) for v in occurring for d in (-1, 0, 1)  # type: ignore[operator, type-var]
                       if floor is None or v + d * _last_place(v) >= floor})  # type: ignore[operator]
    if kind == "date":
        step = datetime.timedelta(days=1)
        return sorted({v + d * step for v in occurring for d in (-1, 0, 1)  # type: ignore[operator]
                       if datetime.date.min + step < v < datetime.date.max - step})  # type: ignore[operator]
    return sorted(occurring)  # type: ignore[type-var]


def _last_place(value: Value) -> Decimal:
    """The value of one unit in a number's last written place (1 for an integer, 0.1 for 3.9)."""
    exponent = value.as_tuple().exponent if isinstance(value, Decimal) else 0
    return Decimal(1).scaleb(min(0, int(exponent)))


def _kind(value: Value) -> str:
    if type(value) is int:
        return "int"
    if type(value) is Decimal:
        return "decimal"
    if isinstance(value, datetime.date):
        return "date"
    return "other"


def _fresh(kind: str, taken: set[Value]) -> Value:
    """A value of the kind that occurs nowhere in the rules: "anything else"."""
    if kind == "int":
        return max([0, *taken]) + 1  # type: ignore[type-var, operator]
    if kind == "date":
        return max([datetime.date(2000, 1, 1), *taken]) + datetime.timedelta(days=1)  # type: ignore[type-var, operator]
    return "other"
