"""Explanations: how a conclusion was reached, and why an atom does not hold.

The engine records only the *first* derivation of each fact. An analyst needs
every independent ground, so this module re-matches each rule branch that can
conclude an atom against the finished relations and enumerates every binding
that satisfies it. This runs only when an explanation is asked for, never on
the evaluation hot path, so it is written for clarity rather than speed (a
small backtracking matcher with lazily built, sorted indexes).

The result is a :class:`Derivation`: a DAG of :class:`Node` objects whose ids
are stable, content-derived strings, so a sub-derivation used twice is one
node, and the same input always gives the same graph. Renderers live in
:mod:`lexkb.render`.
"""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lexkb.compile.program import Branch, Negative, Positive, Test
from lexkb.compile.schedule import schedule
from lexkb.errors import UsageError, did_you_mean, plural
from lexkb.evaluate.engine import Given, bindings
from lexkb.evaluate.matching import FAIL, Matcher, compare, term_value
from lexkb.language import ast
from lexkb.values import Value, args_key, format_atom, format_value, to_json

if TYPE_CHECKING:
    from lexkb.api import Result

SCHEMA_VERSION = 1
DEFAULT_MAX_GROUNDS = 12  # grounds shown per conclusion; the rest are counted
COUNT_LIMIT = 10_000  # stop counting grounds (and why-not candidates) beyond this
WHY_NOT_INSTANCES = 3  # failed sub-atoms explained per failed condition
SHOWN_VALUES = 5  # distinct values listed for a failed condition

# Node kinds, in the order a legend lists them.
KINDS = (
    "conclusion",  # a derived fact that holds (the explained atom, or an intermediate one)
    "rule",  # one rule applied with one binding (or, in why-not, a rule tried)
    "case_fact",  # a fact stated by the case file, with the quote that establishes it
    "kb_fact",  # a fact stated in a rules file: reference data such as a table row
    "given",  # a fact given by a caller, without provenance
    "comparison",  # a comparison, with the values compared
    "binding",  # ?x = expression, with the value it gave
    "absent",  # `not X` / `unless X` that held because nothing established X
    "not_concluded",  # why-not: an atom that does not hold
    "missing",  # why-not: a condition no fact matched
    "missing_input",  # why-not: a condition on an input the case does not state
    "present",  # why-not: `not X` / `unless X` failed because X holds
    "more",  # the graph was cut here (depth limit or ground limit)
)



@dataclass
class Node:
    """One node of a derivation graph.

    ``label`` is a short one-line description; ``detail`` holds the kind's
    data (JSON-ready values: see docs/explanation-json.md); ``children`` are
    the ids of the nodes this one rests on, in the rule's written order;
    ``level`` counts the rules between the explained atom and this node.
    """

    id: str
    kind: str
    label: str
    level: int
    detail: dict[str, Any] = field(default_factory=dict)
    children: list[str] = field(default_factory=list)
    failed: bool = False


@dataclass
class Derivation:
    """A derivation graph (``mode == "why"``) or a why-not graph (``mode == "why_not"``)."""

    mode: str
    predicate: str
    args: tuple[Value, ...]
    holds: bool
    root: str
    nodes: dict[str, Node]
    case: dict[str, str | None]
    depth: int | None

    @property
    def atom(self) -> str:
        """The explained atom as written, e.g. ``reduction_floor_months(108)``."""
        return format_atom(self.predicate, self.args)

    def node(self, node_id: str) -> Node:
        return self.nodes[node_id]

    def children(self, node: Node | str) -> list[Node]:
        """The nodes a node rests on, in order."""
        if isinstance(node, str):
            node = self.nodes[node]
        return [self.nodes[c] for c in node.children]

    @property
    def grounds(self) -> list[Node]:
        """The rules the root rests on: each independent ground (or, for why-not, each rule tried)."""
        return [n for n in self.children(self.root) if n.kind == "rule"]

    def walk(self) -> Iterator[Node]:
        """Every node once, depth first from the root, children in order."""
        seen: set[str] = set()
        stack = [self.root]
        while stack:
            node_id = stack.pop()
            if node_id in seen:
                continue
            seen.add(node_id)
            node = self.nodes[node_id]
            yield node
            stack.extend(reversed(node.children))

    def parents(self) -> dict[str, list[str]]:
        """Each node id → the ids of the nodes that rest on it, in node order."""
        out: dict[str, list[str]] = {n: [] for n in self.nodes}
        for node in self.nodes.values():
            for child in node.children:
                if node.id not in out[child]:
                    out[child].append(node.id)
        return out

    def authorities(self) -> list[dict[str, Any]]:
        """The authorities cited anywhere in the graph, each once, in order of first appearance."""
        seen: dict[str, dict[str, Any]] = {}
        for node in self.walk():
            for authority in node.detail.get("authorities", ()):
                seen.setdefault(authority["name"], authority)
        return list(seen.values())

    def case_facts(self) -> list[Node]:
        """The case facts (with their quotes) the graph rests on, in order of first appearance."""
        return [n for n in self.walk() if n.kind == "case_fact"]


