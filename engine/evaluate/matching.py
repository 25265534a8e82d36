"""Matching a rule's conditions directly over finished relations.

The compiled plans (:mod:`lexkb.compile.codegen`) are the fast path that
derives facts; this is a plain interpreter of the same semantics — the join
order of :mod:`lexkb.compile.schedule`, the value rules of
:mod:`lexkb.compile.semantics` — for the tools that ask questions of
a finished result: explanations (every ground of a conclusion, why-not),
coverage, reason diffs and the SMT encoding's comparisons. It finds *every*
binding under which a branch holds, not only the one the engine recorded.
"""

from __future__ import annotations

from collections.abc import Iterator

from lexkb.compile.program import Branch, Negative, Positive, Test
from lexkb.compile.schedule import Plan, Step, make_step, plan
from lexkb.compile.semantics import FAIL, compare, term_value
from lexkb.language import ast
from lexkb.values import Value, args_key

Relations = dict[str, dict[tuple[Value, ...], object]]
Index = dict[tuple[Value, ...], list[tuple[Value, ...]]]  # facts by their values at some positions
# Join plans by (branch id, variables bound beforehand, literals to match); the branch is kept so its id stays its own.
Plans = dict[tuple[int, frozenset[str], tuple[int, ...]], tuple[Branch, Plan]]


