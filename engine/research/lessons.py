"""What a failed what-if run teaches: necessary conditions, over the slots, for the atom to flip.

A *slot* is one place the case can change (a stated fact, or an input it does
not state); z3 decides which slots change and how (see
:mod:`lexkb.research.optimise`). A derivation of a run rests on a *cone* of
slots: the stated facts it matched, and every input that an atom it needs
absent could depend on. Unless some slot of the cone changes, the derivation
comes back — so "some slot of this cone changes" is implied by every flip,
and is what a lesson is made of:

* the atom still holds: every one of its grounds must break — a stated fact
  under it changes, or an atom it needs absent is made to hold;
* an atom must be made to hold: some rule for it must fire, which needs a
  change among what the rule reads, every ground of a ``not X`` it fails on
  broken, and each missing ground condition made to hold (a few rules down).

Only cones the run left entirely as stated are used: z3 chooses slots, not
values, so a lesson must hold whatever values the changed slots take.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import z3

from lexkb.compile.program import Negative, Positive, Program
from lexkb.compile.semantics import term_value
from lexkb.evaluate.engine import Given, bindings
from lexkb.evaluate.matching import Matcher
from lexkb.language import ast
from lexkb.values import Value

if TYPE_CHECKING:
    from lexkb.api import Result

Assignment = dict[int, int]  # slot index → way (or choice) number, 1-based; absent = unchanged
Origin = dict[tuple[str, tuple], int]  # a case fact of a run → the slot it comes from
MAX_GROUNDS_PER_ATOM = 64  # bindings of one rule taken as separate grounds; more are rare and add nothing new
NEED_DEPTH = 3  # how many rules down a missing condition is followed when an atom must be made to hold


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
        matcher = Matcher(result.relations)
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


def _differs(changed: Sequence[z3.BoolRef], cone: frozenset[int], assignment: Assignment) -> z3.BoolRef:
    """Some slot of ``cone`` changes — when the run changed none of them; else nothing is learned (True).

    z3 chooses which slots change and how (removed, a value at a position,
    added), not the values, so only a cone the run left as stated says
    something about every value: unless one of its slots changes, the
    derivation resting on it comes back.
    """
    if cone & assignment.keys():
        return z3.BoolVal(True)
    return z3.Or([changed[s] for s in sorted(cone)])


class Lesson:
    """Necessary conditions, over the slots, learned from one engine run of a failed assignment.

    Each formula is implied by every assignment under which the run's atom
    flips: it is built only from "some slot of this cone is assigned
    otherwise than now", which is what any change of a derivation needs.
    """

    def __init__(self, cones: Cones, changed: Sequence[z3.BoolRef], result: Result,
                 origin: dict[tuple[str, tuple], int], assignment: Assignment) -> None:
        self.cones, self.changed, self.result, self.origin, self.assignment = cones, changed, result, origin, assignment
        self._memo: dict[tuple[str, tuple, int], z3.BoolRef] = {}

    def differs(self, cone: frozenset[int]) -> z3.BoolRef:
        return _differs(self.changed, cone, self.assignment)

    def broken(self, ground: Ground, depth: int = NEED_DEPTH) -> z3.BoolRef:
        """For the ground to stop holding, a stated fact under it changes or an atom it needs absent appears."""
        options = [self.differs(ground.leaves)]
        for predicate, args in ground.absent:
            if args is None or depth == 0:
                options.append(self.differs(self.cones.reads(predicate)))
            else:
                options.append(self.made_to_hold(predicate, args, depth - 1))
        return z3.Or(options)

    def made_to_hold(self, predicate: str, args: tuple[Value, ...], depth: int) -> z3.BoolRef:
        """For ``predicate(args)``, absent now, to hold: some rule for it must fire, which needs…"""
        if args in self.result.relations.get(predicate, {}):
            return z3.BoolVal(True)
        key = (predicate, args, depth)
        if key not in self._memo:
            self._memo[key] = self._fire(predicate, args, depth)
        return self._memo[key]

    def _fire(self, predicate: str, args: tuple[Value, ...], depth: int) -> z3.BoolRef:
        if depth == 0 or predicate in self.cones.program.inputs:
            return self.differs(self.cones.reads(predicate))
        matcher = Matcher(self.result.relations)
        options: list[z3.BoolRef] = []
        for branch in self.cones.program.branches_for(predicate):
            unified = matcher.unify_head(branch, args)
            if unified is None:
                continue
            env = unified[0]
            # something this rule reads must change, and each condition that fails outright must be mended
            needs = [self.differs(self.cones.reads(*(lit.atom.predicate for lit in branch.literals
                                                     if isinstance(lit, (Positive, Negative)))))]
            for literal in branch.literals:
                if not isinstance(literal, (Positive, Negative)):
                    continue
                ground = ground_args(literal.atom, env)
                if ground is None:
                    continue
                holds = ground in self.result.relations.get(literal.atom.predicate, {})
                if isinstance(literal, Negative) and holds:
                    needs += [self.broken(g, depth - 1) for g in self.cones.grounds(self.result, self.origin,
                                                                                    literal.atom.predicate, ground)]
                elif isinstance(literal, Positive) and not holds:
                    needs.append(self.made_to_hold(literal.atom.predicate, ground, depth - 1))
            options.append(z3.And(needs))
        return z3.Or(options)



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
