"""What a failed what-if run teaches: necessary conditions, over the slots, for the atom to flip.

A *slot* is one place the case can change (a stated fact, or an input it does
not state); z3 chooses each slot's value (see :mod:`lexkb.research.optimise`).
The engine's result is a function of the facts, so whatever in a run rests
only on slots an assignment gives the same choices as the run comes back
under that assignment: a derivation resting on the stated facts it matched
and on atoms it needs absent, and an absent atom whose inputs are unchanged.
A lesson is made of statements "the assignment differs from the run on one of
these slots", each implied by every flip:

* the atom still holds: every one of its grounds must break — a stated fact
  under it changes, or an atom it needs absent appears;
* an atom must appear (a fact the run does not have): some rule must fire
  with a binding the run does not have. Its matched atoms are followed in the
  engine's join order: each is matched either by a fact the run has (each
  followed on, the values it binds known) or by a new one (what that needs,
  a few rules down), and a ``not X`` that holds in the run must have every
  ground of X broken. A binding made only of what the run has concludes a
  fact the run has, so it is no way to a new one.
* whatever is needed for a predicate with no fact in the run to have one:
  the inputs the rules need stated (:mod:`lexkb.research.presence`), however
  deep.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lexkb.compile.program import Branch, Negative, Positive, Program, Test
from lexkb.compile.schedule import Step, plan
from lexkb.compile.semantics import FAIL, term_value
from lexkb.evaluate.engine import Given, bindings
from lexkb.evaluate.matching import Matcher
from lexkb.language import ast
from lexkb.research.symbolic_values import Guard, conj, disj
from lexkb.values import Value

if TYPE_CHECKING:
    from lexkb.api import Result

Assignment = dict[int, int]  # slot index → way (or choice) number, 1-based; absent = unchanged
Origin = dict[tuple[str, tuple], int]  # a case fact of a run → the slot it comes from
MAX_GROUNDS_PER_ATOM = 64  # bindings of one rule taken as separate grounds; more are rare and add nothing new
NEED_DEPTH = 4  # how many rules down a missing condition is followed when an atom must be made to hold
MAX_BINDINGS = 8  # facts of the run followed at one step of a rule; past it, nothing more is drawn from that rule


@dataclass
class Ground:
    """One way an atom holds: a rule, the slots of the stated facts it matched, the atoms it needs absent."""

    rule: str
    leaves: frozenset[int]
    absent: tuple[tuple[str, tuple[Value, ...] | None], ...]  # None: an atom with unknown arguments
    cone: frozenset[int]  # every slot a change of which could break it (leaves and the absent atoms' inputs)



class Cones:
    """The slots a fact of a run rests on: what would have to change for it to stop holding."""

    def __init__(self, program: Program, slot_predicates: Sequence[str]) -> None:
        self.program = program
        self._by_input: dict[str, frozenset[int]] = {}
        for index, predicate in enumerate(slot_predicates):
            self._by_input[predicate] = self._by_input.get(predicate, frozenset()) | {index}
        self._reads: dict[str, frozenset[int]] = {}
        self._steps: dict[tuple[int, frozenset[str]], tuple[Step, ...]] = {}
        self._plans: dict = {}  # the join plans of every matcher over this program's runs (they depend on the rules)

    def matcher(self, result: Result) -> Matcher:
        """A matcher over a run's relations that shares its join plans with every other run's (each run of a
        search asks the same rules the same questions; planning them again was most of a lesson's time)."""
        matcher = Matcher(result.relations)
        matcher._plans = self._plans
        return matcher

    def steps(self, branch: Branch, bound: frozenset[str]) -> tuple[Step, ...]:
        """The engine's join order for the branch once ``bound`` are known (computed once per shape)."""
        key = (branch.id, bound)
        if key not in self._steps:
            self._steps[key] = plan(branch, None, bound).steps
        return self._steps[key]

    def reads(self, *predicates: str) -> frozenset[int]:
        """Every slot of every input the predicates depend on, transitively (what could make one hold)."""
        out: frozenset[int] = frozenset()
        for predicate in predicates:
            if predicate not in self._reads:
                seen: set[str] = set()
                todo = [predicate]
                while todo:
                    current = todo.pop()
                    if current not in seen:
                        seen.add(current)
                        todo.extend(self.program.dependencies.get(current, ()))
                self._reads[predicate] = frozenset().union(*(self._by_input.get(p, frozenset()) for p in seen))
            out |= self._reads[predicate]
        return out

    def grounds(self, result: Result, origin: dict[tuple[str, tuple], int], predicate: str,
                args: tuple[Value, ...]) -> list[Ground]:
        """Every rule binding that concludes the fact, each with the recorded derivation below it."""
        record = result.relations.get(predicate, {}).get(args)
        if isinstance(record, Given):  # stated: it stops holding only if that fact changes
            stated = frozenset([origin[(predicate, args)]]) if (predicate, args) in origin else frozenset()
            return [Ground(f"the stated fact {predicate}", stated, (), stated)]
        matcher = self.matcher(result)
        out: list[Ground] = []
        for branch in self.program.branches_for(predicate):
            for env in itertools.islice(matcher.solve(branch, args), MAX_GROUNDS_PER_ATOM):
                leaves: set[int] = set()
                absent: list[tuple[str, tuple[Value, ...] | None]] = []
                todo: list[tuple[str, tuple]] = []
                _literals(branch.literals, env, todo, absent)
                self._below(result, origin, todo, leaves, absent)
                cone = frozenset(leaves) | self.reads(*(p for p, _ in absent))
                out.append(Ground(branch.rule.label, frozenset(leaves), tuple(dict.fromkeys(absent)), cone))
        return out

    def _below(self, result: Result, origin: dict[tuple[str, tuple], int], todo: list[tuple[str, tuple]],
               leaves: set[int], absent: list[tuple[str, tuple[Value, ...] | None]]) -> None:
        """Follow the recorded derivations of ``todo`` down to stated facts and absent atoms."""
        seen: set[tuple[str, tuple]] = set()
        while todo:
            fact = todo.pop()
            if fact in seen:
                continue
            seen.add(fact)
            record = result.relations.get(fact[0], {}).get(fact[1])
            if isinstance(record, Given):
                if fact in origin:
                    leaves.add(origin[fact])
                continue
            decoded = bindings(self.program, fact[1], record)
            if decoded is not None:
                _literals(decoded[0].literals, decoded[1], todo, absent)


def _literals(literals: Sequence[object], env: dict[str, Value], todo: list[tuple[str, tuple]],
              absent: list[tuple[str, tuple[Value, ...] | None]]) -> None:
    """The matched facts of a branch under ``env`` into ``todo``, its negated atoms into ``absent``."""
    for literal in literals:
        if isinstance(literal, Positive):
            todo.append((literal.atom.predicate, tuple(term_value(a, env) for a in literal.atom.args)))
        elif isinstance(literal, Negative):
            absent.append((literal.atom.predicate, ground_args(literal.atom, env)))


class Lesson:
    """Necessary conditions, over the slots, learned from one engine run of an assignment that did not flip.

    ``differs(cone)`` is the caller's formula for "the assignment differs from
    the run's on some slot of ``cone``" (slot by slot, value by value). Unless
    it does, every derivation of the run resting on that cone comes back, and
    every atom absent in the run and reading only that cone stays absent: the
    engine's result is a function of the facts. Each formula here is built
    only from such statements, so it is implied by every assignment under
    which the atom flips — and it excludes the run's own assignment.
    """

    def __init__(self, cones: Cones, differs: Callable[[frozenset[int]], Guard], result: Result,
                 origin: dict[tuple[str, tuple], int], needs: Callable[[str], Guard] = lambda _: True) -> None:
        self.cones, self.differs, self.result, self.origin = cones, differs, result, origin
        self.needs = needs  # a predicate → what any fact of it needs stated (lexkb.research.presence)
        self.matcher = cones.matcher(result)
        self._memo: dict[tuple[str, tuple], tuple[int, Guard]] = {}
        self._ground_memo: dict[tuple[str, tuple], list[Ground]] = {}
        self._walks: dict[tuple[int, int, frozenset, int, bool, bool], Guard] = {}

    def _grounds(self, predicate: str, args: tuple[Value, ...]) -> list[Ground]:
        if (predicate, args) not in self._ground_memo:
            self._ground_memo[(predicate, args)] = self.cones.grounds(self.result, self.origin, predicate, args)
        return self._ground_memo[(predicate, args)]

    def broken(self, ground: Ground, depth: int = NEED_DEPTH) -> Guard:
        """For the ground to stop holding, a stated fact under it changes or an atom it needs absent appears."""
        options = [self.differs(ground.leaves)]
        for predicate, args in ground.absent:
            if args is None or depth == 0:
                options.append(self.differs(self.cones.reads(predicate)))
            else:
                options.append(self.made_to_hold(predicate, args, depth - 1))
        return disj(options)

    def made_to_hold(self, predicate: str, pattern: tuple[Value | None, ...], depth: int) -> Guard:
        """For a fact of ``predicate`` matching ``pattern`` (None: any value) to hold (True if one does)."""
        return True if self._matching(predicate, pattern) else self.new_fact(predicate, pattern, depth)

    def new_fact(self, predicate: str, pattern: tuple[Value | None, ...], depth: int) -> Guard:
        """For a fact of ``predicate`` matching ``pattern`` that the run does not have to appear: a rule must
        fire with a binding the run does not have — a new fact under it, or an atom it needs absent gone."""
        key = (predicate, pattern)
        known = self._memo.get(key)
        if known is None or known[0] < depth:  # a condition drawn deeper is as sound and no weaker
            condition = self._fire(predicate, pattern, depth)
            if not self.result.relations.get(predicate):  # none at all: what any fact of it needs, however deep
                condition = conj(condition, self.needs(predicate))
            known = self._memo[key] = (depth, condition)
        return known[1]

    def _matching(self, predicate: str, pattern: tuple[Value | None, ...]) -> bool:
        known = [(i, v) for i, v in enumerate(pattern) if v is not None]
        return bool(self.matcher.lookup(predicate, tuple(i for i, _ in known), tuple(v for _, v in known)))

    def _fire(self, predicate: str, pattern: tuple[Value | None, ...], depth: int) -> Guard:
        if depth == 0 or predicate in self.cones.program.inputs:
            return self.differs(self.cones.reads(predicate))
        options: list[Guard] = []
        for branch in self.cones.program.branches_for(predicate):
            unified = self.matcher.unify_head(branch, pattern)
            if unified is None:
                continue
            steps = self.cones.steps(branch, frozenset(unified[0]))
            options.append(self._walk(branch, steps, 0, unified[0], depth, True, True))
        return disj(options)

    def _walk(self, branch: Branch, steps: Sequence[Step], at: int, env: dict[str, Value], depth: int,
              exact: bool, old: bool) -> Guard:
        """What the rest of the branch needs, from ``steps[at]`` on, to fire with a binding extending ``env``
        that the run does not have: at each matched atom, a fact the run has (each followed on) or a new one.

        ``old``: so far only what the run has — a binding ending so concludes a fact the run has, so it is
        no way to a new one. After a new fact (``exact`` False) the variables it binds have unknown values:
        an atom no fact of the run matches, as far as its arguments are known, must then appear too; a
        condition on an unknown value is passed over.
        """
        if at == len(steps):
            return not old
        key = (branch.id, at, frozenset(env.items()), depth, exact, old)
        if key not in self._walks:  # the same rest of a rule is reached by many paths (a new fact, or old ones)
            self._walks[key] = self._step(branch, steps, at, env, depth, exact, old)
        return self._walks[key]

    def _step(self, branch: Branch, steps: Sequence[Step], at: int, env: dict[str, Value], depth: int,
              exact: bool, old: bool) -> Guard:
        step = steps[at]
        literal = branch.literals[step.index]
        if step.kind == "scan":
            atom = literal.atom  # type: ignore[union-attr]
            pattern = _pattern(atom, env)
            if not exact:
                rest = self._walk(branch, steps, at + 1, env, depth, False, False)
                return rest if self._matching(atom.predicate, pattern) else \
                    conj(self.new_fact(atom.predicate, pattern, depth - 1), rest)
            found = list(itertools.islice(self.matcher.extend(literal, env), MAX_BINDINGS + 1))
            if len(found) > MAX_BINDINGS:
                return True  # too many to follow: nothing more is drawn from this rule
            new = self.new_fact(atom.predicate, pattern, depth - 1)
            if new is not False:
                binds = any(n not in env for n in _atom_names(atom))
                new = conj(new, self._walk(branch, steps, at + 1, env, depth, not binds, False))
            return disj([new] + [self._walk(branch, steps, at + 1, e, depth, exact, old) for e in found])
        if not all(n in env for n in _literal_names(literal)):
            return self._walk(branch, steps, at + 1, env, depth, exact, old)  # an unknown value: passed over
        if step.kind == "absent":
            args = tuple(term_value(a, env) for a in literal.atom.args)  # type: ignore[union-attr]
            if FAIL in args:
                return False
            if args not in self.result.relations.get(literal.atom.predicate, {}):  # type: ignore[union-attr]
                return self._walk(branch, steps, at + 1, env, depth, exact, old)
            return conj(*(self.broken(g, depth - 1) for g in self._grounds(literal.atom.predicate, args)),  # type: ignore[union-attr]
                        self._walk(branch, steps, at + 1, env, depth, exact, False))
        extended = next(self.matcher.extend(literal, env), None)  # a test or a bind on known values
        return False if extended is None else self._walk(branch, steps, at + 1, extended, depth, exact, old)


@functools.cache
def _atom_names(atom: ast.Atom) -> list[str]:
    return [n for term in atom.args for n in _names(term)]


@functools.cache
def _literal_names(literal: Positive | Negative | Test) -> list[str]:
    if isinstance(literal, Test):
        return _names(literal.comparison.left) + _names(literal.comparison.right)
    return _atom_names(literal.atom)


def _pattern(atom: ast.Atom, env: dict[str, Value]) -> tuple[Value | None, ...]:
    """The atom's arguments known under ``env`` (None where not)."""
    out: list[Value | None] = []
    for term in atom.args:
        if isinstance(term, ast.Constant):
            out.append(term.value)
        elif isinstance(term, ast.Variable):
            out.append(env.get(term.name))
        else:
            value = term_value(term, env) if all(v in env for v in _names(term)) else FAIL
            out.append(None if value is FAIL else value)  # type: ignore[arg-type]
    return tuple(out)


def _names(term: ast.Term) -> list[str]:
    if isinstance(term, ast.Variable):
        return [term.name]
    if isinstance(term, ast.Arithmetic):
        return _names(term.left) + _names(term.right)
    if isinstance(term, ast.Call):
        return [n for arg in term.args for n in _names(arg)]
    return []


def ground_args(atom: ast.Atom, env: dict[str, Value]) -> tuple[Value, ...] | None:
    """The atom's arguments under ``env``, None when one of them is not known there."""
    values = []
    for term in atom.args:
        if isinstance(term, ast.Constant):
            values.append(term.value)
        elif isinstance(term, ast.Variable) and term.name in env:
            values.append(env[term.name])
        else:
            return None
    return tuple(values)
