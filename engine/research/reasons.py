"""Reasons: which rules and authorities decided a case, read from derivation records.

Shared by the research tools (coverage, reason diffs, verify's confirmation
of witnesses, what-if). A derived fact's record ``(branch id, values…)`` is
enough to rebuild every fact the branch matched, so walking records from a
fact visits its whole derivation; :class:`matching.Matcher` finds *every*
branch that derives a fact, not only the recorded one, and whether an
``unless`` exception blocked a rule.
"""

from __future__ import annotations

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


def decisive_reasons(result: Result) -> dict[str, dict[str, list[str]]]:
    """For each declared outcome that holds: the rules and authorities of its derivation, sorted."""
    program = result.program
    matcher = Matcher(result.relations)
    out: dict[str, dict[str, list[str]]] = {}
    for outcome in result.outcomes:
        rules: set[str] = set()
        authorities: set[str] = set()
        used: list[int] = []
        # Every independent ground counts, not only the one the engine happened to record.
        for branch in program.branches_for(outcome):
            if branch.hidden:
                continue
            for env in matcher.matches(branch):
                used.append(branch.id)
                for predicate, args in premises(branch, env):
                    used.extend(derivation_branches(result, predicate, args))
                break
        for branch_id in used:
            rule = program.branches[branch_id].rule
            rules.add(rule.label)
            authorities.update(a.text for a in rule.authorities)
        out[outcome] = {"rules": sorted(rules), "authorities": sorted(authorities)}
    return out


def deciding_rules(result: Result, predicate: str, args: tuple[Value, ...] = ()) -> list[ast.Rule]:
    """Every visible rule with a branch that derives the fact directly (not only the recorded one)."""
    matcher = Matcher(result.relations)
    rules: dict[int, ast.Rule] = {}
    for branch in result.program.branches_for(predicate):
        if not branch.hidden and id(branch.rule) not in rules and matcher.derives(branch, args):
            rules[id(branch.rule)] = branch.rule
    return sorted(rules.values(), key=lambda r: (r.span.file, r.span.line))
