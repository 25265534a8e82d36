"""Dead rules: a rule, or one `or` alternative of it, whose conditions no case can satisfy.

A branch is dead when z3 proves that none of its ways to fire can hold. The
finding says why: the predicate it reads that nothing can establish, or the
smallest set of its conditions that contradict each other (found by dropping
each test or negation that the contradiction does not need). A rule that is
dead only because the bound is too small to match it is a note, not a finding.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from lexkb.compile.program import Branch, Negative, Positive, Program, Test
from lexkb.errors import plural
from lexkb.evaluate.matching import Matcher, Plans
from lexkb.explain.builder import format_literal
from lexkb.research.reasons import rule_location
from lexkb.research.symbolic_values import disj
from lexkb.research.verify.acknowledgements import Acknowledgement
from lexkb.research.verify.findings import Finding
from lexkb.research.verify.nearby import live_nearby
from lexkb.research.verify.solver import BoundedSolver, GaveUp, Stage

if TYPE_CHECKING:
    from lexkb.api import Result


def dead_rules(solver: BoundedSolver, acks: list[Acknowledgement], notes: list[str], gave_up: list[str],
               progress: Callable[[str], None], examples: Sequence[Result] = ()) -> list[Finding]:
    """A finding for each dead rule (once for the whole rule) or dead alternative, among the exactly encoded ones.

    A rule z3 could not decide is said in ``gave_up`` (with z3's reason): neither live nor dead is proved.
    """
    program = solver.program
    findings = []
    by_rule: dict[int, list[Branch]] = {}
    for branch in program.branches:
        if not branch.hidden:
            by_rule.setdefault(id(branch.rule), []).append(branch)
    need = facts_needed(program)
    inputs_of = {key: set(counts) for key, counts in need.items()}
    live: set[int] = set()  # branches seen firing in the engine on an example: alive, no query needed
    plans: Plans = {}  # the engine's join plans, made once for every result matched
    for result in examples:
        live |= _fired(program, result, plans)
    dead_of: dict[int, list[Branch]] = {}
    # Every branch still to decide: exactly encoded (one that is not cannot be proved dead,
    # and is listed in the statement) and not yet seen firing.
    pending = [b for branches in by_rule.values() if all(solver.is_exact(b) for b in branches)
               for b in branches if b.id not in live]
    # The rules that conclude last asked first: a case in which one of them fires fires the
    # rules it rests on too, and the engine's run shows those live without a question.
    stratum = {p: number for number, predicates in enumerate(program.strata) for p in predicates}
    pending.sort(key=lambda b: -stratum.get(b.head.predicate, 0))
    guards = {b.id: disj(g for g, _ in solver.encoding.branch_heads(b)) for b in pending}
    # Asked one by one in rounds, one attempt each (see BoundedSolver._ask): every question quickly
    # first; those z3 gave up on then at length, in a solver of their own, then of the shared solver,
    # then of the shared solver once more, which by then has learned enough to decide them at once.
    # Each round comes after the other questions' examples and their neighbours have shown what they
    # can: without cases, kb/'s hardest questions each ran out of time twice, 20 s, where another
    # rule's example, a round later, made the rule fire.
    rounds: list[tuple[Stage, str]] = [("quick", ""), ("default", " (at length)"),
                                       ("shared", " (with the shared solver)"), ("shared", " (again)")]
    for stage, which in rounds:
        undecided: dict[int, tuple[Branch, str]] = {}
        for number, branch in enumerate(pending, start=1):
            if branch.id in live:
                continue
            progress(f"looking for dead rules{which}: {number} of {len(pending)} ({branch.rule.label})")
            try:
                example = solver.example(guards[branch.id], stage)
            except GaveUp as why:
                undecided[branch.id] = (branch, f"z3 gave up ({why.reason})")
                continue
            if example is None:
                dead_of.setdefault(id(branch.rule), []).append(branch)
                continue
            result = solver.run(example)
            live |= _fired(program, result, plans)
            if branch.id not in live:
                # z3's case does not make the rule fire in the engine: the encoding and the engine
                # disagree, so neither "live" nor "dead" is shown; said, never taken for live.
                undecided[branch.id] = (branch, "the case z3 gave does not make it fire in the engine "
                                                "(the encoding and the engine disagree: please report it)")
            # The cases one change away fire rules beside this one: each shown live by an engine run
            # costs no question (on kb/, 22 dead-rule questions became 11).
            rest = [b for b in pending if b.id not in live]
            if rest:
                progress("looking for dead rules: running the cases one change away from the last example")
                live |= live_nearby(solver.kb, example, result, rest, inputs_of)
        pending = [b for b, _ in undecided.values() if b.id not in live]
    gave_up_of: dict[int, list[str]] = {}
    for branch in pending:
        rule = branch.rule
        gave_up_of.setdefault(id(rule), []).append(
            f"whether rule {rule.label} ({rule_location(rule)}) can fire: {undecided[branch.id][1]}")
    for key, branches in by_rule.items():  # reported in the order of the rules
        gave_up.extend(gave_up_of.get(key, []))
        dead = sorted(dead_of.get(key, []), key=branches.index)  # in the rule's order, whichever round
        if not dead:
            continue
        rule = branches[0].rule
        ack = next((a for a in acks if a.kind == "dead" and a.subject[0] in (rule.name, rule.label)), None)
        for branch in dead:
            whole = len(dead) == len(branches)
            if whole and branch is not dead[0]:
                continue
            what = (f"rule {rule.label} can never fire" if whole else
                    f"an alternative of rule {rule.label} can never fire: "
                    + " and ".join(format_literal(lit) for lit in branch.literals))
            over = {q: n for q, n in need.get(branch.id, {}).items() if n > solver.bound}
            if over:
                # Dead only within the bound: not a finding, since more facts could make it fire.
                notes.append(
                    f"{what} ({rule_location(rule)}) with at most {plural(solver.bound, 'fact')} of each input, but it "
                    "can match up to " + ", ".join(f"{n} {q} facts" for q, n in sorted(over.items()))
                    + ": not reported (raise --bound to decide it)")
                continue
            findings.append(Finding("dead", what, span=rule.span, acknowledged=ack,
                                    details=_why_dead(solver, branch)))
    return findings


def _fired(program: Program, result: Result, plans: Plans | None = None) -> set[int]:
    """The branches that match in a result (the engine's answer, not the encoding's); ``plans``: the join
    plans, shared between results (see :class:`Matcher`)."""
    matcher = Matcher(result.relations, plans)
    return {b.id for b in program.branches if not b.hidden and next(iter(matcher.matches(b)), None) is not None}


def _why_dead(solver: BoundedSolver, branch: Branch) -> list[str]:
    for literal in branch.literals:
        if isinstance(literal, Positive):
            rows = solver.encoding.rows(literal.atom.predicate)
            if _proved_unsatisfiable(solver, disj(g for g, _ in rows)):
                predicate = literal.atom.predicate
                has_rules = bool(solver.program.branches_for(predicate))
                return [f"it reads {predicate}, which "
                        + ("no case can establish: every rule concluding it is dead" if has_rules
                           else "no rule, fact or input establishes")]
    # Deletion: drop each test or negation that is not needed for the contradiction.
    droppable = [i for i, lit in enumerate(branch.literals) if not isinstance(lit, Positive)]
    skip: set[int] = set()
    for index in droppable:
        trial = frozenset(skip | {index})
        heads = solver.encoding.branch_heads(branch, trial)
        if _proved_unsatisfiable(solver, disj(g for g, _ in heads)):
            skip.add(index)
    core = [branch.literals[i] for i in range(len(branch.literals)) if i not in skip]
    tests = [lit for lit in core if isinstance(lit, (Test, Negative))]
    if tests:
        return ["these conditions cannot all hold: " + "; ".join(
            f"{format_literal(lit)} ({_where(lit)})" for lit in core)]
    return ["no facts can match its conditions together: " + " and ".join(format_literal(lit) for lit in core)]


def _proved_unsatisfiable(solver: BoundedSolver, formula: Any) -> bool:
    """For explaining a proved-dead rule: a part z3 cannot decide is simply not named as the reason."""
    try:
        return not solver.satisfiable(formula)
    except GaveUp:
        return False


def facts_needed(program: Program) -> dict[int, dict[str, int]]:
    """For each branch: how many facts of each input one match can use (more than the bound: not proved)."""
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


def _where(literal: Positive | Negative | Test) -> str:
    span = literal.comparison.span if isinstance(literal, Test) else (
        literal.node.span if isinstance(literal, Negative) else literal.atom.span)
    return f"{span.file}:{span.line}:{span.column}"
