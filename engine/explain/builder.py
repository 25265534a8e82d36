"""What both explanations share: the graph under construction and the nodes of a rule's conditions.

An explanation re-matches rule branches against the finished relations
(the engine records only the *first* derivation of each fact; an analyst
needs every ground). It runs only when an explanation is asked for, never
on the evaluation hot path, so it is written for clarity rather than speed.

The graph is built breadth first: expanding a node queues the expansion of
the nodes it rests on, so each node sits at its shallowest level.
:mod:`lexkb.explain.why` adds the grounds of facts that hold,
:mod:`lexkb.explain.why_not` the rules that failed to conclude an atom.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lexkb.compile.program import Branch, Negative, Positive, Test
from lexkb.compile.schedule import schedule
from lexkb.compile.semantics import FAIL, compare, term_value
from lexkb.errors import LexkbError, UsageError, did_you_mean, plural
from lexkb.evaluate.matching import Matcher
from lexkb.explain.graph import Derivation, Node
from lexkb.language import ast
from lexkb.language.format import (
    Bindings,
    format_atom,
    format_condition,
    format_exception,
    format_ground_atom,
    format_negation,
    format_term,
    format_value,
)
from lexkb.language.readings import Readings
from lexkb.values import Value, to_json

if TYPE_CHECKING:
    from lexkb.api import Result

DEFAULT_MAX_GROUNDS = 12  # grounds shown per conclusion; the rest are counted
# Nodes an explanation builds before it stops expanding: a derivation of millions of facts would take
# minutes to build and render and be unreadable; the conclusions left unexplained are counted and the
# renderers say how many steps are not shown (``lexkb explain --max-nodes``, ``Result.explain(max_nodes=)``).
DEFAULT_MAX_NODES = 2_000
COUNT_LIMIT = 10_000  # stop counting grounds (and why-not candidates) beyond this
SHOWN_VALUES = 5  # distinct values listed for a failed condition


def format_literal(literal: Positive | Negative | Test, env: Bindings | None = None) -> str:
    """A branch literal as the rule writes it (`unless X` stays `unless X`), values from ``env`` substituted.

    A ``not (a and b)`` normalised into a hidden predicate is shown as written.
    """
    if isinstance(literal, Positive):
        return format_atom(literal.atom, env)
    if isinstance(literal, Negative):
        inner = literal.node.condition if isinstance(literal.node, ast.Negation) else literal.node
        return format_exception(inner, env) if literal.exception else format_negation(inner, env)
    if literal.exception:
        return format_exception(literal.comparison, env)
    return format_negation(literal.comparison, env) if literal.negated else format_condition(literal.comparison, env)


def check_atom(result: Result, predicate: str, args: Sequence[object]) -> None:
    """A UsageError unless the rules know ``predicate`` with this many arguments."""
    arities = result.program.arities
    if predicate not in arities:
        visible = [p for p in arities if not p.startswith("_")]
        raise UsageError(f"nothing in the rules concludes or states {predicate}",
                         hint=did_you_mean(predicate, visible))
    if arities[predicate] != len(args):
        raise UsageError(f"{predicate} takes {plural(arities[predicate], 'value')}, not {len(args)}")


def matching_facts(result: Result, atom: ast.Atom) -> list[tuple[Value, ...]]:
    """The facts of ``atom``'s predicate that it matches: ``reduction_floor_months(?f)`` matches each floor.

    A variable stands for any value, the same variable twice for the same
    value, and ``_`` for any value each time; a constant must be equal (as the
    rules compare: a string never equals the symbol spelled the same).
    """
    check_atom(result, atom.predicate, atom.args)
    check_pattern(atom)
    out = []
    for args in result.facts(atom.predicate):
        env: dict[str, Value] = {}
        if all(_matches(term, value, env) for term, value in zip(atom.args, args)):
            out.append(args)
    return out


def check_pattern(atom: ast.Atom) -> None:
    """A located UsageError unless every argument is a value or a variable."""
    for term in atom.args:
        if not isinstance(term, (ast.Constant, ast.Variable)):
            raise UsageError("the atom holds plain values or variables here, not arithmetic", term.span,
                             hint=f"e.g. {_variables_example(atom)}")


def _variables_example(atom: ast.Atom) -> str:
    """The atom with a variable in each place (``low(?x)``): an example in the rules the user loaded."""
    names = ["?x"] if len(atom.args) == 1 else [f"?{chr(ord('a') + i)}" for i in range(min(len(atom.args), 26))]
    return f"{atom.predicate}({', '.join(names)})"


def _matches(term: ast.Term, value: Value, env: dict[str, Value]) -> bool:
    if isinstance(term, ast.Constant):
        return compare("=", term.value, value)
    assert isinstance(term, ast.Variable)
    if term.anonymous:
        return True
    return compare("=", env.setdefault(term.name, value), value)


class Builder:
    """The graph under construction, and the nodes every explanation draws the same way."""

    def __init__(self, result: Result, depth: int | None, max_grounds: int,
                 max_nodes: int | None = DEFAULT_MAX_NODES) -> None:
        self.result = result
        self.program = result.program
        self.relations = result.relations
        self.matcher = Matcher(result.relations)
        self.readings = Readings(result.program.readings)
        self.depth = depth
        self.max_grounds = max(1, max_grounds)
        self.max_nodes = max_nodes
        self.unexplained: list[tuple[str, tuple[Value | None, ...]]] = []  # left unexpanded by the node budget
        self.nodes: dict[str, Node] = {}
        self.queue: deque[Callable[[], None]] = deque()  # expansions still to do, shallowest first
        self._binds: dict[int, set[int]] = {}

    # -- driving

    def run(self) -> None:
        while self.queue:
            self.queue.popleft()()

    def finish(self, mode: str, predicate: str, args: tuple[Value, ...], holds: bool, root: str) -> Derivation:
        case = self.result.case
        if self.unexplained:
            self.nodes[root].detail.update(not_shown=self.steps_not_shown(), max_nodes=self.max_nodes)
        return Derivation(mode, predicate, args, holds, root, self.nodes,
                          {"name": case.name, "citation": case.citation, "path": case.path, "source": case.source},
                          self.depth, self._source_text())

    def _source_text(self) -> str | None:
        """The decision's text, when the case names one that can be read (its quotes were checked against it)."""
        case = self.result.case
        if case.source is None:
            return None
        try:
            return case.sources.read(Path(case.source), case.source, case.source_span)
        except LexkbError:
            return None

    def expandable(self, level: int) -> bool:
        return self.depth is None or level + 1 <= self.depth

    def over_budget(self, node: Node, predicate: str, args: tuple[Value | None, ...]) -> bool:
        """Whether the node budget is spent: if so the node is marked and counted, not expanded."""
        if self.max_nodes is None or len(self.nodes) < self.max_nodes:
            return False
        node.detail.update(truncated=True, over_budget=True)
        self.unexplained.append((predicate, args))
        return True

    def steps_not_shown(self) -> int:
        """How many steps the node budget left out: here the nodes left unexpanded."""
        return len(self.unexplained)

    def add(self, node: Node) -> str:
        self.nodes.setdefault(node.id, node)
        return node.id

    # -- the rules

    def branches_for(self, predicate: str) -> tuple[Branch, ...]:
        return self.program.branches_for(predicate)

    def alternative(self, branch: Branch) -> tuple[int, int]:
        """Which of its rule's (visible) branches this is: a rule with `or` has several."""
        siblings = [b for b in self.branches_for(branch.head.predicate)
                    if b.rule is branch.rule and b.hidden == branch.hidden]
        return siblings.index(branch) + 1, len(siblings)

    def binding_literals(self, branch: Branch) -> set[int]:
        """The comparisons that *bind* a variable (``?x = …``) in the rule's own evaluation order."""
        if branch.id not in self._binds:
            self._binds[branch.id] = {step.index for step in schedule(branch) if step.kind == "bind"}
        return self._binds[branch.id]

    def rule_detail(self, branch: Branch) -> dict[str, Any]:
        rule = branch.rule
        authorities = []
        for name in rule.authorities:
            authority = self.program.authorities[name.text]
            authorities.append({"name": authority.name, "citation": authority.citation, "says": authority.says})
        detail: dict[str, Any] = {"rule": rule.label, "name": rule.name,
                                  "location": f"{rule.span.file}:{rule.span.line}", "authorities": authorities}
        k, n = self.alternative(branch)
        if n > 1:
            detail["alternative"] = [k, n]
        return detail

    # -- conditions

    def absent(self, literal: Negative, env: dict[str, Value], node_id: str, level: int, written: str) -> Node:
        """`not X` / `unless X` that held because nothing established X."""
        hidden = literal.atom.predicate.startswith("_")
        detail: dict[str, Any] = {"written": written, "exception": literal.exception, "compound": hidden}
        if not hidden:
            values = tuple(term_value(a, env) for a in literal.atom.args)
            detail["atom"] = format_ground_atom(literal.atom.predicate, values)
            self.read(detail, literal.atom.predicate, values, denied=True)
        return Node(node_id, "absent", format_literal(literal, env), level, detail)

    def read(self, detail: dict[str, Any], predicate: str, values: Sequence[Value | None],
             denied: bool = False) -> None:
        """Put the atom's English reading in ``detail["reading"]`` when the knowledge base gives one
        (``denied``: the denial, and the affirmation it denies in ``detail["denies"]``)."""
        positive = self.readings.positive(predicate, values)
        if positive is None:
            return
        if denied:
            detail["reading"] = self.readings.negative(predicate, values)
            detail["denies"] = positive
        else:
            detail["reading"] = positive

    def binding(self, literal: Test, env: dict[str, Value], node_id: str, level: int, written: str) -> Node:
        """``?x = expression``, with the value it gave."""
        comparison = literal.comparison
        lone, other = comparison.left, comparison.right
        if not isinstance(lone, ast.Variable):
            lone, other = other, lone
        name = lone.name  # type: ignore[union-attr]
        detail = {"written": written, "variable": name, "value": to_json(env[name]),
                  "expression": format_term(other), "computed": format_term(other, env)}
        return Node(node_id, "binding", f"?{name} = {format_value(env[name])}", level, detail)

    def comparison(self, literal: Test, env: dict[str, Value], node_id: str, level: int, written: str,
                   failed: bool = False) -> Node:
        """A comparison, with the values compared."""
        comparison = literal.comparison
        left, right = term_value(comparison.left, env), term_value(comparison.right, env)
        detail = {"written": written, "op": comparison.op,
                  "left": None if left is FAIL else to_json(left),
                  "right": None if right is FAIL else to_json(right),
                  "negated": literal.negated, "exception": literal.exception,
                  "true": left is not FAIL and right is not FAIL and compare(comparison.op, left, right)}
        return Node(node_id, "comparison", format_literal(literal, env), level, detail, failed=failed)
