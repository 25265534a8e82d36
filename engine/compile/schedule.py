"""The join policy: in what order a branch's conditions run, what each binds, which index it reads.

This is the one place that decides the order of conditions (a *sideways
information passing strategy*, as Soufflé calls it). Every evaluator asks it:
the compiled plans (:mod:`lexkb.compile.codegen`), the interpreter
(:mod:`lexkb.evaluate.matching`), the z3 encoding (:mod:`lexkb.research.symbolic`)
and the why-not explanations (which follow the written order). What varies
between them is only how a scan is chosen among the ready ones — a
:class:`JoinOrder` — never when a condition is ready or what it binds.

The engine's order: filters (comparisons, bindings ``?x = …``, `not`) as early
as their variables allow, in written order; otherwise the atom with the most
arguments already known. A branch for which no order exists has an unsafe
variable, reported here.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Literal as Kind

from lexkb.compile.program import Branch, Literal, Negative, Positive, Test
from lexkb.errors import CheckError
from lexkb.language import ast

StepKind = Kind["scan", "bind", "test", "absent"]


@dataclass(frozen=True)
class Step:
    """One step of a branch's plan.

    kind: ``scan`` (match a positive atom), ``bind`` (``?var = expr``),
    ``test`` (a comparison on bound values) or ``absent`` (a `not` on bound
    values). ``binds``: the variables the step gives a value, in order of first
    appearance. A scan reads the index on ``keys`` (the argument positions whose
    value is known before it; none: the whole relation), takes each variable of
    ``fresh`` from its position and checks each of ``repeats`` (a variable
    occurring again in the same atom) against the value taken. A bind gives its
    variable the value of ``value``.
    """

    kind: StepKind
    index: int  # position of the literal in branch.literals
    binds: tuple[str, ...] = ()
    keys: tuple[int, ...] = ()
    fresh: tuple[tuple[int, str], ...] = ()
    repeats: tuple[tuple[int, str], ...] = ()
    value: ast.Term | None = None


@dataclass(frozen=True)
class Plan:
    """The steps of a branch; ``complete`` is False when the ``remaining`` literals can never run."""

    steps: tuple[Step, ...]
    bound: frozenset[str]  # the variables bound after the steps
    remaining: tuple[int, ...] = ()

    @property
    def complete(self) -> bool:
        return not self.remaining


def _vars(term: ast.Term) -> set[str]:
    return set(ast.term_variables(term))


def readiness(literal: Literal, bound: Collection[str]) -> StepKind | None:
    """How a literal can run once the ``bound`` variables have values, or None when it cannot yet."""
    if isinstance(literal, Positive):
        return "scan" if scannable(literal.atom, bound) else None
    if isinstance(literal, Negative):
        return "absent" if all(v in bound for v in ast.term_variables_of_atom(literal.atom)) else None
    comparison = literal.comparison
    if _vars(comparison.left) | _vars(comparison.right) <= set(bound):
        return "test"
    return "bind" if binding(literal, bound) is not None else None


def binding(literal: Test, bound: Collection[str]) -> tuple[ast.Variable, ast.Term] | None:
    """``?x = term`` with ?x unbound and the term computable: the variable and the term."""
    comparison = literal.comparison
    if comparison.op != "=" or literal.negated:
        return None
    for lone, other in ((comparison.left, comparison.right), (comparison.right, comparison.left)):
        if isinstance(lone, ast.Variable) and lone.name not in bound and _vars(other) <= set(bound):
            return lone, other
    return None


def scannable(atom: ast.Atom, bound: Collection[str]) -> bool:
    """An atom can be matched if each argument is a variable or computable now."""
    return all(isinstance(a, (ast.Variable, ast.Constant)) or _vars(a) <= set(bound) for a in atom.args)


def known_arguments(atom: ast.Atom, bound: Collection[str]) -> int:
    """How many of an atom's arguments have a value before it is scanned (constants included)."""
    return sum(1 for a in atom.args if _vars(a) <= set(bound))


def make_step(literal: Literal, bound: Collection[str], index: int = 0) -> Step | None:
    """The step that runs ``literal`` with the ``bound`` variables known, or None when it cannot run yet."""
    kind = readiness(literal, bound)
    if kind is None:
        return None
    if kind == "scan":
        assert isinstance(literal, Positive)
        keys: list[int] = []
        fresh: list[tuple[int, str]] = []
        repeats: list[tuple[int, str]] = []
        taken: set[str] = set()
        for position, arg in enumerate(literal.atom.args):
            if isinstance(arg, ast.Variable) and arg.name not in bound:
                (repeats if arg.name in taken else fresh).append((position, arg.name))
                taken.add(arg.name)
            else:
                keys.append(position)
        return Step("scan", index, tuple(name for _, name in fresh), tuple(keys), tuple(fresh), tuple(repeats))
    if kind == "bind":
        assert isinstance(literal, Test)
        found = binding(literal, bound)
        assert found is not None
        return Step("bind", index, (found[0].name,), value=found[1])
    return Step(kind, index)


