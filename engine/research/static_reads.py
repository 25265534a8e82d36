"""Reading case-independent relations inside a symbolic join (a mixin of
:class:`lexkb.research.symbolic.Encoding`).

A relation no case input can change is known row by row (``static``); reading it
with some arguments symbolic is the costly step of the encoding. Rows are grouped
by the values the read binds; a functional read (the open arguments select one
row) becomes one ``If``-chain; a keyed reference table such as the Sentencing
Table is read through its functions over the key domain
(:mod:`lexkb.research.tables`), with unknown keys as fresh parameters.
"""

from __future__ import annotations

import z3

from lexkb.research.families import Parameters
from lexkb.research.grounding import PossibleValues
from lexkb.research.symbolic_values import Guard, Term, conj, const, disj, later, symbolic, term_key, veq, zv
from lexkb.research.tables import ReferenceTable
from lexkb.values import Value

State = tuple[Guard, dict[str, Term], tuple[z3.ExprRef, ...]]

LOOKUP_MIN_GROUPS = 6  # above this many distinct results, a table lookup becomes one If-chain


class StaticReads:
    """Reads of concrete relations and reference tables; the encoding supplies the state below."""

    static: dict[str, list[tuple[Value, ...]]]
    tables: dict[str, ReferenceTable]
    reverse_reads: bool
    params: Parameters
    possible: PossibleValues
    _indexes: dict[tuple[str, tuple[int, ...]], dict[tuple, list[tuple[Value, ...]]]]

    def _index(self, predicate: str, positions: tuple[int, ...]) -> dict[tuple, list[tuple[Value, ...]]]:
        key = (predicate, positions)
        if key not in self._indexes:
            index: dict[tuple, list[tuple[Value, ...]]] = {}
            for args in self.static[predicate]:
                index.setdefault(tuple(term_key(args[p]) for p in positions), []).append(args)
            self._indexes[key] = index
        return self._indexes[key]

    def _scan_static(self, predicate: str, fixed: list[tuple[int, Term]], free: list[tuple[int, str]],
                     repeats: list[tuple[int, int]], state: State, split: bool = False) -> list[State]:
        """The states a read of a static relation makes.

        ``split``: the values read are joined on later, so they are made plain — one
        state per distinct result, its guard the disjunction of the rows giving it —
        instead of one state holding them as functions of symbolic keys.
        """
        guard, env, params = state
        concrete = [(p, v) for p, v in fixed if not symbolic(v)]
        open_ = [(p, v) for p, v in fixed if symbolic(v)]
        if concrete:
            rows = self._index(predicate, tuple(p for p, _ in concrete)).get(tuple(term_key(v) for _, v in concrete), [])
        else:
            rows = self.static[predicate]
        rows = [r for r in rows if all(r[a] == r[b] for a, b in repeats)]
        if split and open_:
            choices = [(p, self.possible.of(v)) for p, v in open_]
            rows = [r for r in rows if all(c is None or r[p] in c for p, c in choices)]
        if not rows:
            return []
        table = self.tables.get(predicate)
        known_keys = all(k in dict(fixed) for k in table.key) if table is not None else False
        if table is not None and len(rows) > LOOKUP_MIN_GROUPS and (open_ or free) and not split and (
                known_keys or self.reverse_reads):
            return [self._read_table(table, fixed, free, repeats, state)]
        groups: dict[tuple, list[tuple[Value, ...]]] = {}
        for row in rows:
            groups.setdefault(tuple(term_key(row[p]) for p, _ in free), []).append(row)
        out: list[State] = []
        if open_ and free and not split and len(groups) > LOOKUP_MIN_GROUPS and self._functional(rows, open_, free):
            # One lookup: the open arguments select a row; the free ones are an If-chain over the rows.
            matches = [(z3.And(*[zv(v) == const(row[p]) for p, v in open_]) if len(open_) > 1
                        else zv(open_[0][1]) == const(row[open_[0][0]]), row) for row in rows]
            local = dict(env)
            for position, name in free:
                value = const(matches[-1][1][position])
                for match, row in reversed(matches[:-1]):
                    value = z3.If(match, const(row[position]), value)
                local[name] = value
            out.append((conj(guard, z3.Or(*[m for m, _ in matches])), local, params))
            return out
        for members in groups.values():
            match = disj(conj(*(veq(v, row[p]) for p, v in open_)) for row in members)
            g = later(guard, match)  # (built once the tests after the scan keep the state: see later)
            if g is False:
                continue
            local = dict(env)
            for position, name in free:
                local[name] = members[0][position]
            out.append((g, local, params))
        return out

    def _read_table(self, table: ReferenceTable, fixed: list[tuple[int, Term]], free: list[tuple[int, str]],
                    repeats: list[tuple[int, int]], state: State) -> State:
        """One read of a keyed table: known keys looked up, unknown ones fresh parameters over the key domain."""
        guard, env, params = state
        known = dict(fixed)
        fresh = [k for k in table.key if k not in known]
        new = table.parameters()[:len(fresh)]
        self.params.over_values(new, [table.column(k) for k in fresh])
        keys = [known[k] if k in known else new[fresh.index(k)] for k in table.key]
        parts = [guard, table.in_domain(keys)]
        parts += [veq(v, table.value(p, keys)) for p, v in fixed if p not in table.key]
        parts += [veq(table.value(a, keys), table.value(b, keys)) for a, b in repeats]
        local = dict(env)
        for position, name in free:
            local[name] = table.value(position, keys)
        return conj(*parts), local, params + tuple(new)

    @staticmethod
    def _functional(rows: list[tuple[Value, ...]], open_: list[tuple[int, Term]], free: list[tuple[int, str]]) -> bool:
        seen: dict[tuple, tuple] = {}
        for row in rows:
            key = tuple(term_key(row[p]) for p, _ in open_)
            value = tuple(term_key(row[p]) for p, _ in free)
            if seen.setdefault(key, value) != value:
                return False
        return True

