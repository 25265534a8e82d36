"""Matching a rule's conditions directly over finished relations.

The compiled plans (:mod:`plan`) are the fast path that derives facts; this is
a plain interpreter of the same semantics for the tools that ask questions of
a finished result: explanations (every ground of a conclusion, why-not),
coverage, reason diffs and the SMT encoding's comparisons. It finds *every*
binding under which a branch holds, not only the one the engine recorded.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

from lexkb.compile.program import Branch, Negative, Positive, Test
from lexkb.language import ast
from lexkb.values import Value, args_key

FAIL: Any = object()  # a term that cannot be computed (arithmetic on a non-number, an unbound variable)

Relations = dict[str, dict[tuple[Value, ...], object]]


def _vars(term: ast.Term) -> set[str]:
    return set(ast.term_variables(term))


def term_value(term: ast.Term, env: dict[str, Value]) -> Any:
    """A term's value under ``env``; ``FAIL`` when arithmetic meets a non-integer (the engine skips such matches)."""
    if isinstance(term, ast.Variable):
        return env.get(term.name, FAIL)
    if isinstance(term, ast.Constant):
        return term.value
    if isinstance(term, ast.Arithmetic):
        left, right = term_value(term.left, env), term_value(term.right, env)
        if type(left) is not int or type(right) is not int:
            return FAIL
        return left + right if term.op == "+" else left - right if term.op == "-" else left * right
    left, right = term_value(term.args[0], env), term_value(term.args[1], env)
    if type(left) is not int or type(right) is not int:
        return FAIL
    return min(left, right) if term.function == "min" else max(left, right)


def compare(op: str, left: Value, right: Value) -> bool:
    """The language's comparison: ordering only between two integers or two dates."""
    if op == "=":
        return left == right
    if op == "!=":
        return left != right
    if type(left) is not type(right) or type(left) not in (int, datetime.date):
        return False
    if op == "<":
        return left < right  # type: ignore[operator]
    if op == "<=":
        return left <= right  # type: ignore[operator]
    if op == ">":
        return left > right  # type: ignore[operator]
    return left >= right  # type: ignore[operator]


class Matcher:
    """All satisfying bindings of a branch's literals over finished relations."""

    def __init__(self, relations: dict[str, dict[tuple[Value, ...], object]]) -> None:
        self.relations = relations
        self._sorted: dict[str, list[tuple[Value, ...]]] = {}
        self._indexes: dict[tuple[str, tuple[int, ...]], dict[tuple[Value, ...], list[tuple[Value, ...]]]] = {}

    def facts(self, predicate: str) -> list[tuple[Value, ...]]:
        """A relation's facts in canonical order (so matches come out deterministically)."""
        if predicate not in self._sorted:
            self._sorted[predicate] = sorted(self.relations.get(predicate, {}), key=args_key)
        return self._sorted[predicate]

    def lookup(self, predicate: str, positions: tuple[int, ...], key: tuple[Value, ...]) -> list[tuple[Value, ...]]:
        if not positions:
            return self.facts(predicate)
        index = self._indexes.get((predicate, positions))
        if index is None:
            index = {}
            for args in self.facts(predicate):
                index.setdefault(tuple(args[p] for p in positions), []).append(args)
            self._indexes[(predicate, positions)] = index
        return index.get(key, [])

    def holds(self, predicate: str, args: tuple[Value, ...]) -> bool:
        return args in self.relations.get(predicate, {})

    @staticmethod
    def ready(literal: Positive | Negative | Test, env: dict[str, Value]) -> str | None:
        """How a literal can be evaluated with these variables bound: scan, absent, test, bind, or None."""
        names = env.keys()
        if isinstance(literal, Positive):
            ok = all(isinstance(a, (ast.Variable, ast.Constant)) or _vars(a) <= names for a in literal.atom.args)
            return "scan" if ok else None
        if isinstance(literal, Negative):
            return "absent" if set(ast.term_variables_of_atom(literal.atom)) <= names else None
        comparison = literal.comparison
        if _vars(comparison.left) | _vars(comparison.right) <= names:
            return "test"
        if comparison.op == "=" and not literal.negated:
            for lone, other in ((comparison.left, comparison.right), (comparison.right, comparison.left)):
                if isinstance(lone, ast.Variable) and lone.name not in names and _vars(other) <= names:
                    return "bind"
        return None

    def extend(self, literal: Positive | Negative | Test, env: dict[str, Value]) -> Iterator[dict[str, Value]]:
        """Every extension of ``env`` that satisfies one ready literal."""
        if isinstance(literal, Positive):
            yield from self._scan(literal.atom, env)
        elif isinstance(literal, Negative):
            key = tuple(term_value(a, env) for a in literal.atom.args)
            if FAIL not in key and not self.holds(literal.atom.predicate, key):
                yield env
        else:
            comparison = literal.comparison
            left_vars, right_vars = _vars(comparison.left), _vars(comparison.right)
            if left_vars <= env.keys() and right_vars <= env.keys():
                left, right = term_value(comparison.left, env), term_value(comparison.right, env)
                if left is FAIL or right is FAIL:
                    return
                if compare(comparison.op, left, right) != literal.negated:
                    yield env
                return
            lone, other = comparison.left, comparison.right
            if not (isinstance(lone, ast.Variable) and lone.name not in env):
                lone, other = other, lone
            value = term_value(other, env)
            if value is not FAIL:
                yield {**env, lone.name: value}  # type: ignore[union-attr]

    def _scan(self, atom: ast.Atom, env: dict[str, Value]) -> Iterator[dict[str, Value]]:
        positions, key, free = [], [], []
        for position, arg in enumerate(atom.args):
            if isinstance(arg, ast.Variable) and arg.name not in env:
                free.append((position, arg.name))
            else:
                value = term_value(arg, env)
                if value is FAIL:
                    return
                positions.append(position)
                key.append(value)
        if not free:
            if self.holds(atom.predicate, tuple(key)):
                yield env
            return
        for args in self.lookup(atom.predicate, tuple(positions), tuple(key)):
            extended = dict(env)
            for position, name in free:
                if name in extended and extended[name] != args[position]:
                    break  # the same variable twice in the atom
                extended[name] = args[position]
            else:
                yield extended

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
        """Extend ``env`` by the literals at ``pending``: filters first, in written order, then
        the atom with the most known arguments (the engine's schedule, decided as bindings grow)."""
        if not pending:
            yield env
            return
        literals = branch.literals
        chosen = None
        for index in pending:
            if not isinstance(literals[index], Positive) and self.ready(literals[index], env):
                chosen = index
                break
        if chosen is None:
            best = -1
            for index in pending:
                literal = literals[index]
                if isinstance(literal, Positive) and self.ready(literal, env):
                    score = sum(1 for a in literal.atom.args if _vars(a) <= env.keys())
                    if score > best:
                        chosen, best = index, score
        if chosen is None:
            return  # cannot happen for a checked (safe) branch
        rest = tuple(i for i in pending if i != chosen)
        for extended in self.extend(literals[chosen], env):
            yield from self.search(branch, extended, rest)
