"""What every engine runner provides, and the clock the runners report phases on.

A runner is an object with

* ``name`` — engine name as printed;
* ``available()`` — ``None`` when the engine can run here, else the reason it cannot;
* ``setup()`` — imports the engine (start-up: never timed);
* ``supports(workload)`` — whether the runner has an encoding of that workload;
* ``run(workload, clock)`` — one complete, timed evaluation: from program text (or
  the raw data, for plain Python) to the answer in the normal form of
  ``bench.workloads`` (a set of tuples, or for W2 a list of sets of atom indexes).
  The work of turning the engine's result into Python values is wrapped in
  ``with clock.extracting():`` so that it can be reported apart ("eval" = total
  minus extraction); in W2 and W4 the one-off loading of the rules is wrapped in
  ``with clock.loading():`` (still part of the total) so that the per-case
  throughput can be reported without it.
"""

from __future__ import annotations

import time
from contextlib import contextmanager


class Clock:
    """Accumulates the time spent extracting answers into Python values, and (for the
    per-case workloads W2, W4) the one-off loading/compiling of the rules, so that
    cases per second can be reported apart from it."""

    def __init__(self, on_first_extract=None):
        self.extract = 0.0
        self.load = 0.0
        self._on_first_extract = on_first_extract
        #: what ``on_first_extract`` returned (the measuring child: peak memory so far)
        self.before_extract = None

    @contextmanager
    def loading(self):
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.load += time.perf_counter() - t0

    @contextmanager
    def extracting(self):
        if self._on_first_extract is not None:
            self.before_extract = self._on_first_extract()
            self._on_first_extract = None
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.extract += time.perf_counter() - t0


class Runner:
    name = "?"
    kinds = ("W1", "W2", "W3")

    def available(self):
        return None

    def setup(self):
        pass

    def supports(self, workload) -> bool:
        return workload.kind in self.kinds

    def run(self, workload, clock: Clock):
        raise NotImplementedError