class Matcher:
    """All satisfying bindings of a branch's literals over finished relations."""

    def __init__(self, relations: dict[str, dict[tuple[Value, ...], object]],
                 plans: Plans | None = None) -> None:
        """``plans``: a cache of join plans to share between matchers (a plan depends on the branch
        only, never on the relations), for a caller that matches the same rules in many results."""
        self.relations = relations
        self._sorted: dict[str, list[tuple[Value, ...]]] = {}
        # Per (predicate, key positions): the facts by key in the relation's own order, and each bucket asked
        # for so far in canonical order. Sorting bucket by bucket, when first asked for, keeps an explanation's
        # cost in proportion to what it looks at, not to the size of every relation it touches.
        self._indexes: dict[tuple[str, tuple[int, ...]], tuple[Index, Index]] = {}
        self._plans: Plans = {} if plans is None else plans

    def facts(self, predicate: str) -> list[tuple[Value, ...]]:
        """A relation's facts in canonical order (so matches come out deterministically)."""
        if predicate not in self._sorted:
            self._sorted[predicate] = sorted(self.relations.get(predicate, {}), key=args_key)
        return self._sorted[predicate]

    def lookup(self, predicate: str, positions: tuple[int, ...], key: tuple[Value, ...]) -> list[tuple[Value, ...]]:
        """The facts whose values at ``positions`` are ``key``, in canonical order (as in :meth:`facts`)."""
        if not positions:
            return self.facts(predicate)
        indexed = self._indexes.get((predicate, positions))
        if indexed is None:
            by_key: Index = {}
            for args in self.relations.get(predicate, {}):
                by_key.setdefault(tuple(args[p] for p in positions), []).append(args)
            indexed = self._indexes[(predicate, positions)] = (by_key, {})
        by_key, ordered = indexed
        found = ordered.get(key)
        if found is None:
            bucket = by_key.get(key)
            if bucket is None:
                return []
            # A stable sort of a bucket gives its facts in the order a sort of the whole relation would.
            found = ordered[key] = sorted(bucket, key=args_key)
        return found

    def holds(self, predicate: str, args: tuple[Value, ...]) -> bool:
        return args in self.relations.get(predicate, {})

    def extend(self, literal: Positive | Negative | Test, env: dict[str, Value]) -> Iterator[dict[str, Value]]:
        """Every extension of ``env`` that satisfies one ready literal."""
        step = make_step(literal, env)
        if step is not None:
            yield from self._run(step, literal, env)

    def _run(self, step: Step, literal: Positive | Negative | Test, env: dict[str, Value]
             ) -> Iterator[dict[str, Value]]:
        if step.kind == "scan":
            yield from self._scan(literal.atom, step, env)  # type: ignore[union-attr]
        elif step.kind == "absent":
            key = tuple(term_value(a, env) for a in literal.atom.args)  # type: ignore[union-attr]
            if FAIL not in key and not self.holds(literal.atom.predicate, key):  # type: ignore[union-attr]
                yield env
        elif step.kind == "test":
            comparison = literal.comparison  # type: ignore[union-attr]
            left, right = term_value(comparison.left, env), term_value(comparison.right, env)
            if left is not FAIL and right is not FAIL and compare(comparison.op, left, right) != literal.negated:  # type: ignore[union-attr]
                yield env
        else:
            value = term_value(step.value, env)  # type: ignore[arg-type]
            if value is not FAIL:
                yield {**env, step.binds[0]: value}

    def _scan(self, atom: ast.Atom, step: Step, env: dict[str, Value]) -> Iterator[dict[str, Value]]:
        key = tuple(term_value(atom.args[position], env) for position in step.keys)
        if FAIL in key:
            return
        if not step.fresh:
            if self.holds(atom.predicate, key):
                yield env
            return
        for args in self.lookup(atom.predicate, step.keys, key):
            if all(args[position] == args[first] for (position, _), first in self._repeats(step)):
                extended = dict(env)
                for position, name in step.fresh:
                    extended[name] = args[position]
                yield extended

    @staticmethod
    def _repeats(step: Step) -> list[tuple[tuple[int, str], int]]:
        """Each repeated variable of a scan with the position it is first taken from."""
        first = {name: position for position, name in step.fresh}
        return [(repeat, first[repeat[1]]) for repeat in step.repeats]

    def unify_head(self, branch: Branch, args: tuple[Value | None, ...]) -> tuple[dict[str, Value], list] | None:
        """Bindings from matching the branch's conclusion to ``args`` (None: any value).

        Returns the bindings and the head terms that can only be checked once
        the body is matched (arithmetic in the conclusion), or None when the
        conclusion cannot match at all.
        """
        env: dict[str, Value] = {}
        deferred = []
        for term, value in zip(branch.head.args, args):
            if value is None:
                continue
            if isinstance(term, ast.Variable):
                if term.name in env and env[term.name] != value:
                    return None
                env[term.name] = value
            elif isinstance(term, ast.Constant):
                if term.value != value or type(term.value) is not type(value):
                    return None
            else:
                deferred.append((term, value))
        return env, deferred

    def solve(self, branch: Branch, args: tuple[Value, ...]) -> Iterator[dict[str, Value]]:
        """Every binding of the branch's variables under which it concludes exactly ``args``."""
        unified = self.unify_head(branch, args)
        if unified is None:
            return
        env, deferred = unified
        for found in self.search(branch, env, tuple(range(len(branch.literals)))):
            if all(term_value(term, found) == value for term, value in deferred):
                yield found

    def matches(self, branch: Branch, skip: frozenset[int] = frozenset()) -> Iterator[dict[str, Value]]:
        """Every binding under which the branch's literals hold, but those at the ``skip`` positions."""
        yield from self.search(branch, {}, tuple(i for i in range(len(branch.literals)) if i not in skip))

    def derives(self, branch: Branch, args: tuple[Value, ...]) -> bool:
        """Whether ``branch`` concludes ``args`` over the finished relations."""
        return next(self.solve(branch, args), None) is not None

    def search(self, branch: Branch, env: dict[str, Value], pending: tuple[int, ...]) -> Iterator[dict[str, Value]]:
        """Extend ``env`` by the literals at ``pending``, in the engine's join order (see :mod:`schedule`)."""
        steps = self._plan(branch, frozenset(env), pending)
        if steps is not None:
            yield from self._search(branch, steps, 0, env)

    def _search(self, branch: Branch, steps: tuple[Step, ...], at: int, env: dict[str, Value]
                ) -> Iterator[dict[str, Value]]:
        if at == len(steps):
            yield env
            return
        step = steps[at]
        for extended in self._run(step, branch.literals[step.index], env):
            yield from self._search(branch, steps, at + 1, extended)

    def _plan(self, branch: Branch, bound: frozenset[str], pending: tuple[int, ...]) -> tuple[Step, ...] | None:
        """The schedule's plan, once per branch and shape of question; None when it cannot be completed
        (a literal left out by ``skip`` was the only one to bind a variable)."""
        key = (id(branch), bound, pending)
        cached = self._plans.get(key)
        if cached is None:
            cached = self._plans[key] = (branch, plan(branch, pending, bound))
        found: Plan = cached[1]
        return found.steps if found.complete else None
