"""Conflicts and gaps: inputs under which two declared outcomes both hold, or none does.

z3 proposes a smallest witness; the real engine then runs it, so a finding
is never an artefact of the encoding (a witness the engine does not confirm
becomes a note). The rules on each side of a conflict, and the rules that
could have concluded each outcome of a gap, come from the engine's run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from lexkb.language.format import format_ground_atom
from lexkb.research.reasons import deciding_rules, decisive_reasons, rule_location
from lexkb.research.symbolic_values import conj, neg
from lexkb.research.verify.acknowledgements import Acknowledgement, covers
from lexkb.research.verify.findings import Facts, Finding, Side
from lexkb.research.verify.solver import BoundedSolver, GaveUp

if TYPE_CHECKING:
    from lexkb.api import KnowledgeBase


def conflicts_and_gaps(kb: KnowledgeBase, solver: BoundedSolver, acks: list[Acknowledgement], notes: list[str],
                       gave_up: list[str], progress: Callable[[str], None]) -> list[Finding]:
    """A conflict for each pair of declared outcomes that can both hold, then a gap if none may hold.

    A question z3 could not decide is said in ``gave_up`` (with z3's reason): neither found nor proved absent.
    """
    outcomes = kb.program.outcomes
    if not outcomes:
        notes.append("no outcomes are declared, so there are no conflicts or gaps to look for")
        return []
    search = _Search(kb, solver, acks, notes)
    holds = {o: solver.encoding.holds(o, ()) for o in outcomes}
    findings = []
    for i, first in enumerate(outcomes):
        for second in outcomes[i + 1:]:
            progress(f"looking for a conflict: {first} and {second}")
            try:
                finding = search.run("conflict", (first, second), conj(holds[first], holds[second]))
            except GaveUp as undecided:
                gave_up.append(f"whether {first} and {second} can both hold (a conflict): z3 gave up "
                               f"({undecided.reason})")
                continue
            if finding:
                findings.append(finding)
    progress("looking for a gap: no outcome")
    try:
        finding = search.run("gap", outcomes, conj(*(neg(h) for h in holds.values())))
    except GaveUp as undecided:
        gave_up.append(f"whether no declared outcome can hold (a gap): z3 gave up ({undecided.reason})")
        finding = None
    if finding:
        findings.append(finding)
    return findings


class _Search:
    def __init__(self, kb: KnowledgeBase, solver: BoundedSolver, acks: list[Acknowledgement],
                 notes: list[str]) -> None:
        self.kb, self.program, self.solver, self.acks, self.notes = kb, kb.program, solver, acks, notes

    def run(self, kind: str, outcomes: tuple[str, ...], formula: Any) -> Finding | None:
        """The finding of one conflict or gap, its witness confirmed by the engine, or None."""
        solver = self.solver
        acks = [a for a in self.acks if a.kind == kind and (kind == "gap" or a.subject == tuple(sorted(outcomes)))]
        outcomes = outcomes if kind == "conflict" else self.program.outcomes
        excluded = solver.outside(acks) if acks else True
        # The exact region first; then, if parts of the rule base are abstracted, the rest (searched).
        facts = solver.witness(conj(formula, excluded, solver.region))
        if facts is None and solver.region is not True:
            facts = solver.witness(conj(formula, excluded))
        acknowledged = None
        if facts is None and acks:
            facts = solver.witness(formula)
            if facts is not None:
                acknowledged = self._acknowledging(acks, facts)
        if facts is None:
            return None
        result = self.solver.run(facts)
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
                              f"{solver.depth} rounds)")
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

    def _acknowledging(self, acks: list[Acknowledgement], facts: Facts) -> Acknowledgement:
        """The acknowledgement whose `when` covers a witness found only inside the acknowledged inputs."""
        return next((a for a in acks if not a.when or covers(a, self.solver.run(facts))), acks[0])
