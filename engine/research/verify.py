"""Verify a rule base: conflicts, gaps and dead rules, each with a witness the engine confirms.

Over the symbolic encoding of :mod:`lexkb.research.symbolic` (every case with at most
``bound`` facts of each input predicate), z3 looks for

- a **conflict**: inputs under which two declared outcomes both hold;
- a **gap**: inputs under which no declared outcome holds;
- a **dead rule**: a rule (or one `or` alternative of it) whose conditions no
  input can satisfy, with the conditions that contradict each other, or the
  predicate it reads that nothing can establish.

Every conflict or gap witness is run through the real engine before it is
reported: the rules firing on each side are read from its derivation records.

Acknowledgements are comment directives in a rules file (no grammar change)::

    # lexkb: acknowledge gap "a motion that invokes no change is outside the rules"
    # lexkb: acknowledge gap when not relies_on_amendment(?n) "…"
    # lexkb: acknowledge conflict deny eligible "…"
    # lexkb: acknowledge dead rule_name "…"

An acknowledged finding is still listed, marked acknowledged, but does not
fail the run. ``when`` narrows an acknowledgement to the inputs where the
listed conditions (``ATOM`` or ``not ATOM``, joined by ``and``; a variable
means "any value") hold: a gap or conflict outside them is still a finding.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import z3

from lexkb.compile.program import Branch, Negative, Positive, Test
from lexkb.errors import CheckError, Span, did_you_mean, plural
from lexkb.explain.builder import format_literal
from lexkb.language import ast
from lexkb.language.cases import case_from_mapping
from lexkb.language.format import format_ground_atom
from lexkb.language.parser import parse_atom
from lexkb.language.source import line_text
from lexkb.research.reasons import deciding_rules, decisive_reasons, rule_location
from lexkb.research.symbolic import Encoding, EncodingLimit, program_symbols
from lexkb.research.symbolic_values import Slot, conj, disj, make_slot, model_value, neg
from lexkb.values import Value

if TYPE_CHECKING:
    from lexkb.api import KnowledgeBase

DEFAULT_BOUND = 2
DEFAULT_DEPTH = 4
SOLVER_TIMEOUT_MS = 60_000
DEAD_TIMEOUT_MS = 10_000


# ---------------------------------------------------------------- acknowledgements


@dataclass(frozen=True)
class Acknowledgement:
    kind: str  # "gap", "conflict" or "dead"
    subject: tuple[str, ...]  # (), the two outcomes sorted, or (rule name,)
    when: tuple[tuple[bool, ast.Atom], ...]  # (negated, atom) conditions; empty: always
    justification: str
    span: Span


_DIRECTIVE = re.compile(r"^\s*#\s*lexkb\s*:\s*acknowledge\b(.*)$")
_TAIL = re.compile(r'^(?P<body>.*?)\s*"(?P<why>(?:[^"\\]|\\.)*)"\s*$')


def acknowledgements(kb: KnowledgeBase) -> list[Acknowledgement]:
    """The ``# lexkb: acknowledge …`` directives of every rules file, checked against the program."""
    program = kb.program
    labels = {r.name or r.label for r in program.rules} | {r.label for r in program.rules}
    out = []
    for module in program.modules:
        number = 0
        while True:
            number += 1
            text = line_text(module.path, number)
            if text is None:
                break
            match = _DIRECTIVE.match(text)
            if not match:
                continue
            column = text.index("acknowledge") + 1
            span = Span(module.path, number, column, number, len(text) + 1)
            tail = _TAIL.match(match.group(1).strip())
            if not tail or not tail.group("why").strip():
                raise CheckError("an acknowledgement needs a written justification in double quotes", span,
                                 hint='e.g. # lexkb: acknowledge gap "why this is acceptable"')
            body = tail.group("body").split(" when ", 1) if " when " in f" {tail.group('body')} " else \
                [tail.group("body")]
            words = body[0].split()
            when = _when(body[1], span) if len(body) > 1 else ()
            if words and words[-1] == "when":  # `acknowledge gap when …` with nothing before `when`
                words = words[:-1]
            if not words or words[0] not in ("gap", "conflict", "dead"):
                raise CheckError("an acknowledgement names a gap, a conflict or a dead rule", span,
                                 hint='write: acknowledge gap "…", acknowledge conflict A B "…" '
                                      'or acknowledge dead RULE "…"')
            kind, names = words[0], words[1:]
            if kind == "gap" and names:
                raise CheckError("'acknowledge gap' takes no names (use 'when' to narrow it)", span)
            if kind == "conflict":
                if len(names) != 2:
                    raise CheckError("'acknowledge conflict' names the two outcomes that may both hold", span)
                for name in names:
                    if name not in program.outcomes:
                        raise CheckError(f"{name} is not a declared outcome", span,
                                         hint=did_you_mean(name, program.outcomes))
                names = sorted(names)
            if kind == "dead":
                if len(names) != 1:
                    raise CheckError("'acknowledge dead' names one rule", span)
                if names[0] not in labels:
                    raise CheckError(f"no rule is named {names[0]}", span, hint=did_you_mean(names[0], labels))
            out.append(Acknowledgement(kind, tuple(names), when, tail.group("why").replace('\\"', '"'), span))
    return out


