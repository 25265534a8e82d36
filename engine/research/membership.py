"""Whether a fact holds, as a z3 condition over the input slots (a mixin of
:class:`lexkb.research.symbolic.Encoding`).

A test of a fact against a computed relation is the disjunction, over the
relation's guarded tuples, of "this tuple, with these arguments". With plain
arguments, only the tuples with the same plain values and the symbolic ones
can match (an index); with symbolic arguments, the disjunction over a large
relation is built once over placeholder arguments and each test is a
substitution z3 performs (building it in Python for every test costs the size
of the relation each time). Static relations and keyed reference tables are
tested row by row or through the table's functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import z3

from lexkb.compile.program import Program
from lexkb.language import ast
from lexkb.research.families import SymTuple, substitute
from lexkb.research.static_reads import LOOKUP_MIN_GROUPS, StaticReads
from lexkb.research.symbolic_values import Guard, Term, V, conj, disj, symbolic, term_key, veq, zv

MEMBERSHIP_INLINE = 8  # a relation with more tuples is tested by substitution (see Membership._membership)


class Membership(StaticReads):
    """Fact tests over the encoding's relations; the encoding supplies the state below."""

    program: Program
    _relations: dict[str, list[SymTuple]]
    _splits: dict[str, tuple[object, dict[tuple, Guard], list[SymTuple]]]
    _memberships: dict[str, tuple[list[SymTuple], list[z3.ExprRef], z3.BoolRef]]
    _held: dict[tuple, tuple[list[SymTuple], Guard, tuple[Term, ...]]]

    if TYPE_CHECKING:
        def tuples(self, predicate: str) -> list[SymTuple]: ...  # the encoding's

    def holds(self, predicate: str, args: Sequence[Term]) -> Guard:
        """The condition under which ``predicate(args)`` is concluded (closed: parameters quantified).

        Kept by the arguments (and rebuilt when the relation's tuples change): the rules test the
        same facts from many states (on kb/, 2,995 tests of 647 different facts)."""
        rows = self.tuples(predicate)
        key = (predicate, tuple(term_key(a) for a in args))
        cached = self._held.get(key)
        if cached is None or cached[0] is not rows:
            cached = self._held[key] = (rows, self._holds(predicate, args), tuple(args))  # args: their ids stay theirs
        return cached[1]

    def _holds(self, predicate: str, args: Sequence[Term]) -> Guard:
        if not any(symbolic(a) for a in args):
            # Plain arguments: only same-valued plain rows and the symbolic rows can match.
            concrete, open_rows = self._split(predicate)
            found = concrete.get(tuple(term_key(a) for a in args), False)
            return disj([found, *(self.params.member(t, args) for t in open_rows)])
        rows = self.tuples(predicate)
        families = [t for t in rows if t.params]
        if len(rows) - len(families) > MEMBERSHIP_INLINE:
            placeholders, body = self._membership(predicate)
            found = substitute(body, list(zip(placeholders, (zv(a) for a in args))))
            return disj([found, *(self.params.member(t, args) for t in families)])
        return disj(self.params.member(t, args) for t in rows)

    def _membership(self, predicate: str) -> tuple[list[z3.ExprRef], z3.BoolRef]:
        """A relation's membership test, built once over placeholder arguments: a test of symbolic
        arguments against it is then one substitution, done by z3 (building the disjunction in Python
        for every test costs the size of the relation each time)."""
        rows = self.tuples(predicate)
        cached = self._memberships.get(predicate)
        if cached is not None and cached[0] is rows:
            return cached[1], cached[2]
        placeholders = [z3.Const(f"{predicate}%{i}", V) for i in range(self.program.arities[predicate])]
        body = disj(conj(t.guard, *(veq(b, a) for b, a in zip(placeholders, t.args))) for t in rows if not t.params)
        formula = z3.BoolVal(body) if isinstance(body, bool) else body
        self._memberships[predicate] = (rows, placeholders, formula)
        return placeholders, formula

    def _split(self, predicate: str) -> tuple[dict[tuple, Guard], list[SymTuple]]:
        relation = self._relations.get(predicate, []) if predicate not in self.static else None
        cached = self._splits.get(predicate)
        if cached is not None and cached[0] is relation:
            return cached[1], cached[2]
        concrete: dict[tuple, Guard] = {}
        open_rows: list[SymTuple] = []
        for row in self.tuples(predicate):
            if row.params or any(symbolic(t) for t in row.args):
                open_rows.append(row)
            else:
                key = tuple(term_key(t) for t in row.args)
                concrete[key] = disj([concrete.get(key, False), row.guard])
        self._splits[predicate] = (relation, concrete, open_rows)
        return concrete, open_rows

    def holds_pattern(self, atom: ast.Atom) -> Guard:
        """Whether some fact matches ``atom``, whose variables each stand for any value (closed)."""
        out = []
        constants = [(p, arg.value) for p, arg in enumerate(atom.args) if isinstance(arg, ast.Constant)]
        for family in self.tuples(atom.predicate):
            guard, row, params = self.params.bind(family, constants)
            seen: dict[str, int] = {}
            parts = [guard]
            for position, arg in enumerate(atom.args):
                if isinstance(arg, ast.Constant):
                    parts.append(veq(arg.value, row[position]))
                elif isinstance(arg, ast.Variable):
                    if arg.name in seen:
                        parts.append(veq(row[seen[arg.name]], row[position]))
                    else:
                        seen[arg.name] = position
            out.append(self.params.eliminate(params, conj(*parts)))
        return disj(out)

    # -- branches

    def _present(self, predicate: str, values: list[Term]) -> Guard:
        """Whether the fact ``predicate(values)`` holds (closed: a family's parameters are eliminated)."""
        if predicate not in self.static:
            return self.holds(predicate, values)
        concrete = [(p, v) for p, v in enumerate(values) if not symbolic(v)]
        if concrete:
            rows = self._index(predicate, tuple(p for p, _ in concrete)).get(tuple(term_key(v) for _, v in concrete), [])
        else:
            rows = self.static[predicate]
        table = self.tables.get(predicate)
        if table is not None and len(rows) > LOOKUP_MIN_GROUPS:
            keys = [values[k] for k in table.key]
            return conj(table.in_domain(keys),
                        *(veq(v, table.value(p, keys)) for p, v in enumerate(values) if p not in table.key))
        return disj(conj(*(veq(v, row[p]) for p, v in enumerate(values) if symbolic(v))) for row in rows)