# ---------------------------------------------------------------- public functions


def derivation(result: Result, predicate: str, args: tuple[Value, ...], *, depth: int | None = None,
               max_grounds: int = DEFAULT_MAX_GROUNDS) -> Derivation:
    """The derivation graph of an atom that holds: every ground, down to the facts of the case.

    ``depth`` limits how many rules deep the graph goes (None: all the way);
    ``max_grounds`` limits the grounds shown for each conclusion (the others
    are counted in the node's ``more_grounds``).
    """
    check_atom(result, predicate, args)
    if args not in result.relations.get(predicate, {}):
        raise UsageError(f"{format_atom(predicate, args)} does not hold for this case",
                         hint="ask why not: lexkb explain … --why-not, or Result.why_not")
    builder = _Builder(result, depth, max_grounds)
    root = builder.fact(predicate, args, 0)
    builder.run()
    return builder.finish("why", predicate, args, True, root)


def why_not(result: Result, predicate: str, args: tuple[Value, ...], *, depth: int = 3,
            max_grounds: int = DEFAULT_MAX_GROUNDS) -> Derivation:
    """Why an atom does not hold: every rule that could conclude it, and the first condition that failed.

    For each rule branch whose conclusion can match the atom, the conditions
    are tried in the order the rule writes them; the first that no binding
    satisfies is reported with the values involved. A failed condition that
    rules could conclude is explained in turn, down to ``depth`` rules.
    """
    check_atom(result, predicate, args)
    if args in result.relations.get(predicate, {}):
        raise UsageError(f"{format_atom(predicate, args)} holds for this case",
                         hint="ask for its derivation instead: lexkb explain without --why-not")
    if depth < 1:
        raise UsageError("the why-not depth must be at least 1")
    builder = _Builder(result, depth, max_grounds)
    root = builder.not_concluded(predicate, args, 0)
    builder.run()
    return builder.finish("why_not", predicate, args, False, root)


def check_atom(result: Result, predicate: str, args: tuple[Value, ...]) -> None:
    """A UsageError unless the rules know ``predicate`` with this many arguments."""
    arities = result.program.arities
    if predicate not in arities:
        visible = [p for p in arities if not p.startswith("_")]
        raise UsageError(f"nothing in the rules concludes or states {predicate}",
                         hint=did_you_mean(predicate, visible))
    if arities[predicate] != len(args):
        raise UsageError(f"{predicate} takes {plural(arities[predicate], 'value')}, not {len(args)}")


# ---------------------------------------------------------------- writing conditions


def show_term(term: ast.Term, env: dict[str, Value] | None = None, top: bool = True) -> str:
    """A term as written, with the variables bound in ``env`` replaced by their values."""
    if isinstance(term, ast.Variable):
        if env is not None and term.name in env:
            return format_value(env[term.name])
        return f"?{term.name}"
    if isinstance(term, ast.Constant):
        return format_value(term.value)
    if isinstance(term, ast.Call):
        return f"{term.function}({show_term(term.args[0], env)}, {show_term(term.args[1], env)})"
    text = f"{show_term(term.left, env, False)} {term.op} {show_term(term.right, env, False)}"
    return text if top else f"({text})"