def _when(text: str, span: Span) -> tuple[tuple[bool, ast.Atom], ...]:
    out = []
    for part in re.split(r"\s+and\s+", text.strip()):
        negated = part.startswith("not ")
        atom_text = part[4:].strip() if negated else part.strip()
        if not atom_text:
            raise CheckError("'when' lists conditions: ATOM or not ATOM, joined by 'and'", span)
        try:
            atom = parse_atom(atom_text, span.file)
        except CheckError:
            raise
        except Exception as error:  # a SyntaxProblem located in the directive, not in a file
            raise CheckError(f"cannot read the condition '{atom_text}' of this acknowledgement", span) from error
        out.append((negated, atom))
    return tuple(out)


# ---------------------------------------------------------------- findings


@dataclass
class Side:
    """One outcome of a conflict, as the engine concluded it on the witness."""

    outcome: str
    rules: list[tuple[str, str]]  # (label, file:line) of rules concluding it directly
    chain: list[str]  # every rule of the recorded derivation
    authorities: list[str]


@dataclass
class Finding:
    kind: str  # "conflict", "gap", "dead"
    message: str
    span: Span | None = None
    outcomes: tuple[str, ...] = ()
    facts: list[tuple[str, tuple[Value, ...]]] = field(default_factory=list)
    sides: list[Side] = field(default_factory=list)
    details: list[str] = field(default_factory=list)
    acknowledged: Acknowledgement | None = None
    witness: str | None = None  # the witness file's name, once written

    def to_json(self) -> dict[str, Any]:
        from lexkb.values import to_json

        out: dict[str, Any] = {"kind": self.kind, "message": self.message,
                               "location": f"{self.span.file}:{self.span.line}" if self.span else None}
        if self.outcomes:
            out["outcomes"] = list(self.outcomes)
        if self.kind != "dead":
            out["facts"] = [format_ground_atom(p, a) for p, a in self.facts]
            out["facts_json"] = [[p, [to_json(v) for v in a]] for p, a in self.facts]
        if self.sides:
            out["sides"] = {s.outcome: {"rules": [{"rule": r, "location": loc} for r, loc in s.rules],
                                        "derivation": s.chain, "authorities": s.authorities} for s in self.sides}
        if self.details:
            out["details"] = self.details
        out["acknowledged"] = ({"justification": self.acknowledged.justification,
                                "location": f"{self.acknowledged.span.file}:{self.acknowledged.span.line}"}
                               if self.acknowledged else None)
        if self.witness:
            out["witness"] = self.witness
        return out


@dataclass
class Report:
    findings: list[Finding]
    bound: int
    depth: int
    proved: list[str]
    searched: list[str]
    notes: list[str]
    counts: dict[str, int]

    @property
    def failing(self) -> list[Finding]:
        return [f for f in self.findings if f.acknowledged is None]


# ---------------------------------------------------------------- the analysis


