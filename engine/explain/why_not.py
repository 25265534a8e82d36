"""Why an atom does not hold: every rule that could conclude it, and the first condition that failed.

For each rule branch whose conclusion can match the atom, the conditions are
tried in the order the rule writes them; the first that no binding satisfies
is reported with the values involved (``missing``, ``missing_input``,
``present`` or a false ``comparison``). A failed condition that rules could
conclude is explained in turn, down to ``depth`` rules; one that holds is
explained as :mod:`lexkb.explain.why` explains any fact.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lexkb.compile.program import Branch, Negative, Positive
from lexkb.compile.schedule import WRITTEN_ORDER, next_step, readiness
from lexkb.compile.semantics import FAIL, term_value
from lexkb.errors import UsageError, plural
from lexkb.explain.builder import (
    COUNT_LIMIT,
    DEFAULT_MAX_GROUNDS,
    DEFAULT_MAX_NODES,
    SHOWN_VALUES,
    check_atom,
    format_literal,
)
from lexkb.explain.graph import Derivation, Node
from lexkb.explain.why import WhyBuilder
from lexkb.language import ast
from lexkb.language.format import format_atom, format_ground_atom, format_value
from lexkb.values import Value, to_json

if TYPE_CHECKING:
    from lexkb.api import Result

WHY_NOT_INSTANCES = 3  # failed sub-atoms explained per failed condition


def why_not(result: Result, predicate: str, args: tuple[Value, ...], *, depth: int = 3,
            max_grounds: int = DEFAULT_MAX_GROUNDS, max_nodes: int | None = DEFAULT_MAX_NODES) -> Derivation:
    """Why an atom does not hold: every rule that could conclude it, and the first condition that failed.

    A failed condition that rules could conclude is explained in turn, down
    to ``depth`` rules, until ``max_nodes`` nodes are built (None: no limit).
    """
    check_atom(result, predicate, args)
    if args in result.relations.get(predicate, {}):
        raise UsageError(f"{format_ground_atom(predicate, args)} holds for this case",
                         hint="ask for its derivation instead: lexkb explain without --why-not")
    if depth < 1:
        raise UsageError("the why-not depth must be at least 1")
    builder = WhyNotBuilder(result, depth, max_grounds, max_nodes)
    root = builder.not_concluded(predicate, args, 0)
    builder.run()
    return builder.finish("why_not", predicate, args, False, root)


class WhyNotBuilder(WhyBuilder):
    """Atoms that do not hold, each with the rules tried; facts that do hold, as :class:`WhyBuilder` shows them."""

    def not_concluded(self, predicate: str, pattern: tuple[Value | None, ...], level: int,
                      written: ast.Atom | None = None) -> str:
        """The node for an atom (or pattern, None = any value) that does not hold."""
        shown = self._show_pattern(predicate, pattern, written)
        key = ", ".join("_" if v is None else format_value(v) for v in pattern)
        node_id = f"not:{predicate}({key})" if pattern else f"not:{predicate}"
        if node_id not in self.nodes:
            detail = {"atom": shown, "predicate": predicate,
                      "args": [None if v is None else to_json(v) for v in pattern]}
            self.read(detail, predicate, pattern, denied=True)
            self.add(Node(node_id, "not_concluded", shown, level, detail, failed=True))
            self.queue.append(lambda: self._expand_not_concluded(node_id, predicate, pattern, level, written))
        return node_id

    @staticmethod
    def _show_pattern(predicate: str, pattern: tuple[Value | None, ...], written: ast.Atom | None) -> str:
        if not pattern:
            return predicate
        shown = []
        for position, value in enumerate(pattern):
            if value is not None:
                shown.append(format_value(value))
            elif written is not None and isinstance(written.args[position], ast.Variable):
                shown.append(f"?{written.args[position].name}")  # type: ignore[union-attr]
            else:
                shown.append("_")
        return f"{predicate}({', '.join(shown)})"

    def _expand_not_concluded(self, node_id: str, predicate: str, pattern: tuple[Value | None, ...], level: int,
                              written: ast.Atom | None) -> None:
        node = self.nodes[node_id]
        if not self.expandable(level):
            node.detail["truncated"] = True
            return
        if self.over_budget(node, predicate, pattern):
            return
        tried = 0
        for branch in self.branches_for(predicate):
            unified = self.matcher.unify_head(branch, pattern)
            if unified is None:
                continue
            tried += 1
            node.children.append(self._tried(branch, unified[0], unified[1], level + 1, node.id))
        node.detail["rules_tried"] = tried
        if not tried or predicate in self.program.inputs:
            node.children.append(self.add(self._unstated(predicate, pattern, level, node.id, written)))

    def _unstated(self, predicate: str, pattern: tuple[Value | None, ...], level: int, parent: str,
                  written: ast.Atom | None) -> Node:
        """Why an atom no rule can conclude is absent: the case (or the rules files) do not state it."""
        shown = self._show_pattern(predicate, pattern, written)
        existing = self.existing(predicate)
        if predicate in self.program.inputs:
            if not existing:
                label = f"the case does not state {predicate}"
            else:
                label = f"the case does not state {shown}"
            kind = "missing_input"
        else:
            label = f"no rule concludes {shown} and no rules-file fact states it"
            kind = "missing"
        detail = {"atom": shown, "predicate": predicate, "input": predicate in self.program.inputs,
                  "existing": existing}
        self.read(detail, predicate, pattern)
        return Node(f"{parent}/unstated", kind, label, level, detail, failed=True)

    def existing(self, predicate: str) -> list[str]:
        """A few of the facts of ``predicate`` that do hold (to set beside one that does not)."""
        facts = self.matcher.facts(predicate)
        return [format_ground_atom(predicate, args) for args in facts[:SHOWN_VALUES]]

    def _tried(self, branch: Branch, env: dict[str, Value], deferred: list, level: int, parent: str) -> str:
        """A rule that could conclude the atom, with the first of its conditions that failed."""
        k, _ = self.alternative(branch)
        node_id = f"{parent}/rule:{branch.rule.label}#{k}"
        detail = self.rule_detail(branch)
        detail["head"] = format_atom(branch.head, env)
        node = Node(node_id, "rule", f"rule {branch.rule.label}", level, detail, failed=True)
        self.add(node)
        envs = [env]
        pending = list(range(len(branch.literals)))
        satisfied: list[str] = []
        truncated = False
        while pending:
            # The earliest condition, in written order, that can be evaluated now
            # (a comparison waits until the atoms before it have bound its variables).
            step = next_step(branch, pending, envs[0], WRITTEN_ORDER)
            if step is None:
                break
            index = step.index
            literal = branch.literals[index]
            extended: list[dict[str, Value]] = []
            for current in envs:
                for new in self.matcher.extend(literal, current):
                    extended.append(new)
                    if len(extended) >= COUNT_LIMIT:
                        truncated = True
                        break
                if len(extended) >= COUNT_LIMIT:
                    break
            if not extended:
                node.detail["failed_condition"] = format_literal(literal)
                node.detail["satisfied"] = satisfied
                node.detail["bindings"] = self._common_bindings(envs)
                node.children.extend(self._failure(branch, index, envs, level, node_id))
                if truncated:
                    node.detail["truncated_candidates"] = True
                return node_id
            satisfied.append(format_literal(literal))
            envs = extended
            pending.remove(index)
        # Every condition held for some binding, yet the conclusion differs from
        # the atom asked about: the rule computes another value.
        node.detail["satisfied"] = satisfied
        node.detail["bindings"] = self._common_bindings(envs)
        values = sorted({format_atom(branch.head, e) for e in envs})
        node.detail["failed_condition"] = "the conclusion"
        label = f"the rule concludes {', '.join(values[:SHOWN_VALUES])} instead"
        node.children.append(self.add(Node(f"{node_id}/head", "missing", label, level,
                                             {"concludes": values[:SHOWN_VALUES]}, failed=True)))
        return node_id

    @staticmethod
    def _common_bindings(envs: list[dict[str, Value]]) -> dict[str, Any]:
        """The variables with one value in every candidate binding (the others vary)."""
        if not envs:
            return {}
        out = {}
        for name, value in envs[0].items():
            if all(e.get(name) == value for e in envs):
                out[name] = to_json(value)
        return out

    def _failure(self, branch: Branch, index: int, envs: list[dict[str, Value]], level: int,
                 parent: str) -> list[str]:
        literal = branch.literals[index]
        node_id = f"{parent}/{index}"
        written = format_literal(literal)
        instances = list(dict.fromkeys(format_literal(literal, e) for e in envs))
        detail: dict[str, Any] = {"written": written, "candidates": len(envs),
                                  "instances": instances[:SHOWN_VALUES]}
        if isinstance(literal, Positive):
            if self.branches_for(literal.atom.predicate):
                return self._failed_patterns(literal.atom, envs, level, node_id)
            return [self._failed_atom(literal.atom, envs, level, node_id, detail)]
        if isinstance(literal, Negative):
            return [self._failed_negation(literal, envs, level, node_id, detail)]
        mode = readiness(literal, envs[0])
        if mode == "bind":
            label = f"{instances[0]} cannot be computed (arithmetic needs whole numbers)"
            return [self.add(Node(node_id, "binding", label, level, detail, failed=True))]
        node = self.comparison(literal, envs[0], node_id, level, written, failed=True)
        pairs = []
        for env in envs:
            left, right = term_value(literal.comparison.left, env), term_value(literal.comparison.right, env)
            pair = [None if left is FAIL else to_json(left), None if right is FAIL else to_json(right)]
            if pair not in pairs:
                pairs.append(pair)
        node.detail["compared"] = pairs[:SHOWN_VALUES]
        node.detail["candidates"] = len(envs)
        node.detail["instances"] = instances[:SHOWN_VALUES]
        if len(instances) > 1:
            more = f" (and {plural(len(instances) - 1, 'other value')})"
            node.label = f"{instances[0]} is false{more}"
        else:
            node.label = f"{instances[0]} is false"
        return [self.add(node)]

    def _failed_atom(self, atom: ast.Atom, envs: list[dict[str, Value]], level: int, node_id: str,
                     detail: dict[str, Any]) -> str:
        """A failed condition on a predicate no rule concludes: the case (or the rules files) lack the fact."""
        predicate = atom.predicate
        existing = self.existing(predicate)
        detail.update({"atom": detail["instances"][0], "predicate": predicate,
                       "input": predicate in self.program.inputs, "existing": existing})
        self.read(detail, predicate, _pattern(atom, envs[0]))
        shown = detail["instances"][0]
        more = f" (nor {plural(len(detail['instances']) - 1, 'other')})" if len(detail["instances"]) > 1 else ""
        if predicate in self.program.inputs and not existing:
            node = Node(node_id, "missing_input", f"the case does not state {predicate}", level, detail, failed=True)
        elif predicate in self.program.inputs:
            node = Node(node_id, "missing_input", f"the case does not state {shown}{more}", level, detail,
                        failed=True)
        else:
            label = f"no rules-file fact states {shown}{more}"
            node = Node(node_id, "missing", label, level, detail, failed=True)
        return self.add(node)

    def _failed_patterns(self, atom: ast.Atom, envs: list[dict[str, Value]], level: int, parent: str) -> list[str]:
        """A failed condition that rules could conclude: the atoms tried, each explained in turn.

        The failed condition *is* that atom not holding, so the rule points
        straight at it (one node per distinct set of values tried).
        """
        patterns: list[tuple[Value | None, ...]] = []
        for env in envs:
            pattern = _pattern(atom, env)
            if pattern not in patterns:
                patterns.append(pattern)
        out = [self.not_concluded(atom.predicate, pattern, level, atom) for pattern in patterns[:WHY_NOT_INSTANCES]]
        if len(patterns) > WHY_NOT_INSTANCES:
            count = len(patterns) - WHY_NOT_INSTANCES
            out.append(self.add(Node(f"{parent}/more", "more", f"{plural(count, 'more value')} tried, not shown", level,
                                      {"count": count})))
        return out

    def _failed_negation(self, literal: Negative, envs: list[dict[str, Value]], level: int, node_id: str,
                         detail: dict[str, Any]) -> str:
        env = envs[0]
        args = tuple(term_value(a, env) for a in literal.atom.args)
        hidden = literal.atom.predicate.startswith("_")
        shown = format_literal(literal, env)
        if literal.exception:
            label = f"{shown}: the exception applies"
        else:
            label = f"{shown} fails: it holds"
        detail.update({"exception": literal.exception, "compound": hidden})
        if not hidden:
            detail["atom"] = format_ground_atom(literal.atom.predicate, args)
            self.read(detail, literal.atom.predicate, args)
        node = Node(node_id, "present", label, level, detail, failed=True)
        self.add(node)
        if hidden:
            # `not (a and b)` is written in the rule: show what made `a and b` hold,
            # as conditions of this node, not as a rule of its own.
            for branch in self.branches_for(literal.atom.predicate):
                for aux_env in self.matcher.solve(branch, args):
                    node.children.extend(self.conditions(branch, aux_env, node_id, level))
                    node.label = f"{format_literal(literal, {**env, **aux_env})} fails: all of it holds"
                    detail["instances"] = [format_literal(literal, {**env, **aux_env})]
                    return node_id
        else:
            node.children.append(self.fact(literal.atom.predicate, args, level))
        return node_id


def _pattern(atom: ast.Atom, env: dict[str, Value]) -> tuple[Value | None, ...]:
    """The values of an atom's arguments under ``env``; None where a variable has no value yet."""
    return tuple(None if isinstance(a, ast.Variable) and a.name not in env else term_value(a, env) for a in atom.args)
