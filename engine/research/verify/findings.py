"""What verify returns: findings (conflicts, gaps, dead rules) and a report of what was proved.

Data only, with ``to_json()`` for the public JSON output; the text the
command line prints from it is written in cli/verify.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lexkb.errors import Span
from lexkb.language.format import format_ground_atom
from lexkb.research.verify.acknowledgements import Acknowledgement
from lexkb.values import Value, to_json

Facts = list[tuple[str, tuple[Value, ...]]]  # input facts of a witness: (predicate, values)


@dataclass
class Side:
    """One outcome of a conflict, as the engine concluded it on the witness."""

    outcome: str
    rules: list[tuple[str, str]]  # (label, file:line) of rules concluding it directly
    chain: list[str]  # every rule of the recorded derivation
    authorities: list[str]


@dataclass
class Finding:
    """A conflict or gap with its witness facts confirmed by the engine, or a dead rule with why it is dead."""

    kind: str  # "conflict", "gap", "dead"
    message: str
    span: Span | None = None
    outcomes: tuple[str, ...] = ()
    facts: Facts = field(default_factory=list)
    sides: list[Side] = field(default_factory=list)
    details: list[str] = field(default_factory=list)
    acknowledged: Acknowledgement | None = None
    witness: str | None = None  # the witness file's name, once written

    def to_json(self) -> dict[str, Any]:
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
    """Every finding, and exactly what was proved and what was only searched, within ``bound`` and ``depth``.

    ``gave_up`` holds the questions z3 did not decide (it answered "unknown": a timeout, or a
    theory it cannot decide such as nonlinear integer arithmetic), each with z3's reason.
    They are neither findings nor proved, and the run is not clean while there are any.
    """

    findings: list[Finding]
    bound: int
    depth: int
    proved: list[str]
    searched: list[str]
    notes: list[str]
    counts: dict[str, int]
    gave_up: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        """Nothing unacknowledged found and every question decided."""
        return not self.failing and not self.gave_up

    @property
    def failing(self) -> list[Finding]:
        """The findings no acknowledgement covers: they make the run fail."""
        return [f for f in self.findings if f.acknowledged is None]

    def to_json(self) -> dict[str, Any]:
        return {
            "bound": self.bound, "depth": self.depth,
            "findings": [f.to_json() for f in self.findings],
            "counts": self.counts, "proved": self.proved, "searched": self.searched, "notes": self.notes,
            "gave_up": self.gave_up, "clean": self.clean,
        }