class JoinOrder:
    """The engine's order: the first ready filter in written order, else the best-scored ready scan.

    Subclasses change how scans are scored (:meth:`scan_cost`, lowest first,
    the earliest written on ties) or the whole choice (:meth:`choose`).
    """

    def scan_cost(self, atom: ast.Atom, bound: Collection[str]) -> tuple[int, ...]:
        """The more arguments already known, the fewer facts a scan visits."""
        return (-known_arguments(atom, bound),)

    @staticmethod
    def ready_filter(branch: Branch, pending: Iterable[int], bound: Collection[str]) -> Step | None:
        """The first filter (comparison, binding, `not`), in written order, that can run now."""
        for index in pending:
            literal = branch.literals[index]
            if not isinstance(literal, Positive):
                step = make_step(literal, bound, index)
                if step is not None:
                    return step
        return None

    def choose(self, branch: Branch, pending: Iterable[int], bound: Collection[str]) -> Step | None:
        pending = tuple(pending)
        step = self.ready_filter(branch, pending, bound)
        if step is not None:
            return step
        best: int | None = None
        best_cost: tuple[int, ...] | None = None
        for index in pending:
            literal = branch.literals[index]
            if isinstance(literal, Positive) and scannable(literal.atom, bound):
                cost = self.scan_cost(literal.atom, bound)
                if best_cost is None or cost < best_cost:
                    best, best_cost = index, cost
        return None if best is None else make_step(branch.literals[best], bound, best)


class WrittenOrder(JoinOrder):
    """The earliest condition, in written order, that can run now (how explanations walk a rule)."""

    def choose(self, branch: Branch, pending: Iterable[int], bound: Collection[str]) -> Step | None:
        for index in pending:
            step = make_step(branch.literals[index], bound, index)
            if step is not None:
                return step
        return None


ENGINE_ORDER = JoinOrder()
WRITTEN_ORDER = WrittenOrder()


def plan(branch: Branch, pending: Iterable[int] | None = None, bound: Iterable[str] = (),
         first: int | None = None, order: JoinOrder = ENGINE_ORDER) -> Plan:
    """The steps running the literals at ``pending`` (default: all) once ``bound`` variables are known.

    ``first`` forces that scan to lead (a semi-naive delta plan). The plan
    stops, incomplete, where no remaining literal can run.
    """
    remaining = list(range(len(branch.literals)) if pending is None else pending)
    known = set(bound)
    steps: list[Step] = []
    if first is not None:
        leading = branch.literals[first]
        step = make_step(leading, known, first)
        if step is None or step.kind != "scan":
            span = leading.atom.span if isinstance(leading, Positive) else branch.rule.span
            raise CheckError("internal: the leading atom of a delta plan must be scannable", span)
        steps.append(step)
        known.update(step.binds)
        remaining.remove(first)
    while remaining:
        chosen = order.choose(branch, remaining, known)
        if chosen is None:
            break
        steps.append(chosen)
        known.update(chosen.binds)
        remaining.remove(chosen.index)
    return Plan(tuple(steps), frozenset(known), tuple(remaining))


def next_step(branch: Branch, pending: Iterable[int], bound: Collection[str],
              order: JoinOrder = ENGINE_ORDER) -> Step | None:
    """The step to take next among ``pending``, or None when none can run."""
    return order.choose(branch, pending, bound)


def schedule(branch: Branch, first: int | None = None) -> list[Step]:
    """The engine's safe evaluation order for ``branch``; raises CheckError on an unsafe variable."""
    result = plan(branch, first=first)
    if not result.complete:
        raise _unsafe(branch, result.bound, result.remaining)
    for term in branch.head.args:
        missing = sorted(_vars(term) - result.bound)
        if missing:
            variable = _find_variable(term, missing[0])
            raise CheckError(
                f"the variable ?{missing[0]} in the conclusion of rule {branch.label} has no value: "
                "no condition of the rule gives it one",
                variable.span if variable else branch.head.span,
                hint=f"use ?{missing[0]} in a condition such as some_fact(?{missing[0]}), "
                     f"or give it a value with ?{missing[0]} = …")
    return list(result.steps)


def _find_variable(node: object, name: str) -> ast.Variable | None:
    if isinstance(node, ast.Variable):
        return node if node.name == name else None
    if isinstance(node, ast.Atom):
        children: tuple[object, ...] = node.args
    elif isinstance(node, (ast.Arithmetic, ast.Comparison)):
        children = (node.left, node.right)
    elif isinstance(node, ast.Call):
        children = node.args
    else:
        return None
    for child in children:
        found = _find_variable(child, name)
        if found:
            return found
    return None


def _unsafe(branch: Branch, bound: frozenset[str], remaining: tuple[int, ...]) -> CheckError:
    """The error for a branch that no order makes safe: the first variable that never gets a value."""
    for index in remaining:
        literal = branch.literals[index]
        node = literal.comparison if isinstance(literal, Test) else literal.atom
        missing = [v for v in ast.condition_variables(node) if v not in bound]
        if not missing:
            continue
        variable = _find_variable(node, missing[0])
        span = variable.span if variable else node.span
        if isinstance(literal, Negative):
            word = "unless" if literal.exception else "not"
            where = f"'{word} {literal.atom.predicate}'"
            why = f"'{word}' can only check values that the rule's other conditions find"
        elif isinstance(literal, Test):
            where, why = "a comparison", "a comparison can only compare values that the rule's conditions find"
        else:
            where = f"the condition {literal.atom.predicate}(…)"
            why = "arithmetic in a condition can only use values that the rule's other conditions find"
        return CheckError(
            f"the variable ?{missing[0]} in {where} of rule {branch.label} has no value: {why}",
            span,
            hint=f"use ?{missing[0]} in a condition such as some_fact(?{missing[0]}) too, "
                 f"or give it a value with ?{missing[0]} = …")
    return CheckError(f"rule {branch.label} cannot be ordered safely", branch.rule.span)