class Verifier:
    def __init__(self, kb: KnowledgeBase, bound: int = DEFAULT_BOUND, depth: int = DEFAULT_DEPTH,
                 progress: Callable[[str], None] | None = None) -> None:
        self.progress = progress or (lambda message: None)
        self.progress("encoding the rules for z3")
        self.kb = kb
        self.program = kb.program
        self.bound = bound
        self.depth = depth
        self.acks = acknowledgements(kb)
        self.slots: list[Slot] = []
        self.constraints: list[z3.BoolRef] = []
        for predicate, decl in sorted(self.program.inputs.items()):
            count = 1 if not decl.types else bound
            for i in range(count):
                slot, constraints = make_slot(predicate, [t.text for t in decl.types], f"{predicate}#{i + 1}")
                self.slots.append(slot)
                self.constraints += constraints
        static = kb.run(case_from_mapping({}), validate=False).relations
        try:
            self.encoding = Encoding(self.program, kb.engine, static, self.slots, self.constraints, depth)
        except EncodingLimit as error:
            span = error.rule.span if error.rule else None
            raise CheckError(f"verify cannot encode this rule base: {error}", span,
                             hint="split the rule, or lower --bound") from None
        self.symbols = program_symbols(self.program)
        self.notes: list[str] = []
        abstracted = self.encoding.abstracted
        # Predicates whose encoding is inexact: the abstracted ones and everything reading them.
        self.approximated = kb.engine.dependents(abstracted) if abstracted else set()
        # Outside `region`, no abstracted predicate can hold, so the encoding is exact there.
        self.region = conj(*(neg(self.encoding.trigger(p)) for p in sorted(abstracted)))

    # -- solving

    def _solver(self) -> z3.Solver:
        solver = z3.Solver()
        solver.set("timeout", SOLVER_TIMEOUT_MS)
        solver.add(*self.constraints)
        return solver

    def satisfiable(self, formula: Any, timeout_ms: int = DEAD_TIMEOUT_MS) -> bool | None:
        """True, False, or None when z3 gives up within the time limit."""
        if formula is True or formula is False:
            return formula
        solver = self._solver()
        solver.set("timeout", timeout_ms)
        solver.add(formula)
        answer = solver.check()
        return True if answer == z3.sat else False if answer == z3.unsat else None

    def witness(self, formula: Any) -> list[tuple[str, tuple[Value, ...]]] | None:
        """A smallest set of input facts (fewest facts stated) under which ``formula`` holds."""
        if formula is False:
            return None
        optimizer = z3.Optimize()
        optimizer.set("timeout", SOLVER_TIMEOUT_MS)
        optimizer.add(*self.constraints)
        if formula is not True:
            optimizer.add(formula)
        for slot in self.slots:
            optimizer.add_soft(z3.Not(slot.present))
        answer = optimizer.check()
        if answer == z3.sat:
            model = optimizer.model()
        else:
            solver = self._solver()
            if formula is not True:
                solver.add(formula)
            if solver.check() != z3.sat:
                return None
            model = solver.model()
        return self.facts_of(model)

    def facts_of(self, model: z3.ModelRef) -> list[tuple[str, tuple[Value, ...]]]:
        rename: dict[str, str] = {}
        facts: dict[tuple[str, tuple[Value, ...]], None] = {}
        for slot in self.slots:
            if z3.is_true(model.eval(slot.present, model_completion=True)):
                args = tuple(model_value(model, slot, i, rename, self.symbols) for i in range(len(slot.types)))
                facts[(slot.predicate, args)] = None
        return list(facts)

    def _excluding(self, acks: list[Acknowledgement]) -> Any:
        """Inputs outside every acknowledgement's `when` (False when one covers everything)."""
        parts = []
        for ack in acks:
            if not ack.when:
                return False
            covered = conj(*(neg(self.encoding.holds_pattern(a)) if negated else self.encoding.holds_pattern(a)
                             for negated, a in ack.when))
            parts.append(neg(covered))
        return conj(*parts)

    # -- the three checks

    def run(self) -> Report:
        findings: list[Finding] = []
        outcomes = self.program.outcomes
        holds = {o: self.encoding.holds(o, ()) for o in outcomes}
        if outcomes:
            for i, first in enumerate(outcomes):
                for second in outcomes[i + 1:]:
                    self.progress(f"looking for a conflict: {first} and {second}")
                    finding = self._search("conflict", (first, second), conj(holds[first], holds[second]))
                    if finding:
                        findings.append(finding)
            self.progress("looking for a gap: no outcome")
            finding = self._search("gap", outcomes, conj(*(neg(h) for h in holds.values())))
            if finding:
                findings.append(finding)
        else:
            self.notes.append("no outcomes are declared, so there are no conflicts or gaps to look for")
        dead = self._dead()
        findings.extend(dead)
        counts = {
            "conflicts": sum(1 for f in findings if f.kind == "conflict"),
            "gaps": sum(1 for f in findings if f.kind == "gap"),
            "dead": len(dead),
            "acknowledged": sum(1 for f in findings if f.acknowledged),
        }
        proved, searched = self._statement()
        return Report(findings, self.bound, self.depth, proved, searched, self.notes, counts)

    def _search(self, kind: str, outcomes: tuple[str, ...], formula: Any) -> Finding | None:
        acks = [a for a in self.acks if a.kind == kind and (kind == "gap" or a.subject == tuple(sorted(outcomes)))]
        outcomes = outcomes if kind == "conflict" else self.program.outcomes
        excluded = self._excluding(acks) if acks else True
        # The exact region first; then, if parts of the rule base are abstracted, the rest (searched).
        facts = self.witness(conj(formula, excluded, self.region))
        if facts is None and self.region is not True:
            facts = self.witness(conj(formula, excluded))
        acknowledged = None
        if facts is None and acks:
            facts = self.witness(formula)
            if facts is not None:
                acknowledged = next((a for a in acks if self._covers(a, facts)), acks[0])
        if facts is None:
            return None
        result = self.kb.run(_mapping(facts))
        held = result.outcomes
        if kind == "conflict":
            confirmed = all(o in held for o in outcomes)
            message = f"{' and '.join(outcomes)} both hold"
        else:
            confirmed = not held
            message = "no declared outcome holds (" + ", ".join(self.program.outcomes) + ")"
        if not confirmed:
            self.notes.append(f"z3 found a {kind} witness that the engine does not confirm "
                              f"({', '.join(format_ground_atom(p, a) for p, a in facts) or 'no facts'}); "
                              "it is not reported (recursive predicates are only unfolded "
                              f"{self.depth} rounds)")
            return None
        finding = Finding(kind, message, outcomes=outcomes, facts=facts, acknowledged=acknowledged)
        if kind == "conflict":
            reasons = decisive_reasons(result)
            for outcome in outcomes:
                direct = [(r.label, rule_location(r)) for r in deciding_rules(result, outcome)]
                finding.sides.append(Side(outcome, direct, reasons[outcome]["rules"],
                                          reasons[outcome]["authorities"]))
        else:
            for outcome in self.program.outcomes:
                candidates = self.program.branches_for(outcome)
                labels = sorted({b.rule.label for b in candidates if not b.hidden})
                finding.details.append(f"{outcome}: none of its rules fires"
                                        + (f" ({', '.join(labels)})" if labels else " (no rule concludes it)"))
        return finding

    def _covers(self, ack: Acknowledgement, facts: list[tuple[str, tuple[Value, ...]]]) -> bool:
        if not ack.when:
            return True
        result = self.kb.run(_mapping(facts))
        for negated, atom in ack.when:
            found = any(_matches_pattern(atom, args) for args in result.relations.get(atom.predicate, {}))
            if found == negated:
                return False
        return True

    def _dead(self) -> list[Finding]:
        findings = []
        by_rule: dict[int, list[Branch]] = {}
        for branch in self.program.branches:
            if not branch.hidden:
                by_rule.setdefault(id(branch.rule), []).append(branch)
        need = self._need()
        for number, branches in enumerate(by_rule.values(), start=1):
            rule = branches[0].rule
            self.progress(f"looking for dead rules: {number} of {len(by_rule)} ({rule.label})")
            if any(b.head.predicate in self.approximated or any(
                    isinstance(lit, (Positive, Negative)) and lit.atom.predicate in self.approximated
                    for lit in b.literals) for b in branches):
                continue  # not encoded exactly: cannot be proved dead (listed in the statement)
            dead = []
            for branch in branches:
                heads = self.encoding.branch_heads(branch)
                answer = self.satisfiable(disj(g for g, _ in heads))
                if answer is None:
                    self.notes.append(f"rule {rule.label} ({rule_location(rule)}): z3 gave up deciding whether it "
                                      f"can fire within {DEAD_TIMEOUT_MS // 1000} s (not proved live or dead)")
                elif not answer:
                    dead.append(branch)
            if not dead:
                continue
            ack = next((a for a in self.acks if a.kind == "dead" and a.subject[0] in (rule.name, rule.label)), None)
            for branch in dead:
                whole = len(dead) == len(branches)
                if whole and branch is not dead[0]:
                    continue
                what = (f"rule {rule.label} can never fire" if whole else
                        f"an alternative of rule {rule.label} can never fire: "
                        + " and ".join(format_literal(lit) for lit in branch.literals))
                finding = Finding("dead", what, span=rule.span, acknowledged=ack)
                finding.details.extend(self._why_dead(branch))
                over = {q: n for q, n in need.get(branch.id, {}).items() if n > self.bound}
                if over:
                    # Dead only within the bound: not a finding, since more facts could make it fire.
                    self.notes.append(
                        f"{what} ({rule_location(rule)}) with at most {plural(self.bound, 'fact')} of each input, but it "
                        "can match up to " + ", ".join(f"{n} {q} facts" for q, n in sorted(over.items()))
                        + ": not reported (raise --bound to decide it)")
                    continue
                findings.append(finding)
        return findings

    def _why_dead(self, branch: Branch) -> list[str]:
        for literal in branch.literals:
            if isinstance(literal, Positive):
                rows = self.encoding.rows(literal.atom.predicate)
                if not self.satisfiable(disj(g for g, _ in rows)):
                    predicate = literal.atom.predicate
                    has_rules = bool(self.program.branches_for(predicate))
                    return [f"it reads {predicate}, which "
                            + ("no case can establish: every rule concluding it is dead" if has_rules
                               else "no rule, fact or input establishes")]
        # Deletion: drop each test or negation that is not needed for the contradiction.
        droppable = [i for i, lit in enumerate(branch.literals) if not isinstance(lit, Positive)]
        skip: set[int] = set()
        for index in droppable:
            trial = frozenset(skip | {index})
            heads = self.encoding.branch_heads(branch, trial)
            if self.satisfiable(disj(g for g, _ in heads)) is False:
                skip.add(index)
        core = [branch.literals[i] for i in range(len(branch.literals)) if i not in skip]
        tests = [lit for lit in core if isinstance(lit, (Test, Negative))]
        if tests:
            return ["these conditions cannot all hold: " + "; ".join(
                f"{format_literal(lit)} ({_where(lit)})" for lit in core)]
        return ["no facts can match its conditions together: " + " and ".join(format_literal(lit) for lit in core)]

    def _need(self) -> dict[int, dict[str, int]]:
        """For each branch: how many facts of each input one match can use (more than the bound: not proved)."""
        program = self.program
        memo: dict[str, dict[str, int]] = {}

        def of(predicate: str, stack: tuple[str, ...]) -> dict[str, int]:
            if predicate in program.inputs:
                return {predicate: 1}
            if predicate in memo:
                return memo[predicate]
            if predicate in stack:
                return {}
            out: dict[str, int] = {}
            for branch in program.branches_for(predicate):
                for q, n in branch_need(branch, (*stack, predicate)).items():
                    out[q] = max(out.get(q, 0), n)
            memo[predicate] = out
            return out

        def branch_need(branch: Branch, stack: tuple[str, ...]) -> dict[str, int]:
            total: dict[str, int] = {}
            for literal in branch.literals:
                if isinstance(literal, Positive):
                    for q, n in of(literal.atom.predicate, stack).items():
                        total[q] = total.get(q, 0) + n
            return total

        return {b.id: branch_need(b, (b.head.predicate,)) for b in program.branches if not b.hidden}

    def _statement(self) -> tuple[list[str], list[str]]:
        program = self.program
        with_args = sorted(p for p, d in program.inputs.items() if d.types)
        flags = sorted(p for p, d in program.inputs.items() if not d.types)
        types = sorted({t.text for d in program.inputs.values() for t in d.types})
        recursive = sorted(p for p in program.recursive if not p.startswith("_"))
        exact = sum(1 for b in program.branches if b.head.predicate not in program.recursive)
        proved = [
            f"every case with at most {plural(self.bound, 'fact')} of each input predicate with arguments "
            f"({', '.join(with_args) or 'none'}) and any combination of the "
            f"{plural(len(flags), 'zero-argument input')} ({', '.join(flags) or 'none'})",
            "argument values unrestricted within their declared types (" + (", ".join(types) or "none")
            + "): integers and dates unbounded, symbols and strings any value",
            f"{plural(exact, 'rule branch', 'rule branches')} encoded exactly: non-recursive rules, stratified negation as completion, "
            "reference facts as finite tables",
        ]
        searched = []
        abstracted = self.encoding.abstracted
        if abstracted:
            proved[0] += (" in which no rule concluding " + ", ".join(sorted(abstracted))
                          + " can fire (outside those cases the rules reading them are exact)")
            skipped = sorted({b.rule.label for b in program.branches if not b.hidden and (
                b.head.predicate in self.approximated or any(
                    isinstance(lit, (Positive, Negative)) and lit.atom.predicate in self.approximated
                    for lit in b.literals))})
            for predicate, why in sorted(abstracted.items()):
                searched.append(f"{predicate} is too large to encode ({why}); in cases where it could hold it "
                                "is taken as empty, so witnesses there are only searched (each is confirmed by "
                                "the engine) and nothing is proved")
            searched.append(f"{plural(len(skipped), 'rule')} reading these predicates are not checked for dead "
                            f"conditions: {', '.join(skipped)}")
        if recursive:
            searched.append(
                f"recursive predicates ({', '.join(recursive)}) are unfolded {plural(self.depth, 'round')} of derivation: "
                "findings through them are confirmed by the engine, but their absence is not proved")
        searched.append(f"cases with more than {plural(self.bound, 'fact')} of one input predicate are not covered "
                        "(raise --bound)")
        return proved, searched