def show_atom(atom: ast.Atom, env: dict[str, Value] | None = None) -> str:
    if not atom.args:
        return atom.predicate
    return f"{atom.predicate}({', '.join(show_term(a, env) for a in atom.args)})"


def show_condition(condition: ast.Condition, env: dict[str, Value] | None = None) -> str:
    """A condition as written (``not``, ``and``, ``or`` and parentheses), values substituted."""
    if isinstance(condition, ast.Atom):
        return show_atom(condition, env)
    if isinstance(condition, ast.Comparison):
        return f"{show_term(condition.left, env)} {condition.op} {show_term(condition.right, env)}"
    if isinstance(condition, ast.Negation):
        inner = condition.condition
        text = show_condition(inner, env)
        return f"not ({text})" if isinstance(inner, (ast.Conjunction, ast.Disjunction, ast.Comparison)) \
            else f"not {text}"
    joiner = " and " if isinstance(condition, ast.Conjunction) else " or "
    parts = []
    for item in condition.items:
        text = show_condition(item, env)
        parts.append(f"({text})" if isinstance(item, (ast.Conjunction, ast.Disjunction)) else text)
    return joiner.join(parts)


def show_literal(literal: Positive | Negative | Test, env: dict[str, Value] | None = None) -> str:
    """A branch literal as the rule writes it (`unless X` stays `unless X`)."""
    if isinstance(literal, Positive):
        return show_atom(literal.atom, env)
    if isinstance(literal, Negative):
        inner = literal.node.condition if isinstance(literal.node, ast.Negation) else literal.node
        if literal.exception:
            text = show_condition(inner, env)
            return f"unless ({text})" if isinstance(inner, (ast.Conjunction, ast.Disjunction)) else f"unless {text}"
        return show_condition(ast.Negation(inner, literal.atom.span), env)
    text = show_condition(literal.comparison, env)
    if literal.exception:
        return f"unless {text}"
    return f"not ({text})" if literal.negated else text


# ---------------------------------------------------------------- matching


# ---------------------------------------------------------------- building the graph


def _digest(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:12]


