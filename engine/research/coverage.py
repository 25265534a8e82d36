"""Coverage of a rule base by a suite of cases: rules fired, exceptions exercised, authorities decisive.

A rule *fired* in a case when one of its branches derives a fact there —
every branch is re-evaluated over the finished relations, so a rule counts
even when another rule's derivation of the same fact was the one recorded.
An ``unless`` exception is *exercised* when a case made it hold and so
blocked the rule: with the exception left out, the rule would have matched.
An authority is *decisive* in a case when a rule citing it is in the
derivation of a declared outcome that holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lexkb.compile.program import Negative, Program, Test
from lexkb.compile.semantics import FAIL, compare, term_value
from lexkb.evaluate.matching import Matcher
from lexkb.language import ast
from lexkb.language.format import format_exception_condition
from lexkb.research.reasons import decisive_reasons

if TYPE_CHECKING:
    from lexkb.api import Result


@dataclass
class RuleCoverage:
    rule: ast.Rule
    cases: list[str] = field(default_factory=list)  # cases in which it fired
    facts: int = 0  # facts it derived, over all cases


@dataclass
class ExceptionCoverage:
    rule: ast.Rule
    index: int  # which `unless` of the rule
    text: str  # the condition as written after `unless`
    span: ast.Span  # type: ignore[name-defined]
    cases: list[str] = field(default_factory=list)  # cases in which it blocked the rule


@dataclass
class Coverage:
    cases: list[str]
    rules: list[RuleCoverage]
    exceptions: list[ExceptionCoverage]
    authorities: dict[str, list[str]]  # authority → cases in which it was decisive
    authority_files: dict[str, str]

    def files(self) -> list[str]:
        return sorted({r.rule.span.file for r in self.rules} | set(self.authority_files.values()))

    def to_json(self) -> dict[str, Any]:
        def per(file: str | None) -> dict[str, Any]:
            rules = [r for r in self.rules if file is None or r.rule.span.file == file]
            exceptions = [e for e in self.exceptions if file is None or e.rule.span.file == file]
            authorities = [a for a, f in self.authority_files.items() if file is None or f == file]
            return {
                "rules": {"total": len(rules), "fired": sum(1 for r in rules if r.cases)},
                "exceptions": {"total": len(exceptions), "exercised": sum(1 for e in exceptions if e.cases)},
                "authorities": {"total": len(authorities),
                                "decisive": sum(1 for a in authorities if self.authorities.get(a))},
            }

        return {
            "cases": self.cases,
            "total": per(None),
            "files": {f: per(f) for f in self.files()},
            "rules": [{"rule": r.rule.label, "location": f"{r.rule.span.file}:{r.rule.span.line}",
                       "fired_in": r.cases, "facts": r.facts} for r in self.rules],
            "exceptions": [{"rule": e.rule.label, "unless": e.text, "location": f"{e.span.file}:{e.span.line}",
                            "exercised_in": e.cases} for e in self.exceptions],
            "authorities": [{"authority": a, "location": self.authority_files[a],
                             "decisive_in": self.authorities.get(a, [])} for a in sorted(self.authority_files)],
        }


def _inside(inner: ast.Span, outer: ast.Span) -> bool:  # type: ignore[name-defined]
    return inner.file == outer.file and (inner.line, inner.column) >= (outer.line, outer.column) and \
        (inner.end_line, inner.end_column) <= (outer.end_line, outer.end_column)


def coverage(program: Program, results: Sequence[tuple[str, Result]]) -> Coverage:
    """Coverage over ``(case name, result)`` pairs (results of the same knowledge base)."""
    rules = [RuleCoverage(r) for r in program.rules]
    by_rule = {id(r.rule): r for r in rules}
    exceptions: list[ExceptionCoverage] = []
    for rule in program.rules:
        for i, exception in enumerate(rule.exceptions):
            exceptions.append(ExceptionCoverage(rule, i, format_exception_condition(exception), exception.span))
    authorities: dict[str, list[str]] = {}
    for name, result in results:
        matcher = Matcher(result.relations)
        fired: dict[int, set] = {}
        for branch in program.branches:
            if branch.hidden:
                continue
            heads = set()
            for env in matcher.matches(branch):
                heads.add(tuple(term_value(a, env) for a in branch.head.args))
            if heads:
                fired.setdefault(id(branch.rule), set()).update(heads)
        for rule_id, heads in fired.items():
            by_rule[rule_id].cases.append(name)
            by_rule[rule_id].facts += len(heads)
        for entry in exceptions:
            if _exercised(program, matcher, entry):
                entry.cases.append(name)
        for reasons in decisive_reasons(result).values():
            for authority in reasons["authorities"]:
                cases = authorities.setdefault(authority, [])
                if name not in cases:
                    cases.append(name)
    files = {name: a.span.file for name, a in program.authorities.items()}
    return Coverage([n for n, _ in results], rules, exceptions, authorities, files)


def _exercised(program: Program, matcher: Matcher, entry: ExceptionCoverage) -> bool:
    """Whether, with this exception left out, a branch of the rule matches where the exception holds."""
    for branch in program.branches:
        if branch.rule is not entry.rule or branch.hidden:
            continue
        mine = [i for i, lit in enumerate(branch.literals) if _belongs(lit, entry.span)]
        if not mine:
            continue
        for env in matcher.matches(branch, frozenset(mine)):
            for i in mine:
                if not _literal_holds(matcher, branch.literals[i], env):
                    return True
    return False


def _belongs(literal: object, span: ast.Span) -> bool:  # type: ignore[name-defined]
    if isinstance(literal, Negative) and literal.exception:
        return _inside(literal.node.span, span)
    if isinstance(literal, Test) and literal.exception:
        return _inside(literal.comparison.span, span)
    return False


def _literal_holds(matcher: Matcher, literal: object, env: dict) -> bool:
    if isinstance(literal, Negative):
        args = tuple(term_value(a, env) for a in literal.atom.args)
        return FAIL not in args and args not in matcher.relations.get(literal.atom.predicate, {})
    assert isinstance(literal, Test)
    left, right = term_value(literal.comparison.left, env), term_value(literal.comparison.right, env)
    if left is FAIL or right is FAIL:
        return False
    return compare(literal.comparison.op, left, right) != literal.negated