def _matches_pattern(atom: ast.Atom, args: tuple[Value, ...]) -> bool:
    seen: dict[str, Value] = {}
    for arg, value in zip(atom.args, args):
        if isinstance(arg, ast.Constant):
            if arg.value != value:
                return False
        elif isinstance(arg, ast.Variable):
            if seen.setdefault(arg.name, value) != value:
                return False
    return True


def _where(literal: Positive | Negative | Test) -> str:
    span = literal.comparison.span if isinstance(literal, Test) else (
        literal.node.span if isinstance(literal, Negative) else literal.atom.span)
    return f"{span.file}:{span.line}:{span.column}"


def _mapping(facts: list[tuple[str, tuple[Value, ...]]]) -> dict[str, list[tuple[Value, ...]]]:
    out: dict[str, list[tuple[Value, ...]]] = {}
    for predicate, args in facts:
        out.setdefault(predicate, []).append(args)
    return out


def verify(kb: KnowledgeBase, bound: int = DEFAULT_BOUND, depth: int = DEFAULT_DEPTH,
           progress: Callable[[str], None] | None = None) -> Report:
    """Look for conflicts, gaps and dead rules; see the module docstring.

    ``progress`` is told, in a few words, what the search is doing (for long runs).
    """
    return Verifier(kb, bound, depth, progress).run()


