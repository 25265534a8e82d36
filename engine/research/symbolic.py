"""The rule base as z3 formulas over symbolic case inputs (used by verify and what-if).

Each declared input predicate gets *slots* (:class:`Slot`): a zero-argument
input one Bool (stated or not); an input with arguments a bounded number of
symbolic facts, each a presence flag and one typed value per argument. Every
other predicate becomes a finite *symbolic relation*: a list of ``(guard,
args)`` pairs, where ``guard`` is a z3 Bool over the slots (or plain
True/False) and each argument is a plain value or a z3 term (see
:mod:`lexkb.research.symbolic_values`). Relations that no input can change are
taken from the engine as they are (concrete rows); the rest are computed rule
by rule, strata first, by a symbolic join in the order of
:mod:`lexkb.compile.schedule`. Because the rules are stratified and every
relation is finite, a `not X` is exactly the conjunction of "this tuple is not
X" over X's finitely many guarded tuples: the completion is exact for
non-recursive predicates. Recursive ones are unfolded a bounded number of
rounds (an under-approximation, stated as such by the tools).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple

import z3

from lexkb.compile.program import Branch, Negative, Positive, Program, Test
from lexkb.compile.schedule import Step, plan
from lexkb.evaluate.engine import Engine
from lexkb.language import ast
from lexkb.research import z3_calls
from lexkb.research.families import INTERVAL_MIN, Occurrences, Parameters, SymTuple, occurs, substitute
from lexkb.research.grounding import PossibleValues, ground
from lexkb.research.membership import Membership
from lexkb.research.named import NamedGuards
from lexkb.research.static_reads import State
from lexkb.research.symbolic_order import SymbolicOrder, joined_later
from lexkb.research.symbolic_values import (
    Guard,
    Slot,
    Term,
    built,
    conj,
    disj,
    later,
    neg,
    sym_arithmetic,
    sym_compare,
    symbolic,
    term_key,
    veq,
)
from lexkb.research.tables import ReferenceTable, functional_key
from lexkb.values import Text, Value, args_key

SymRelation = list[tuple[Guard, tuple[Term, ...]]]


REVERSE_READS = False  # the default of Encoding(reverse_reads=…): see the class docstring
TABLE_MIN_ROWS = 12  # a keyed reference table with more rows is read as functions over its key domain
MAX_STATES = 20_000
MAX_TUPLES = 5_000
GROUNDED_MIN = 256  # a relation made plain may grow to this many tuples (or twice its size)


class EncodingLimit(Exception):
    """The symbolic join grew beyond what the tools will attempt."""

    def __init__(self, message: str, rule: ast.Rule | None = None) -> None:
        super().__init__(message)
        self.rule = rule


# ---------------------------------------------------------------- the encoding


class _Matches(NamedTuple):
    """What a read of a computed relation with some values known matches (:meth:`Encoding._matches`)."""

    rows: list[SymTuple]  # the relation's tuples it was computed from (a recursive one's change each round)
    known: tuple[Term, ...]  # the values read, kept so that the ids in the cache key stay theirs
    families: list[SymTuple]  # candidates with parameters still open, bound to the values read
    groups: list[tuple[Guard, tuple[Term, ...]]]  # per distinct values at the positions bound: condition, values


class Encoding(Membership):
    """Symbolic relations for every predicate of a program, over input slots.

    Public reads: :meth:`holds` and :meth:`holds_pattern` give closed conditions
    over the slots (table parameters quantified); :meth:`tuples` the guarded
    tuples with their parameters; :meth:`rows` and :meth:`branch_heads` the
    guards with parameters left free, which is right only where they are read
    positively (a free constant is existential to z3), never under a negation.
    ``table_min_rows`` (default :data:`TABLE_MIN_ROWS`): keyed reference tables
    with more rows are read as functions (:mod:`lexkb.research.tables`); the
    table functions' defining equations are appended to ``constraints``.
    ``reverse_reads``: a table read whose keys are not all known (which cells have
    this range?) becomes one family of tuples with the missing keys as parameters
    (:mod:`lexkb.research.families`), instead of one tuple per row. Exact, but a
    `not` over such a family is expanded over the key domain, which on the bundled
    knowledge base costs more than the rows it saves: off by default.
    """

    def __init__(self, program: Program, engine: Engine, static: dict[str, dict[tuple[Value, ...], object]],
                 slots: list[Slot], constraints: list[z3.BoolRef], depth: int,
                 table_min_rows: int = TABLE_MIN_ROWS, reverse_reads: bool | None = None) -> None:
        self.program = program
        self._order = SymbolicOrder(self)
        self.slots = slots
        self.constraints = constraints
        self.depth = depth
        self.reverse_reads = REVERSE_READS if reverse_reads is None else reverse_reads
        self.params = Parameters()
        dynamic = engine.dependents(program.inputs) if program.inputs else set()
        self.static: dict[str, list[tuple[Value, ...]]] = {}
        self.tables: dict[str, ReferenceTable] = {}
        self.possible = PossibleValues()
        for predicate in program.arities:
            if predicate not in dynamic:
                self.static[predicate] = sorted(static.get(predicate, {}), key=lambda a: args_key(a))
                rows = self.static[predicate]
                key = functional_key(rows) if len(rows) > table_min_rows else None
                if key is not None:
                    self.tables[predicate] = ReferenceTable(predicate, rows, key)
                    constraints.extend(self.tables[predicate].axioms)
                    for position, function in self.tables[predicate].functions.items():
                        self.possible.register(function, key, position, rows)
        self._relations: dict[str, list[SymTuple]] = {}
        for predicate in program.inputs:
            if predicate in dynamic:
                self._relations[predicate] = [SymTuple(s.present, s.values) for s in slots if s.predicate == predicate]
        self._indexes: dict[tuple[str, tuple[int, ...]], dict[tuple, list[tuple[Value, ...]]]] = {}
        self._static_rows: dict[str, list[SymTuple]] = {}
        self._splits: dict[str, tuple[Any, dict[tuple, Guard], list[SymTuple]]] = {}
        self._joins: dict[tuple[str, tuple[int, ...]], tuple[Any, dict[tuple, list[SymTuple]], list[SymTuple]]] = {}
        self._scans: dict[tuple, _Matches] = {}  # reads of computed relations by the values read (see _matches)
        self._tests: dict[tuple, tuple[tuple[Guard, Guard, Guard], tuple]] = {}  # see _tested
        self._test_variables: dict[int, tuple[str, ...]] = {}
        # Predicates too large to encode: taken as empty (an under-approximation), with the reason.
        self.abstracted: dict[str, str] = {}
        self.named = NamedGuards()  # every merged tuple's guard, named (read its definitions for a query)
        self._memberships: dict[str, tuple[list[SymTuple], list[z3.ExprRef], z3.BoolRef]] = {}
        self._held: dict[tuple, tuple[list[SymTuple], Guard, tuple[Term, ...]]] = {}  # see holds
        self._branch_heads: dict[int, list[SymTuple]] = {}
        # Arithmetic and comparisons by their operands: a join through a table computes the same
        # ones many times (on kb/, 290,000 calls for 44,000 different ones; z3 terms are slow to build).
        self._computed: dict[tuple, tuple[Any, tuple]] = {}  # each non-recursive branch's heads, as computed
        with _fewer_collections():
            for stratum in program.strata:
                todo = [p for p in stratum if p not in self.static and p not in program.inputs]
                if not todo:
                    continue
                try:
                    if stratum[0] in program.recursive:
                        self._recursive(todo)
                    else:
                        for predicate in todo:
                            self._relations[predicate] = self._compute(predicate)
                except EncodingLimit as error:
                    for predicate in todo:
                        self._relations[predicate] = []
                        self.abstracted[predicate] = str(error)

    @property
    def relations(self) -> dict[str, SymRelation]:
        """Every computed relation as guarded tuples (parameters left free: see the class docstring)."""
        return {p: [(t.guard, t.args) for t in rows] for p, rows in self._relations.items()}

    # -- relations

    def _compute(self, predicate: str) -> list[SymTuple]:
        rows: list[SymTuple] = []
        for branch in self.program.branches_for(predicate):
            heads = self._heads(branch)
            if predicate not in self.program.recursive:  # a recursive one's heads change with each round
                self._branch_heads[branch.id] = heads  # kept: verify asks for every branch's heads again
            rows.extend(heads)
        return self._merge(predicate, rows)

    def _recursive(self, predicates: list[str]) -> None:
        for predicate in predicates:
            self._relations[predicate] = []
        for _ in range(self.depth):
            new = {p: self._compute(p) for p in predicates}
            for predicate in predicates:
                self._relations[predicate] = new[predicate]

    def _merge(self, predicate: str, rows: list[SymTuple]) -> list[SymTuple]:
        """Tuples with the same arguments as one, their guards joined (families: those of the same shape).

        Where arguments that can take only a few values are split into plain tuples
        (:mod:`lexkb.research.grounding`) and that leaves no more tuples, the split is kept:
        plain arguments make later joins lookups. Runs of consecutive integers under one
        guard become one family each (:meth:`_intervals`).
        """
        out = self._merged(rows)
        if any(not row.params and any(symbolic(a) for a in row.args) for row in out):
            split: list[SymTuple] = []
            for row in out:
                parts = None if row.params else ground(row.guard, row.args, self.possible)
                if parts is None:
                    split.append(row)
                else:
                    split.extend(SymTuple(g, args) for g, args in parts)
            grounded = self._merged(split)
            if len(grounded) <= max(2 * len(out), GROUNDED_MIN):
                out = grounded
        out = self._intervals(out)
        if len(out) > MAX_TUPLES:
            raise EncodingLimit(f"{predicate} would need more than {MAX_TUPLES:,} symbolic facts")
        return [SymTuple(self._named(f"{predicate}!{number}", row.guard, row.params), row.args, row.params)
                for number, row in enumerate(out)]

    def _merged(self, rows: list[SymTuple]) -> list[SymTuple]:
        """Plain tuples with the same arguments as one; families of the same shape as one
        (:meth:`Parameters.merged`), a parameter no argument shows eliminated (its existential closed)."""
        merged: dict[tuple, tuple[list[Guard], tuple[Term, ...]]] = {}
        families: list[SymTuple] = []
        plain: list[SymTuple] = []
        for row in rows:
            if row.guard is False:
                continue
            (families if row.params else plain).append(row)
        out_families: list[SymTuple] = []
        for family in self.params.merged(families):
            shown = tuple(p for p in family.params if any(occurs([p], a) for a in family.args))
            if len(shown) < len(family.params):
                hidden = [p for p in family.params if not any(p.eq(q) for q in shown)]
                family = SymTuple(self.params.eliminate(hidden, family.guard), family.args, shown)
            (out_families if family.params else plain).append(family)
        for row in plain:
            if row.guard is False:
                continue
            key = tuple(term_key(a) for a in row.args)
            if key in merged:
                merged[key][0].append(row.guard)
            else:
                merged[key] = ([row.guard], row.args)
        return [SymTuple(disj(guards), args) for guards, args in merged.values()] + out_families

    def _intervals(self, rows: list[SymTuple]) -> list[SymTuple]:
        """Runs of at least :data:`INTERVAL_MIN` consecutive integers at one position, under one guard and
        otherwise equal, as one family each (:meth:`Parameters.interval`): ``month_count(0..1999)`` is one
        tuple, so a join with it makes one symbolic match instead of one per integer."""
        if len(rows) < INTERVAL_MIN:
            return rows
        for position in range(len(rows[0].args)):
            groups: dict[tuple, list[SymTuple]] = {}
            out: list[SymTuple] = []
            for row in rows:
                value = row.args[position]
                if row.params or type(value) is not int:
                    out.append(row)
                    continue
                key = (term_key(row.guard) if symbolic(row.guard) else row.guard,
                       tuple(term_key(a) for i, a in enumerate(row.args) if i != position))
                groups.setdefault(key, []).append(row)
            for members in groups.values():
                members.sort(key=lambda r: r.args[position])
                start = 0
                for end in range(1, len(members) + 1):
                    if end < len(members) and members[end].args[position] == members[end - 1].args[position] + 1:
                        continue
                    run = members[start:end]
                    if len(run) >= INTERVAL_MIN:
                        out.append(self.params.interval(run[0], position, run[0].args[position],
                                                        run[-1].args[position]))
                    else:
                        out.extend(run)
                    start = end
            rows = out
        return rows

    def _named(self, label: str, guard: Guard, params: tuple[z3.ExprRef, ...], top: bool = True,
               mentions: Callable[[Guard], bool] | None = None) -> Guard:
        """A tuple's guard with its parts named (:class:`NamedGuards`). A name is one Boolean, so a
        family's guard is named only in its parts that no parameter occurs in — the conditions of each
        of its alternatives (a disjunction's parts), taken together — and the rest stays a formula, for
        each read to substitute its own parameters into. Only the top of the guard is looked at: what is
        below was named when the relations it reads were made.

        Whether the parameters occur is asked of z3 (:func:`occurs`, which walks the term in C) for
        the guard and the parts of a conjunction; the parts of a disjunction, which share most of their
        subterms and may be thousands, share one :class:`Occurrences` (each subterm looked at once)."""
        if mentions is None:
            def mentions(term: Guard) -> bool:
                return occurs(params, term)
        if not params or not mentions(guard):
            return self.named.name(label, guard)
        operator = z3_calls.connective(guard)
        if top and operator == z3.Z3_OP_OR:
            shared = Occurrences(params)
            return disj(self._named(label, part, params, top=False, mentions=shared)
                        for part in z3_calls.bool_children(guard))
        if operator == z3.Z3_OP_AND:
            parts = z3_calls.bool_children(guard)
            shown = [mentions(part) for part in parts]
            free = [part for part, m in zip(parts, shown) if not m]
            return conj(self.named.name(label, conj(*free)) if free else True,
                        *(part for part, m in zip(parts, shown) if m))
        return guard

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

    def tuples(self, predicate: str) -> list[SymTuple]:
        """The guarded tuples of a predicate with their parameters (static ones with guard True)."""
        if predicate in self.static:
            if predicate not in self._static_rows:
                self._static_rows[predicate] = [SymTuple(True, args) for args in self.static[predicate]]
            return self._static_rows[predicate]
        return self._relations.get(predicate, [])

    def rows(self, predicate: str) -> SymRelation:
        """The guarded tuples of a predicate, parameters left free (read them positively only)."""
        return [(t.guard, t.args) for t in self.tuples(predicate)]

    def branch_heads(self, branch: Branch, skip: frozenset[int] = frozenset()) -> list[tuple[Guard, tuple[Term, ...]]]:
        """The guarded head tuples a branch derives (literals in ``skip`` left out; parameters free)."""
        heads = None if skip else self._branch_heads.get(branch.id)
        return [(t.guard, t.args) for t in (self._heads(branch, skip) if heads is None else heads)]

    def _heads(self, branch: Branch, skip: frozenset[int] = frozenset()) -> list[SymTuple]:
        out = []
        for guard, env, params in self._states(branch, skip):
            values = []
            guards = [guard]
            for arg in branch.head.args:
                value, g = self.term(arg, env)
                values.append(value)
                guards.append(g)
            full = conj(*guards)
            if full is not False:
                out.append(SymTuple(full, tuple(values), params))
        return out

    def _states(self, branch: Branch, skip: frozenset[int] = frozenset()) -> list[State]:
        """Every way the branch's literals can match, step by step; each step's filters (tests, `not`,
        bindings that follow it in the plan) run on each new state at once, so a scan whose
        matches a comparison mostly rejects never holds them all (the limit counts survivors)."""
        steps = plan(branch, (i for i in range(len(branch.literals)) if i not in skip), order=self._order)
        segments: list[tuple[Step, list[Step], bool]] = []
        for number, step in enumerate(steps.steps):
            if step.kind == "scan" or not segments:
                segments.append((step, [], joined_later(branch, steps.steps[number + 1:], step.binds, self.static)))
            else:
                segments[-1][1].append(step)
        # The variables still needed after each segment: by a later step or the head.
        needed: list[set[str]] = []
        later = {v for a in branch.head.args for v in ast.term_variables(a)}
        for lead, filters, _ in reversed(segments):
            needed.append(set(later))
            for step in (lead, *filters):
                later.update(_literal_variables(branch.literals[step.index]))
        needed.reverse()
        states: list[State] = [(True, {}, ())]
        for index, (lead, filters, joined) in enumerate(segments):
            # What the lead scan binds that neither its filters nor a later step reads is not kept.
            keep = needed[index].union(*(_literal_variables(branch.literals[step.index]) for step in filters))
            new: list[State] = []
            for state in states:
                extended = self._step(branch, lead, state, split=joined, keep=keep)
                for step in filters:
                    extended = [out for one in extended for out in self._step(branch, step, one)]
                # A state's guard is built only now that the filters have kept it (see symbolic_values.later).
                new.extend([(built(g), env, params) for g, env, params in extended])
                if len(new) > MAX_STATES:
                    raise EncodingLimit(f"rule {branch.label} has more than {MAX_STATES:,} symbolic matches",
                                        branch.rule)
            states = self._projected(new, needed[index])
            if not states:
                return states
        if states and not steps.complete:
            raise EncodingLimit(f"rule {branch.label} cannot be ordered for symbolic evaluation", branch.rule)
        return states

    def _projected(self, states: list[State], needed: set[str]) -> list[State]:
        """States that agree on every variable still needed, as one (their guards joined): the
        variables a rule only tests are not carried into every later join. States with parameters
        agree when they do up to the names of their parameters (renamed to one set: exact, since
        each state's parameters are its own existentials)."""
        merged: dict[tuple, tuple[list[Guard], dict[str, Term], tuple[z3.ExprRef, ...]]] = {}
        # States read from one family share its parameters (a scan of it before the others, as in
        # comparable_term_candidates: 6,270 states, one parameter): their shape is worked out once,
        # and a parameter that is already the one kept is not substituted (z3 would walk the guard for it).
        shapes: dict[tuple, tuple] = {}
        for guard, env, params in states:
            names = sorted(name for name in needed if name in env)
            if params:
                identity = (tuple(p.get_id() for p in params), tuple(term_key(env[name]) for name in names))
                shape = shapes.get(identity)
                if shape is None:
                    shape = shapes[identity] = self.params.shape(params, [env[name] for name in names])
                key: tuple = ("family", tuple(names), shape)
            else:
                key = tuple((name, term_key(env[name])) for name in names)
            if key not in merged:
                merged[key] = ([guard], {name: env[name] for name in names}, params)
            elif params:
                pairs = [(p, q) for p, q in zip(params, merged[key][2]) if not p.eq(q)]
                merged[key][0].append(substitute(guard, pairs))
            else:
                merged[key][0].append(guard)
        self.params.forget_shapes()
        return [(disj(guards), env, params) for guards, env, params in merged.values()]

    def _step(self, branch: Branch, step: Step, state: State, split: bool = False,
              keep: set[str] | None = None) -> list[State]:
        """The states one step of the plan extends one state to (``split``: see :func:`joined_later`;
        ``keep``: the variables a scan binds that are read later, None for all)."""
        guard, env, params = state
        literal = branch.literals[step.index]
        if step.kind == "scan":
            return self._scan(literal.atom, step, state, split, keep)  # type: ignore[union-attr]
        if step.kind == "bind":
            value, g = self.term(step.value, env)  # type: ignore[arg-type]
            g = later(guard, g)
            return [] if g is False else [(g, {**env, step.binds[0]: value}, params)]
        if step.kind == "test":
            assert isinstance(literal, Test)
            g = later(guard, *self._tested(literal, env))
        else:
            g = later(guard, self._absent(literal.atom, env))  # type: ignore[union-attr]
        return [] if g is False else [(g, env, params)]

    def _tested(self, literal: Test, env: dict[str, Term]) -> tuple[Guard, Guard, Guard]:
        """A test's parts: the conditions for its two sides to have values, and the comparison (negated
        if the test is). Kept by the values of its variables: a rule tests each of its many states, and
        many states agree on the variables a test reads (on kb/, 97,000 tests for 21,000 different
        values, most in capped_range_reveals_statutory_maximum: ``?l = max(1, min(43, ?l0))`` and the like)."""
        names = self._test_variables.get(id(literal))
        if names is None:
            names = self._test_variables[id(literal)] = tuple(ast.condition_variables(literal.comparison))
        values = tuple([env[name] for name in names])
        key = (id(literal), tuple(map(term_key, values)))
        cached = self._tests.get(key)
        if cached is None:
            c = literal.comparison
            left, gl = self.term(c.left, env)
            right, gr = self.term(c.right, env)
            test = self._compared(c.op, left, right) if gl is not False and gr is not False else False
            # The values are kept so that the ids in the key stay theirs (and the literal, its id).
            cached = self._tests[key] = ((gl, gr, neg(test) if literal.negated else test), (literal, values))
        return cached[0]

    def term(self, term: ast.Term, env: dict[str, Term]) -> tuple[Term, Guard]:
        """A term's value and the condition for it to have one (arithmetic is on integers only)."""
        if isinstance(term, ast.Constant):
            return term.value, True
        if isinstance(term, ast.Variable):
            return env[term.name], True
        if isinstance(term, ast.Arithmetic):
            operator, operands = term.op, (term.left, term.right)
        else:
            operator, operands = term.function, term.args
        (a, ga), (b, gb) = (self.term(o, env) for o in operands)
        key = (operator, term_key(a), term_key(b), _guard_key(ga), _guard_key(gb))
        if key not in self._computed:  # the operands are kept too, so that their ids stay theirs
            self._computed[key] = (sym_arithmetic(operator, a, b, ga, gb), (a, b, ga, gb))
        return self._computed[key][0]

    def _compared(self, op: str, left: Term, right: Term) -> Guard:
        """A comparison, built once for the same operands (most tests of a table join repeat)."""
        key = (op, term_key(left), term_key(right))
        if key not in self._computed:
            self._computed[key] = (sym_compare(op, left, right), (left, right))
        return self._computed[key][0]

    def _scan(self, atom: ast.Atom, step: Step, state: State, split: bool = False,
              keep: set[str] | None = None) -> list[State]:
        """The states a read of ``atom`` extends ``state`` to. Rows that agree on the variables kept
        (``keep``) make one state, their guards joined: a variable bound here and read nowhere else
        (``?ohi`` of ``original_range(?olo, ?ohi)`` when only ``?olo`` is compared) multiplies nothing."""
        guard, env, params = state
        fixed: list[tuple[int, Term]] = []
        guards = [guard]
        for position in step.keys:
            value, g = self.term(atom.args[position], env)
            guards.append(g)
            fixed.append((position, value))
        free = [(position, name) for position, name in step.fresh if keep is None or name in keep]
        first = {name: position for position, name in step.fresh}
        repeats = [(first[name], position) for position, name in step.repeats]
        guard = conj(*guards)
        if guard is False:
            return []
        if not step.fresh and not repeats:  # every argument known: a test, one state (no row multiplies it)
            g = later(guard, self._present(atom.predicate, [v for _, v in sorted(fixed)]))
            return [] if g is False else [(g, env, params)]
        if atom.predicate in self.static:
            return self._scan_static(atom.predicate, fixed, free, repeats, (guard, env, params),
                                     split=split)
        matches = self._matches(atom.predicate, fixed, tuple(position for position, _ in free), tuple(repeats))
        out: list[State] = []
        for family in matches.families:
            # Each read of a family chooses its own members: its parameters are renamed for this read.
            row_guard, row, own = self.params.renamed(family)
            g = conj(row_guard, *(veq(v, row[p]) for p, v in fixed), *(veq(row[a], row[b]) for a, b in repeats))
            if g is False:
                continue
            local = dict(env)
            for position, name in free:
                local[name] = row[position]
            out.append((later(guard, g), local, params + own))
        for match, values in matches.groups:
            local = dict(env)
            for (_, name), value in zip(free, values):
                local[name] = value
            out.append((later(guard, match), local, params))
        return out

    def _matches(self, predicate: str, fixed: list[tuple[int, Term]], positions: tuple[int, ...],
                 repeats: tuple[tuple[int, int], ...]) -> _Matches:
        """The rows of a computed relation that a read with the ``fixed`` values matches, grouped by their
        values at ``positions`` (each group's guard the disjunction of its rows' match conditions).

        Kept by the values read: a join reads the same relation with the same few values from every
        state of the rule so far (on kb/, ``original_cell`` 1,548 times with one of six categories), and
        building the same equalities and conjunctions again each time was most of the encoding's time.
        Candidates whose parameters the values leave open are only bound here: each read renames them.
        """
        rows = self.tuples(predicate)
        key = (predicate, tuple((p, term_key(v)) for p, v in fixed), positions, repeats)
        cached = self._scans.get(key)
        if cached is not None and cached.rows is rows:
            return cached
        families: list[SymTuple] = []
        groups: dict[tuple, tuple[list[Guard], tuple[Term, ...]]] = {}
        plain = [(p, v) for p, v in fixed if not symbolic(v)]
        for candidate in self._candidates(predicate, plain):
            # A family's parameters the known arguments stand at take their values; the rest are the read's own.
            bound = self.params.bind(candidate, fixed)
            if bound.params:
                families.append(bound)
                continue
            row_guard, row, _ = bound
            g = conj(row_guard, *(veq(v, row[p]) for p, v in fixed), *(veq(row[a], row[b]) for a, b in repeats))
            if g is False:
                continue
            group = tuple(term_key(row[position]) for position in positions)
            if group in groups:
                groups[group][0].append(g)
            else:
                groups[group] = ([g], tuple(row[position] for position in positions))
        matches = _Matches(rows, tuple(v for _, v in fixed), families,
                           [(disj(parts), values) for parts, values in groups.values()])
        self._scans[key] = matches
        return matches

    def _candidates(self, predicate: str, plain: list[tuple[int, Term]]) -> list[SymTuple]:
        """The rows that can match plain values at some positions (a hash join on a symbolic relation)."""
        rows = self.tuples(predicate)
        if not plain:
            return rows
        positions = tuple(p for p, _ in plain)
        key = (predicate, positions)
        cached = self._joins.get(key)
        if cached is None or cached[0] is not rows:
            index: dict[tuple, list[SymTuple]] = {}
            open_rows: list[SymTuple] = []
            for row in rows:
                if any(symbolic(row.args[p]) for p in positions):
                    open_rows.append(row)
                else:
                    index.setdefault(tuple(term_key(row.args[p]) for p in positions), []).append(row)
            cached = (rows, index, open_rows)
            self._joins[key] = cached
        return cached[1].get(tuple(term_key(v) for _, v in plain), []) + cached[2]

    def _absent(self, atom: ast.Atom, env: dict[str, Term]) -> Guard:
        values = []
        guards = []
        for arg in atom.args:
            value, g = self.term(arg, env)
            values.append(value)
            guards.append(g)
        return conj(*guards, neg(self._present(atom.predicate, values)))

@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Python's cycle collector run less often while the encoding is built (restored after).

    The encoding makes hundreds of thousands of small objects that live on (z3 terms, guards,
    tuples), none in a reference cycle; by default the collector looks at the youngest every
    700 allocations and so walks the growing heap again and again: on kb/, 1,300 collections,
    0.7 to 0.9 s of a 4.5 to 7 s encoding. Every 50,000 allocations, the same work takes
    0.2 s. The threshold is the process's: a thread encoding at the same time (batch) may
    restore it early or late, which changes no result, only when garbage is collected.
    """
    thresholds = gc.get_threshold()
    gc.set_threshold(max(thresholds[0], 50_000), *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


def _literal_variables(literal: Positive | Negative | Test) -> list[str]:
    if isinstance(literal, Test):
        return ast.condition_variables(literal.comparison)
    return ast.term_variables_of_atom(literal.atom)


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


def _guard_key(guard: Guard) -> object:
    return guard if isinstance(guard, bool) else z3_calls.term_id(guard)
