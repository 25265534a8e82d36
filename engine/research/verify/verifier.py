"""The verify run: acknowledgements read, the rules encoded, the three checks, the report."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from lexkb.research.verify.acknowledgements import acknowledgements
from lexkb.research.verify.dead import dead_rules
from lexkb.research.verify.findings import Report
from lexkb.research.verify.outcomes import conflicts_and_gaps
from lexkb.research.verify.solver import BoundedSolver
from lexkb.research.verify.statement import statement

if TYPE_CHECKING:
    from lexkb.api import KnowledgeBase, Result

DEFAULT_BOUND = 2
DEFAULT_DEPTH = 4


def verify(kb: KnowledgeBase, bound: int = DEFAULT_BOUND, depth: int = DEFAULT_DEPTH,
           progress: Callable[[str], None] | None = None, timeout_ms: int | None = None,
           examples: Sequence[Result] = ()) -> Report:
    """Look for conflicts, gaps and dead rules (see :mod:`lexkb.research.verify`).

    ``progress`` is told, in a few words, what the search is doing (for long runs).
    ``timeout_ms`` bounds each z3 query (default: 60 s per witness, 10 s per dead-rule query); a
    question z3 does not decide in time (or at all, as with nonlinear integer arithmetic) is listed
    in ``Report.gave_up``, never as proved.
    ``examples``: the engine's results on known cases (decided cases kept with the rules): a rule
    seen firing in one can fire, and needs no z3 query to say so (it is only the dead-rule check
    that they shorten; what is proved does not depend on them).
    Ctrl-C during a query raises KeyboardInterrupt (z3 would otherwise swallow it).
    An error (a bad acknowledgement, a rule too large to encode) leaves carrying its line.
    """
    tell = progress or (lambda message: None)
    with kb.sources.locating():
        tell("encoding the rules for z3")
        acks = acknowledgements(kb)  # before encoding: a bad directive is reported first
        solver = BoundedSolver(kb, bound, depth, timeout_ms)
        notes: list[str] = []
        gave_up: list[str] = []
        findings = conflicts_and_gaps(kb, solver, acks, notes, gave_up, tell)
        dead = dead_rules(solver, acks, notes, gave_up, tell, examples)
    findings.extend(dead)
    counts = {
        "conflicts": sum(1 for f in findings if f.kind == "conflict"),
        "gaps": sum(1 for f in findings if f.kind == "gap"),
        "dead": len(dead),
        "acknowledged": sum(1 for f in findings if f.acknowledged),
    }
    proved, searched = statement(solver)
    return Report(findings, bound, depth, proved, searched, notes, counts, gave_up)