def witness_case(finding: Finding, name: str, kb_label: str, file_name: str) -> str:
    """A ready-to-run .case file reproducing a conflict or gap, with comments saying what it shows."""
    lines = [f"# Witness written by `lexkb verify`: a {finding.kind}: {finding.message}."]
    if finding.acknowledged:
        lines.append(f"# (acknowledged at {finding.acknowledged.span.file}:{finding.acknowledged.span.line}: "
                     f"{finding.acknowledged.justification})")
    lines.append(f"# Reproduce: lexkb run {kb_label} --case {file_name}")
    for side in finding.sides:
        rules = ", ".join(f"{label} ({loc})" for label, loc in side.rules)
        lines.append(f"# {side.outcome} is concluded by {rules}")
        if side.authorities:
            lines.append(f"#   citing {', '.join(side.authorities)}")
    for detail in finding.details:
        lines.append(f"# {detail}")
    if not finding.facts:
        lines.append("# The case states no facts at all.")
    lines.append(f'case {name} "a {finding.kind} found by lexkb verify"')
    lines.append("")
    lines.extend(format_ground_atom(p, a) for p, a in finding.facts)
    if finding.facts:
        lines.append("")
    negation = "" if finding.kind == "conflict" else "not "
    lines.extend(f"expect {negation}{outcome}" for outcome in finding.outcomes)
    return "\n".join(lines) + "\n"