class _Builder:
    """Builds the node graph breadth first, so each node sits at its shallowest level."""

    def __init__(self, result: Result, depth: int | None, max_grounds: int) -> None:
        self.result = result
        self.program = result.program
        self.relations = result.relations
        self.matcher = Matcher(result.relations)
        self.depth = depth
        self.max_grounds = max(1, max_grounds)
        self.nodes: dict[str, Node] = {}
        self.queue: deque[tuple[str, str, tuple[Value | None, ...], int, ast.Atom | None]] = deque()
        self._branches: dict[str, list[Branch]] = {}
        for branch in self.program.branches:
            self._branches.setdefault(branch.head.predicate, []).append(branch)
        self._binds: dict[int, set[int]] = {}
        self._stratum = {p: i for i, stratum in enumerate(self.program.strata) for p in stratum}
        self._ranks: dict[tuple[str, tuple[Value, ...]], int] = {}

    # -- driving

    def run(self) -> None:
        while self.queue:
            task, predicate, args, level, written = self.queue.popleft()
            if task == "why":
                self._expand_conclusion(predicate, args, level)  # type: ignore[arg-type]
            else:
                self._expand_not_concluded(predicate, args, level, written)

    def finish(self, mode: str, predicate: str, args: tuple[Value, ...], holds: bool, root: str) -> Derivation:
        case = self.result.case
        return Derivation(mode, predicate, args, holds, root, self.nodes,
                          {"name": case.name, "citation": case.citation, "path": case.path, "source": case.source},
                          self.depth)

    def _expandable(self, level: int) -> bool:
        return self.depth is None or level + 1 <= self.depth

    def _add(self, node: Node) -> str:
        self.nodes.setdefault(node.id, node)
        return node.id

    def branches_for(self, predicate: str) -> list[Branch]:
        return self._branches.get(predicate, [])

    def _alternative(self, branch: Branch) -> tuple[int, int]:
        """Which of its rule's (visible) branches this is: a rule with `or` has several."""
        siblings = [b for b in self.branches_for(branch.head.predicate)
                    if b.rule is branch.rule and b.hidden == branch.hidden]
        return siblings.index(branch) + 1, len(siblings)

    def _binding_literals(self, branch: Branch) -> set[int]:
        """The comparisons that *bind* a variable (``?x = …``) in the rule's own evaluation order."""
        if branch.id not in self._binds:
            self._binds[branch.id] = {step.index for step in schedule(branch) if step.kind == "bind"}
        return self._binds[branch.id]

    # -- facts and conclusions

    def fact(self, predicate: str, args: tuple[Value, ...], level: int) -> str:
        """The node of a fact that holds: stated (case, rules file, caller) or concluded."""
        record = self.relations[predicate][args]
        atom = format_atom(predicate, args)
        base = {"atom": atom, "predicate": predicate, "args": [to_json(v) for v in args]}
        if isinstance(record, Given):
            stated = record.fact
            location = f"{stated.span.file}:{stated.span.line}" if stated is not None else None
            if record.origin == "case":
                quote = stated.quote.text if stated is not None and stated.quote is not None else None
                return self._add(Node(f"case:{atom}", "case_fact", atom, level, {
                    **base, "quote": quote, "source": self.result.case.source if quote else None,
                    "location": location}))
            if record.origin == "kb":
                return self._add(Node(f"kb:{atom}", "kb_fact", atom, level, {**base, "location": location}))
            return self._add(Node(f"given:{atom}", "given", atom, level, base))
        node_id = f"fact:{atom}"
        if node_id not in self.nodes:
            self._add(Node(node_id, "conclusion", atom, level, base))
            self.queue.append(("why", predicate, args, level, None))
        return node_id

    def _expand_conclusion(self, predicate: str, args: tuple[Value, ...], level: int) -> None:
        node = self.nodes[f"fact:{format_atom(predicate, args)}"]
        if not self._expandable(level):
            node.detail["truncated"] = True  # the depth limit: its grounds are not shown
            return
        grounds, total = self._grounds(predicate, args)
        for branch, env in grounds:
            node.children.append(self._rule(branch, env, level + 1))
        node.detail["grounds"] = total
        if total > len(grounds):
            node.detail["more_grounds"] = total - len(grounds)
            more = f"{node.id}/more"
            hidden = total - len(grounds)
            label = f"{hidden}{'+' if total >= COUNT_LIMIT else ''} more {'ground' if hidden == 1 else 'grounds'} not shown"
            node.children.append(self._add(Node(more, "more", label, level + 1, {"count": total - len(grounds)})))

    def _grounds(self, predicate: str, args: tuple[Value, ...]) -> tuple[list[tuple[Branch, dict]], int]:
        grounds: list[tuple[Branch, dict]] = []
        total = 0
        recursive = predicate in self.program.recursive
        rank = self._rank(predicate, args) if recursive else 0
        for branch in self.branches_for(predicate):
            for env in self.matcher.solve(branch, args):
                # In a recursive rule, a ground resting on a fact reached *later* in the
                # chain would make the graph circular: keep only well-founded grounds.
                if recursive and not self._well_founded(branch, env, rank, args):
                    continue
                total += 1
                if len(grounds) < self.max_grounds:
                    grounds.append((branch, env))
                if total >= COUNT_LIMIT:
                    return grounds, total
        return grounds, total

    def _premises(self, branch: Branch, env: dict[str, Value]) -> list[tuple[str, tuple[Value, ...]]]:
        """The facts of the same recursive component a ground rests on."""
        stratum = self._stratum[branch.head.predicate]
        out = []
        for literal in branch.literals:
            if isinstance(literal, Positive) and self._stratum.get(literal.atom.predicate) == stratum:
                out.append((literal.atom.predicate, tuple(term_value(a, env) for a in literal.atom.args)))
        return out

    def _rank(self, predicate: str, args: tuple[Value, ...]) -> int:
        """How many steps of the engine's own (well-founded) record lead to a fact."""
        stack = [(predicate, args)]
        while stack:
            key = stack[-1]
            if key in self._ranks:
                stack.pop()
                continue
            record = self.relations[key[0]][key[1]]
            if not isinstance(record, tuple):
                self._ranks[key] = 0
                stack.pop()
                continue
            branch, env = bindings(self.program, key[1], record)  # type: ignore[misc]
            premises = self._premises(branch, env)
            missing = [p for p in premises if p not in self._ranks]
            if missing:
                stack.extend(missing)
                continue
            self._ranks[key] = 1 + max((self._ranks[p] for p in premises), default=0)
            stack.pop()
        return self._ranks[(predicate, args)]

    def _well_founded(self, branch: Branch, env: dict[str, Value], rank: int, args: tuple[Value, ...]) -> bool:
        """A ground may rest only on facts strictly before the conclusion in (rank, value) order.

        The engine's own record always qualifies (its premises have a lower
        rank); the order being strict and total, no chain of grounds can
        return to where it started, so the graph stays acyclic.
        """
        key = (rank, args_key(args))
        return all((self._rank(*premise), args_key(premise[1])) < key for premise in self._premises(branch, env))

    # -- rules and their conditions

    def _rule_detail(self, branch: Branch) -> dict[str, Any]:
        rule = branch.rule
        authorities = []
        for name in rule.authorities:
            authority = self.program.authorities[name.text]
            authorities.append({"name": authority.name, "citation": authority.citation, "says": authority.says})
        detail: dict[str, Any] = {"rule": rule.label, "name": rule.name,
                                  "location": f"{rule.span.file}:{rule.span.line}", "authorities": authorities}
        k, n = self._alternative(branch)
        if n > 1:
            detail["alternative"] = [k, n]
        return detail

    def _rule(self, branch: Branch, env: dict[str, Value], level: int) -> str:
        bindings = [(v, env[v]) for v in branch.variables if v in env]
        k, _ = self._alternative(branch)
        node_id = f"rule:{branch.rule.label}#{k}:" + _digest(*(f"{v}={format_value(x)}" for v, x in bindings))
        if node_id in self.nodes:
            return node_id
        detail = self._rule_detail(branch)
        detail["head"] = show_atom(branch.head, env)
        detail["bindings"] = {v: to_json(x) for v, x in bindings}
        node = Node(node_id, "rule", f"rule {branch.rule.label}", level, detail)
        self._add(node)
        node.children.extend(self._conditions(branch, env, node_id, level))
        return node_id

    def _conditions(self, branch: Branch, env: dict[str, Value], parent: str, level: int) -> list[str]:
        """One node per condition of a satisfied branch, in the rule's written order."""
        out = []
        binds = self._binding_literals(branch)
        for index, literal in enumerate(branch.literals):
            written = show_literal(literal)
            if isinstance(literal, Positive):
                args = tuple(term_value(a, env) for a in literal.atom.args)
                out.append(self.fact(literal.atom.predicate, args, level))
            elif isinstance(literal, Negative):
                out.append(self._add(self._absent(literal, env, f"{parent}/{index}", level, written)))
            elif index in binds:
                out.append(self._add(self._binding(literal, env, f"{parent}/{index}", level, written)))
            else:
                out.append(self._add(self._comparison(literal, env, f"{parent}/{index}", level, written)))
        return out

    def _absent(self, literal: Negative, env: dict[str, Value], node_id: str, level: int, written: str) -> Node:
        hidden = literal.atom.predicate.startswith("_")
        atom = show_literal(literal, env)
        detail: dict[str, Any] = {"written": written, "exception": literal.exception, "compound": hidden}
        if not hidden:
            detail["atom"] = format_atom(literal.atom.predicate, tuple(term_value(a, env) for a in literal.atom.args))
        return Node(node_id, "absent", atom, level, detail)

    def _binding(self, literal: Test, env: dict[str, Value], node_id: str, level: int, written: str) -> Node:
        comparison = literal.comparison
        lone, other = comparison.left, comparison.right
        if not isinstance(lone, ast.Variable):
            lone, other = other, lone
        name = lone.name  # type: ignore[union-attr]
        detail = {"written": written, "variable": name, "value": to_json(env[name]),
                  "expression": show_term(other), "computed": show_term(other, env)}
        return Node(node_id, "binding", f"?{name} = {format_value(env[name])}", level, detail)

    def _comparison(self, literal: Test, env: dict[str, Value], node_id: str, level: int, written: str,
                    failed: bool = False) -> Node:
        comparison = literal.comparison
        left, right = term_value(comparison.left, env), term_value(comparison.right, env)
        detail = {"written": written, "op": comparison.op,
                  "left": None if left is FAIL else to_json(left),
                  "right": None if right is FAIL else to_json(right),
                  "negated": literal.negated, "exception": literal.exception,
                  "true": left is not FAIL and right is not FAIL and compare(comparison.op, left, right)}
        return Node(node_id, "comparison", show_literal(literal, env), level, detail, failed=failed)

    # -- why not

    def not_concluded(self, predicate: str, pattern: tuple[Value | None, ...], level: int,
                      written: ast.Atom | None = None) -> str:
        """The node for an atom (or pattern, None = any value) that does not hold."""
        shown = self._show_pattern(predicate, pattern, written)
        key = ", ".join("_" if v is None else format_value(v) for v in pattern)
        node_id = f"not:{predicate}({key})" if pattern else f"not:{predicate}"
        if node_id not in self.nodes:
            detail = {"atom": shown, "predicate": predicate,
                      "args": [None if v is None else to_json(v) for v in pattern]}
            self._add(Node(node_id, "not_concluded", shown, level, detail, failed=True))
            self.queue.append(("why_not", predicate, pattern, level, written))
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

    def _expand_not_concluded(self, predicate: str, pattern: tuple[Value | None, ...], level: int,
                              written: ast.Atom | None) -> None:
        node = self.nodes[self.not_concluded(predicate, pattern, level, written)]
        if not self._expandable(level):
            node.detail["truncated"] = True
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
            node.children.append(self._add(self._unstated(predicate, pattern, level, node.id, written)))

    def _unstated(self, predicate: str, pattern: tuple[Value | None, ...], level: int, parent: str,
                  written: ast.Atom | None) -> Node:
        """Why an atom no rule can conclude is absent: the case (or the rules files) do not state it."""
        shown = self._show_pattern(predicate, pattern, written)
        existing = self._existing(predicate)
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
        return Node(f"{parent}/unstated", kind, label, level, detail, failed=True)

    def _existing(self, predicate: str) -> list[str]:
        facts = self.matcher.facts(predicate)
        return [format_atom(predicate, args) for args in facts[:SHOWN_VALUES]]

    def _tried(self, branch: Branch, env: dict[str, Value], deferred: list, level: int, parent: str) -> str:
        """A rule that could conclude the atom, with the first of its conditions that failed."""
        k, _ = self._alternative(branch)
        node_id = f"{parent}/rule:{branch.rule.label}#{k}"
        detail = self._rule_detail(branch)
        detail["head"] = show_atom(branch.head, env)
        node = Node(node_id, "rule", f"rule {branch.rule.label}", level, detail, failed=True)
        self._add(node)
        envs = [env]
        pending = list(range(len(branch.literals)))
        satisfied: list[str] = []
        truncated = False
        while pending:
            # The earliest condition, in written order, that can be evaluated now
            # (a comparison waits until the atoms before it have bound its variables).
            index = next((i for i in pending if self.matcher.ready(branch.literals[i], envs[0])), None)
            if index is None:
                break
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
                node.detail["failed_condition"] = show_literal(literal)
                node.detail["satisfied"] = satisfied
                node.detail["bindings"] = self._common_bindings(envs)
                node.children.extend(self._failure(branch, index, envs, level, node_id))
                if truncated:
                    node.detail["truncated_candidates"] = True
                return node_id
            satisfied.append(show_literal(literal))
            envs = extended
            pending.remove(index)
        # Every condition held for some binding, yet the conclusion differs from
        # the atom asked about: the rule computes another value.
        node.detail["satisfied"] = satisfied
        node.detail["bindings"] = self._common_bindings(envs)
        values = sorted({show_atom(branch.head, e) for e in envs})
        node.detail["failed_condition"] = "the conclusion"
        label = f"the rule concludes {', '.join(values[:SHOWN_VALUES])} instead"
        node.children.append(self._add(Node(f"{node_id}/head", "missing", label, level,
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
        written = show_literal(literal)
        instances = list(dict.fromkeys(show_literal(literal, e) for e in envs))
        detail: dict[str, Any] = {"written": written, "candidates": len(envs),
                                  "instances": instances[:SHOWN_VALUES]}
        if isinstance(literal, Positive):
            if self.branches_for(literal.atom.predicate):
                return self._failed_patterns(literal.atom, envs, level, node_id)
            return [self._failed_atom(literal.atom, envs, level, node_id, detail)]
        if isinstance(literal, Negative):
            return [self._failed_negation(literal, envs, level, node_id, detail)]
        mode = self.matcher.ready(literal, envs[0])
        if mode == "bind":
            label = f"{instances[0]} cannot be computed (arithmetic needs whole numbers)"
            return [self._add(Node(node_id, "binding", label, level, detail, failed=True))]
        node = self._comparison(literal, envs[0], node_id, level, written, failed=True)
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
        return [self._add(node)]

    def _failed_atom(self, atom: ast.Atom, envs: list[dict[str, Value]], level: int, node_id: str,
                     detail: dict[str, Any]) -> str:
        """A failed condition on a predicate no rule concludes: the case (or the rules files) lack the fact."""
        predicate = atom.predicate
        existing = self._existing(predicate)
        detail.update({"atom": detail["instances"][0], "predicate": predicate,
                       "input": predicate in self.program.inputs, "existing": existing})
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
        return self._add(node)

    def _failed_patterns(self, atom: ast.Atom, envs: list[dict[str, Value]], level: int, parent: str) -> list[str]:
        """A failed condition that rules could conclude: the atoms tried, each explained in turn.

        The failed condition *is* that atom not holding, so the rule points
        straight at it (one node per distinct set of values tried).
        """
        patterns: list[tuple[Value | None, ...]] = []
        for env in envs:
            pattern = tuple(None if isinstance(a, ast.Variable) and a.name not in env else term_value(a, env)
                            for a in atom.args)
            if pattern not in patterns:
                patterns.append(pattern)
        out = [self.not_concluded(atom.predicate, pattern, level, atom) for pattern in patterns[:WHY_NOT_INSTANCES]]
        if len(patterns) > WHY_NOT_INSTANCES:
            count = len(patterns) - WHY_NOT_INSTANCES
            out.append(self._add(Node(f"{parent}/more", "more", f"{plural(count, 'more value')} tried, not shown", level,
                                      {"count": count})))
        return out

    def _failed_negation(self, literal: Negative, envs: list[dict[str, Value]], level: int, node_id: str,
                         detail: dict[str, Any]) -> str:
        env = envs[0]
        args = tuple(term_value(a, env) for a in literal.atom.args)
        hidden = literal.atom.predicate.startswith("_")
        shown = show_literal(literal, env)
        if literal.exception:
            label = f"{shown}: the exception applies"
        else:
            label = f"{shown} fails: it holds"
        detail.update({"exception": literal.exception, "compound": hidden})
        if not hidden:
            detail["atom"] = format_atom(literal.atom.predicate, args)
        node = Node(node_id, "present", label, level, detail, failed=True)
        self._add(node)
        if hidden:
            # `not (a and b)` is written in the rule: show what made `a and b` hold,
            # as conditions of this node, not as a rule of its own.
            for branch in self.branches_for(literal.atom.predicate):
                for aux_env in self.matcher.solve(branch, args):
                    node.children.extend(self._conditions(branch, aux_env, node_id, level))
                    node.label = f"{show_literal(literal, {**env, **aux_env})} fails: all of it holds"
                    detail["instances"] = [show_literal(literal, {**env, **aux_env})]
                    return node_id
        else:
            node.children.append(self.fact(literal.atom.predicate, args, level))
        return node_id
