"""Reasons: which rules and authorities decided a case, read from derivation records.

Shared by the research tools (coverage, reason diffs, verify's confirmation
of witnesses, what-if). A derived fact's record ``(branch id, values…)`` is
enough to rebuild every fact the branch matched, so walking records from a
fact visits its whole derivation; :class:`matching.Matcher` finds *every*
branch that derives a fact, not only the recorded one, and whether an
``unless`` exception blocked a rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from lexkb.compile.program import Branch, Positive
from lexkb.compile.semantics import term_value
from lexkb.evaluate.engine import bindings
from lexkb.evaluate.matching import Matcher
from lexkb.language import ast
from lexkb.values import Value

if TYPE_CHECKING:
    from lexkb.api import Result

Relations = dict[str, dict[tuple[Value, ...], object]]


def rule_location(rule: ast.Rule) -> str:
    return f"{rule.span.file}:{rule.span.line}"


# ---------------------------------------------------------------- derivations


def premises(branch: Branch, env: dict[str, Value]) -> list[tuple[str, tuple[Value, ...]]]:
    """The facts a branch matched under ``env`` (its positive conditions), in literal order."""
    return [(literal.atom.predicate, tuple(term_value(a, env) for a in literal.atom.args))
            for literal in branch.literals if isinstance(literal, Positive)]


def derivation_branches(result: Result, predicate: str, args: tuple[Value, ...]) -> list[int]:
    """The branch ids used in the recorded derivation of a fact (each once, in visiting order)."""
    seen_facts: set[tuple[str, tuple[Value, ...]]] = set()
    branches: dict[int, None] = {}
    todo = [(predicate, args)]
    while todo:
        fact = todo.pop()
        if fact in seen_facts:
            continue
        seen_facts.add(fact)
        record = result.relations.get(fact[0], {}).get(fact[1])
        decoded = bindings(result.program, fact[1], record)
        if decoded is None:
            continue
        branches[decoded[0].id] = None
        todo.extend(reversed(premises(*decoded)))
    return list(branches)


@dataclass(frozen=True)
class Ground:
    """One rule concluding a fact directly, with every rule its derivation rests on, down to the facts.

    ``rules`` starts with the ground's own rule; the others follow in the
    order the derivation visits them, each once. The authorities of a ground
    are those of all these rules — an authority cited one rule deeper is as
    decisive as one cited by the last rule.
    """

    rule: ast.Rule
    rules: tuple[ast.Rule, ...]

    @property
    def authorities(self) -> list[str]:
        """The authorities the ground rests on, each once, in the order its rules cite them."""
        return list(dict.fromkeys(a.text for rule in self.rules for a in rule.authorities))

    def to_json(self) -> dict[str, object]:
        return {"rule": self.rule.label, "location": rule_location(self.rule), "authorities": self.authorities,
                "rules": [rule.label for rule in self.rules]}


def grounds(result: Result, predicate: str, args: tuple[Value, ...] = ()) -> list[Ground]:
    """Each visible rule that derives the fact directly, with the whole derivation it rests on.

    Every rule counts, not only the one the engine happened to record; below
    it, each matched fact is followed through its recorded derivation.
    """
    program = result.program
    matcher = Matcher(result.relations)
    found: dict[int, tuple[ast.Rule, list[int]]] = {}
    for branch in program.branches_for(predicate):
        if branch.hidden:
            continue
        env = next(matcher.solve(branch, args), None)
        if env is None:
            continue
        used = found.setdefault(id(branch.rule), (branch.rule, []))[1]
        used.append(branch.id)
        for fact in premises(branch, env):
            used.extend(derivation_branches(result, *fact))
    out = []
    for rule, used in found.values():
        rules = dict.fromkeys([rule] + [program.branches[b].rule for b in used])
        out.append(Ground(rule, tuple(rules)))
    return sorted(out, key=lambda g: (g.rule.span.file, g.rule.span.line))


def decisive_reasons(result: Result) -> dict[str, dict[str, list[str]]]:
    """For each declared outcome that holds: the rules and authorities of its derivation, sorted."""
    out: dict[str, dict[str, list[str]]] = {}
    for outcome in result.outcomes:
        found = grounds(result, outcome)
        out[outcome] = {"rules": sorted({r.label for g in found for r in g.rules}),
                        "authorities": sorted({a for g in found for a in g.authorities})}
    return out


def deciding_rules(result: Result, predicate: str, args: tuple[Value, ...] = ()) -> list[ast.Rule]:
    """Every visible rule with a branch that derives the fact directly (not only the recorded one)."""
    matcher = Matcher(result.relations)
    rules: dict[int, ast.Rule] = {}
    for branch in result.program.branches_for(predicate):
        if not branch.hidden and id(branch.rule) not in rules and matcher.derives(branch, args):
            rules[id(branch.rule)] = branch.rule
    return sorted(rules.values(), key=lambda r: (r.span.file, r.span.line))
