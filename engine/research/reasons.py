"""Reasons: which rules and authorities decided a case, read from derivation records.

Shared by the research tools (coverage, reason diffs, verify's confirmation
of witnesses, what-if). A derived fact's record ``(branch id, values…)`` is
enough to rebuild every fact the branch matched, so walking records from a
fact visits its whole derivation; :class:`matching.Matcher` finds *every*
branch that derives a fact, not only the recorded one, and whether an
``unless`` exception blocked a rule.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lexkb.compile.program import Branch, Negative, Positive, Test
from lexkb.evaluate.engine import bindings
from lexkb.evaluate.matching import Matcher, term_value
from lexkb.language import ast
from lexkb.language.format import format_term
from lexkb.values import Value

if TYPE_CHECKING:
    from lexkb.api import Result

Relations = dict[str, dict[tuple[Value, ...], object]]


# ---------------------------------------------------------------- terms and literals


def format_literal(literal: Positive | Negative | Test) -> str:
    """A literal as written: ``p(?x)``, ``not p(?x)``, ``unless p``, ``?x > 5``."""
    if isinstance(literal, Test):
        c = literal.comparison
        text = f"{format_term(c.left)} {c.op} {format_term(c.right)}"
        return f"not ({text})" if literal.negated else text
    atom = literal.atom
    text = atom.predicate + (f"({', '.join(format_term(a) for a in atom.args)})" if atom.args else "")
    if isinstance(literal, Negative):
        if atom.predicate.startswith("_"):
            text = "(…)"
        return ("unless " if literal.exception else "not ") + text
    return text


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


# ---------------------------------------------------------------- reason files


REASONS_FILE = ".reasons.json"


def default_reasons_path(case_path: str) -> Path:
    """Where saved reasons live by default: ``.reasons.json`` in the case's folder."""
    return Path(case_path).parent / REASONS_FILE


def reasons_key(case_path: str, reasons_path: Path) -> str:
    """A case's key in a reasons file: its path relative to the file's folder, with '/'."""
    case = Path(case_path).resolve()
    try:
        return case.relative_to(reasons_path.resolve().parent).as_posix()
    except ValueError:
        return case.as_posix()


def load_reasons(path: Path) -> dict[str, Any] | None:
    """A saved reasons file, or None when there is none (or it is not ours)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("cases"), dict):
        return None
    return data["cases"]


def dump_reasons(cases: dict[str, Any]) -> bytes:
    """The reasons file's bytes: sorted keys, so the same reasons give the same file."""
    payload = {"lexkb": "reasons", "version": 1, "cases": cases}
    return (json.dumps(payload, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def reason_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Lines describing how a case's decisive reasons changed (outcomes that held before and now)."""
    lines = []
    for outcome in sorted(set(old) & set(new)):
        for kind in ("rules", "authorities"):
            before, after = set(old[outcome].get(kind, [])), set(new[outcome].get(kind, []))
            if before == after:
                continue
            noun = "rule" if kind == "rules" else "authority"
            for item in sorted(after - before):
                lines.append(f"{outcome}: now also {noun} {item}")
            for item in sorted(before - after):
                lines.append(f"{outcome}: no longer {noun} {item}")
    for outcome in sorted(set(old) - set(new)):
        lines.append(f"{outcome}: held when the reasons were saved, does not hold now")
    for outcome in sorted(set(new) - set(old)):
        lines.append(f"{outcome}: holds now, did not when the reasons were saved")
    return lines


class ReasonLedger:
    """The reasons files of one `lexkb test` run: what was saved before, what this run found.

    ``save``: write this run's reasons to that file ("" for the default file
    beside each case's folder); ``compare_with``: the file to compare against
    (default: the file the reasons would be saved to, when not saving).
    """

    def __init__(self, save: str | None = None, compare_with: str | None = None) -> None:
        self.save_to = save
        self.compare_with = compare_with
        self._previous: dict[Path, dict[str, Any] | None] = {}
        self.fresh: dict[Path, dict[str, Any]] = {}

    def path_for(self, case_path: str) -> Path:
        chosen = self.save_to or self.compare_with
        return Path(chosen) if chosen else default_reasons_path(case_path)

    def changes(self, case_path: str, reasons: dict[str, Any]) -> tuple[Path, list[str]]:
        """Record a case's reasons; the lines saying how they differ from the saved ones."""
        store = self.path_for(case_path)
        key = reasons_key(case_path, store)
        self.fresh.setdefault(store, {})[key] = reasons
        if store not in self._previous:
            source = Path(self.compare_with) if self.compare_with else (store if self.save_to is None else None)
            self._previous[store] = load_reasons(source) if source is not None else None
        old = (self._previous[store] or {}).get(key)
        return store, reason_changes(old, reasons) if old is not None else []

    def save(self) -> list[tuple[Path, int, bytes]]:
        """Each reasons file to write (merged with what it held), with how many cases it gained."""
        return [(store, len(entries), dump_reasons({**(load_reasons(store) or {}), **entries}))
                for store, entries in self.fresh.items()]

