"""Why an atom holds: every independent ground, down to the facts of the case.

Each rule branch that can conclude the atom is re-matched against the
finished relations, and every binding that satisfies it is one ground (a
``rule`` node, its conditions below it). A fact a ground rests on is
explained in turn, breadth first, down to the stated facts — or to
``depth`` rules.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from lexkb.compile.program import Branch, Negative, Positive
from lexkb.compile.semantics import term_value
from lexkb.errors import UsageError
from lexkb.evaluate.engine import Given, bindings
from lexkb.explain.builder import (
    COUNT_LIMIT,
    DEFAULT_MAX_GROUNDS,
    DEFAULT_MAX_NODES,
    Builder,
    check_atom,
    format_literal,
)
from lexkb.explain.graph import Derivation, Node
from lexkb.language.format import format_atom, format_ground_atom, format_value
from lexkb.values import Value, args_key, to_json

if TYPE_CHECKING:
    from lexkb.api import Result


def derivation(result: Result, predicate: str, args: tuple[Value, ...], *, depth: int | None = None,
               max_grounds: int = DEFAULT_MAX_GROUNDS, max_nodes: int | None = DEFAULT_MAX_NODES) -> Derivation:
    """The derivation graph of an atom that holds: every ground, down to the facts of the case.

    ``depth`` limits how many rules deep the graph goes (None: all the way);
    ``max_grounds`` limits the grounds shown for each conclusion (the others
    are counted in the node's ``more_grounds``); ``max_nodes`` stops expanding
    once that many nodes are built (None: no limit), the root's ``not_shown``
    counting the steps left out.
    """
    check_atom(result, predicate, args)
    if args not in result.relations.get(predicate, {}):
        raise UsageError(f"{format_ground_atom(predicate, args)} does not hold for this case",
                         hint="ask why not: lexkb explain … --why-not, or Result.why_not")
    builder = WhyBuilder(result, depth, max_grounds, max_nodes)
    root = builder.fact(predicate, args, 0)
    builder.run()
    return builder.finish("why", predicate, args, True, root)


def _digest(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:12]


class WhyBuilder(Builder):
    """Facts that hold, each with the grounds that conclude it."""

    def __init__(self, result: Result, depth: int | None, max_grounds: int,
                 max_nodes: int | None = DEFAULT_MAX_NODES) -> None:
        super().__init__(result, depth, max_grounds, max_nodes)
        self._ranks: dict[tuple[str, tuple[Value, ...]], int] = {}
        self._concluded: set[tuple[str, tuple[Value, ...]]] = set()  # the facts shown as conclusion nodes

    def fact(self, predicate: str, args: tuple[Value, ...], level: int) -> str:
        """The node of a fact that holds: stated (case, rules file, caller) or concluded."""
        record = self.relations[predicate][args]
        atom = format_ground_atom(predicate, args)
        base = {"atom": atom, "predicate": predicate, "args": [to_json(v) for v in args]}
        self.read(base, predicate, args)
        if isinstance(record, Given):
            stated = record.fact
            location = f"{stated.span.file}:{stated.span.line}" if stated is not None else None
            if record.origin == "case":
                quotes = [q.text for q in stated.quotes] if stated is not None else []
                quote = quotes[0] if quotes else None  # "quote": the first, as before several were allowed
                return self.add(Node(f"case:{atom}", "case_fact", atom, level, {
                    **base, "quote": quote, "quotes": quotes, "source": self.result.case.source if quote else None,
                    "location": location}))
            if record.origin == "kb":
                return self.add(Node(f"kb:{atom}", "kb_fact", atom, level, {**base, "location": location}))
            return self.add(Node(f"given:{atom}", "given", atom, level, base))
        node_id = f"fact:{atom}"
        if node_id not in self.nodes:
            self.add(Node(node_id, "conclusion", atom, level, base))
            self._concluded.add((predicate, args))
            self.queue.append(lambda: self._expand_conclusion(node_id, predicate, args, level))
        return node_id

    def _expand_conclusion(self, node_id: str, predicate: str, args: tuple[Value, ...], level: int) -> None:
        node = self.nodes[node_id]
        if not self.expandable(level):
            node.detail["truncated"] = True  # the depth limit: its grounds are not shown
            return
        if self.over_budget(node, predicate, args):
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
            node.children.append(self.add(Node(more, "more", label, level + 1, {"count": total - len(grounds)})))

    def steps_not_shown(self) -> int:
        """The conclusions below the ones the node budget left unexpanded, each counted once: read from
        the engine's own record of each (one derivation per fact), far cheaper than building their nodes."""
        frontier: set[tuple[str, tuple[Value, ...]]] = set(self.unexplained)  # type: ignore[arg-type]
        seen: set[tuple[str, tuple[Value, ...]]] = set()
        stack = list(frontier)
        while stack:
            key = stack.pop()
            if key in seen or (key not in frontier and key in self._concluded):
                continue  # counted already, or shown
            record = self.relations[key[0]][key[1]]
            if not isinstance(record, tuple):
                continue
            seen.add(key)
            found = bindings(self.program, key[1], record)
            if found is None:
                continue
            branch, env = found
            stack.extend((literal.atom.predicate, tuple(term_value(a, env) for a in literal.atom.args))
                         for literal in branch.literals if isinstance(literal, Positive))
        return len(seen)

    # -- grounds, kept well-founded

    def _grounds(self, predicate: str, args: tuple[Value, ...]) -> tuple[list[tuple[Branch, dict]], int]:
        grounds: list[tuple[Branch, dict]] = []
        total = 0
        recursive = predicate in self.program.recursive
        for branch in self.branches_for(predicate):
            for env in self.matcher.solve(branch, args):
                # In a recursive rule, a ground resting on a fact reached *later* in the
                # chain would make the graph circular: keep only well-founded grounds.
                if recursive and not self._well_founded(branch, env, predicate, args):
                    continue
                total += 1
                if len(grounds) < self.max_grounds:
                    grounds.append((branch, env))
                if total >= COUNT_LIMIT:
                    return grounds, total
        return grounds, total

    def _premises(self, branch: Branch, env: dict[str, Value]) -> list[tuple[str, tuple[Value, ...]]]:
        """The facts of the same recursive component a ground rests on."""
        stratum_of = self.program.stratum_of
        stratum = stratum_of[branch.head.predicate]
        out = []
        for literal in branch.literals:
            if isinstance(literal, Positive) and stratum_of.get(literal.atom.predicate) == stratum:
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

    def _well_founded(self, branch: Branch, env: dict[str, Value], predicate: str, args: tuple[Value, ...]) -> bool:
        """A ground may rest only on facts strictly before the conclusion in (rank, value) order.

        The engine's own record always qualifies (its premises have a lower
        rank); the order being strict and total, no chain of grounds can
        return to where it started, so the graph stays acyclic.
        """
        premises = self._premises(branch, env)
        record = bindings(self.program, args, self.relations[predicate][args])
        if record is not None and set(premises) <= set(self._premises(*record)):
            # Resting only on premises of the engine's record: before the conclusion by the rank's definition.
            # Decided without ranking, whose first use walks the whole record chain below the conclusion: an
            # explanation cut short by the node budget would otherwise cost as much as the whole chain.
            return True
        key = (self._rank(predicate, args), args_key(args))
        return all((self._rank(*premise), args_key(premise[1])) < key for premise in premises)

    # -- a ground: a rule applied with one binding, and its conditions

    def _rule(self, branch: Branch, env: dict[str, Value], level: int) -> str:
        bound = [(v, env[v]) for v in branch.variables if v in env]
        k, _ = self.alternative(branch)
        node_id = f"rule:{branch.rule.label}#{k}:" + _digest(*(f"{v}={format_value(x)}" for v, x in bound))
        if node_id in self.nodes:
            return node_id
        detail = self.rule_detail(branch)
        detail["head"] = format_atom(branch.head, env)
        detail["bindings"] = {v: to_json(x) for v, x in bound}
        node = Node(node_id, "rule", f"rule {branch.rule.label}", level, detail)
        self.add(node)
        node.children.extend(self.conditions(branch, env, node_id, level))
        return node_id

    def _internal(self, predicate: str, args: tuple[Value, ...]) -> bool:
        """An internal helper concluded by a rule: folded into the rule that uses it."""
        return predicate in self.program.internal and isinstance(self.relations[predicate][args], tuple)

    def _folded(self, predicate: str, args: tuple[Value, ...], prefix: str, owner: str, level: int) -> list[str]:
        """An internal helper's conditions, to stand directly under the rule that used it (its first ground;
        ``explain`` on the helper itself shows every one). The helper's rule and authorities are named on the
        rule that used it (``detail["folded"]``, its authorities added), so no citation is lost."""
        grounds, total = self._grounds(predicate, args)
        branch, env = grounds[0]
        helper = self.rule_detail(branch)
        detail = self.nodes[owner].detail
        detail.setdefault("folded", []).append({"atom": format_ground_atom(predicate, args), "rule": helper["rule"],
                                               "location": helper["location"], "grounds": total})
        cited = detail.setdefault("authorities", [])
        cited.extend(a for a in helper["authorities"] if a not in cited)
        return self.conditions(branch, env, prefix, level, owner)

    def conditions(self, branch: Branch, env: dict[str, Value], parent: str, level: int,
                   owner: str | None = None) -> list[str]:
        """One node per condition of a satisfied branch, in the rule's written order (``owner``: the rule
        node an internal helper's conditions are folded into, when ``parent`` is not that node)."""
        out = []
        binds = self.binding_literals(branch)
        for index, literal in enumerate(branch.literals):
            written = format_literal(literal)
            if isinstance(literal, Positive):
                args = tuple(term_value(a, env) for a in literal.atom.args)
                if self._internal(literal.atom.predicate, args):
                    out.extend(self._folded(literal.atom.predicate, args, f"{parent}/{index}", owner or parent, level))
                else:
                    out.append(self.fact(literal.atom.predicate, args, level))
            elif isinstance(literal, Negative):
                out.append(self.add(self.absent(literal, env, f"{parent}/{index}", level, written)))
            elif index in binds:
                out.append(self.add(self.binding(literal, env, f"{parent}/{index}", level, written)))
            else:
                out.append(self.add(self.comparison(literal, env, f"{parent}/{index}", level, written)))
        return out
