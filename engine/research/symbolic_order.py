"""The join order of the z3 encoding: the order that makes the fewest symbolic states.

The encoding (:mod:`lexkb.research.symbolic`) extends a list of symbolic
states literal by literal; a scan multiplies each state by the rows it can
match, a test keeps one state per state, and a positive atom whose arguments
are all known is a test too (one state whose guard says the fact is there).
So, unlike the engine, which visits facts, the encoding pays for the product of
the scans' fan-outs, and a greedy choice goes wrong where a small relation
read first makes a large one a scan (the amended table range, then every § 5G1.1
reading of it) instead of a test (every § 5G1.1 reading, then "is its range the
amended table range?"). Rules have few atoms: every order of the remaining
scans is tried (up to :data:`EXHAUSTIVE_SCANS` of them; greedy beyond), scored
by the tuples it would compare each state with (a scan makes a state of each; a
test, one state of them all), with counts estimated from the relations as
encoded so far, following the bindings each scan makes ready. Filters still run
as early as their variables allow (:class:`lexkb.compile.schedule.JoinOrder`):
the one join policy decides *when* a literal can run; this class only chooses
among ready scans.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterable, Sequence
from typing import TYPE_CHECKING

from lexkb.compile.program import Branch, Positive, Test
from lexkb.compile.schedule import JoinOrder, Step, binding, make_step, scannable
from lexkb.language import ast
from lexkb.research.symbolic_values import symbolic, term_key

if TYPE_CHECKING:
    from lexkb.research.symbolic import Encoding

EXHAUSTIVE_SCANS = 6  # 720 orders at most


class SymbolicOrder(JoinOrder):
    """Ready scans chosen to make the fewest symbolic states (see the module docstring)."""

    def __init__(self, encoding: Encoding) -> None:
        self.encoding = encoding
        self._counts: dict[tuple[str, tuple[int, ...]], tuple[int, float]] = {}

    def choose(self, branch: Branch, pending: Iterable[int], bound: Collection[str]) -> Step | None:
        pending = tuple(pending)
        step = self.ready_filter(branch, pending, bound)
        if step is not None:
            return step
        atoms = [(i, branch.literals[i].atom) for i in pending  # type: ignore[union-attr]
                 if isinstance(branch.literals[i], Positive)]
        ready = [i for i, atom in atoms if scannable(atom, bound)]
        if not ready:
            return None
        tests = [lit for i in pending if isinstance(lit := branch.literals[i], Test)]
        best = min(ready, key=lambda i: (self._cost_leading(i, atoms, bound, tests), i))
        return make_step(branch.literals[best], bound, best)

    def _cost_leading(self, first: int, atoms: list[tuple[int, ast.Atom]], bound: Collection[str],
                      tests: Sequence[Test] = ()) -> float:
        """The least work any order of the scans makes when ``first`` leads: for each read, the states
        before it times the tuples each is compared with (:meth:`candidates`).

        After each scan, the bindings (``?l = max(1, min(43, ?l0))``) that its variables make ready
        are followed, as the plan will: a table read after one is a lookup, not a scan."""
        rest = [(i, a) for i, a in atoms if i != first]
        lead = dict(atoms)[first]
        if len(rest) >= EXHAUSTIVE_SCANS:
            return self.fanout(lead, bound)
        best = float("inf")
        for order in itertools.permutations(rest):
            known = set(bound)
            total, width = 0.0, 1.0
            for _, atom in ((first, lead), *order):
                if not scannable(atom, known):
                    width *= 1000.0  # an order that leaves an atom unready until later: penalised, not excluded
                    continue
                total += width * self.candidates(atom, known)
                width *= self.fanout(atom, known)
                known.update(ast.term_variables_of_atom(atom))
                _follow_bindings(tests, known)
            best = min(best, total)
        return best

    def fanout(self, atom: ast.Atom, bound: Collection[str]) -> float:
        """How many states one state becomes when ``atom`` is read with the ``bound`` variables known."""
        if all(not isinstance(a, ast.Variable) or a.name in bound for a in atom.args):
            return 1.0  # a test: one state whose guard says the fact is there
        return self.candidates(atom, bound)

    def candidates(self, atom: ast.Atom, bound: Collection[str]) -> float:
        """How many tuples a read of ``atom`` compares each state with: those its known values select, and
        every tuple whose values there are symbolic (a family's, a slot's). A scan makes a state of each;
        a test (every argument known) makes one state of them all, but builds a comparison with each:
        on kb/, testing each of the Sentencing Table's 258 cells against amended_cell's 168 families
        cost 0.33 s, where reading amended_cell's 426 tuples and looking each up in the table costs little."""
        positions = tuple(p for p, a in enumerate(atom.args)
                          if not (isinstance(a, ast.Variable) and a.name not in bound))
        predicate = atom.predicate
        table = self.encoding.tables.get(predicate)
        if table is not None and set(table.key) <= set(positions):
            return 1.0  # a lookup in a keyed table
        rows = self.encoding.tuples(predicate)
        if not positions:
            return float(len(rows))
        cached = self._counts.get((predicate, positions))
        if cached is None or cached[0] != len(rows):
            open_rows = 0
            keys: set[tuple] = set()
            for row in rows:
                if row.params or any(symbolic(row.args[p]) for p in positions):
                    open_rows += 1
                else:
                    keys.add(tuple(term_key(row.args[p]) for p in positions))
            plain = len(rows) - open_rows
            cached = (len(rows), open_rows + (plain / len(keys) if keys else 0.0))
            self._counts[(predicate, positions)] = cached
        return cached[1]


def _follow_bindings(tests: Sequence[Test], known: set[str]) -> None:
    """Add to ``known`` every variable the ``tests`` bind once ``known`` have values (to a fixed point)."""
    changed = True
    while changed:
        changed = False
        for test in tests:
            found = binding(test, known)
            if found is not None:
                known.add(found[0].name)
                changed = True


def joined_later(branch: Branch, later: Sequence[Step], binds: Sequence[str], static: Collection[str]) -> bool:
    """Whether a variable bound now is a known argument of a later scan of a derived relation.

    A reference table read with symbolic keys is then split into plain values
    (:meth:`lexkb.research.static_reads.StaticReads._scan_static`), which makes that later scan a lookup.
    """
    for step in later:
        if step.kind != "scan":
            continue
        literal = branch.literals[step.index]
        assert isinstance(literal, Positive)
        if literal.atom.predicate in static:
            continue
        for position in step.keys:
            arg = literal.atom.args[position]
            if isinstance(arg, ast.Variable) and arg.name in binds:
                return True
    return False
