"""Counts over a batch, kept as its rows stream by (the CLI words them; see cli/batch.py)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from lexkb.batch.runner import Row


@dataclass
class Summary:
    """Cases, errors, outcomes and expectations counted over a batch, with its duration.

    Kept in the parent as rows arrive, so no row needs to be held once written.
    """

    outcomes_declared: tuple[str, ...]
    cases: int = 0
    errors: int = 0
    met: int = 0
    missed: int = 0
    failed_cases: int = 0
    none: int = 0  # cases where no declared outcome holds
    per_outcome: dict[str, int] = field(default_factory=dict)
    started: float = field(default_factory=time.perf_counter)
    elapsed: float = 0.0

    def add(self, row: Row) -> None:
        """Count one finished case."""
        self.cases += 1
        if row.error is not None:
            self.errors += 1
            return
        for outcome in row.outcomes:
            self.per_outcome[outcome] = self.per_outcome.get(outcome, 0) + 1
        if not row.outcomes:
            self.none += 1
        self.met += row.met
        self.missed += row.missed
        self.failed_cases += row.missed > 0

    def finish(self) -> None:
        """Stop the clock: the batch's last row is written."""
        self.elapsed = time.perf_counter() - self.started
