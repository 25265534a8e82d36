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

In pipeline order: :mod:`.acknowledgements` (the directives), :mod:`.solver`
(the bounded z3 encoding), :mod:`.outcomes` (conflicts and gaps), :mod:`.dead`
(dead rules), :mod:`.statement` (what was proved), :mod:`.verifier` (the run),
:mod:`.findings` (the report, as data) and :mod:`.witnesses` (.case files).
The report's text is written by the command line (cli/verify.py).
"""

from __future__ import annotations

from lexkb.research.verify.acknowledgements import Acknowledgement, acknowledgements
from lexkb.research.verify.findings import Finding, Report, Side
from lexkb.research.verify.verifier import DEFAULT_BOUND, DEFAULT_DEPTH, verify
from lexkb.research.verify.witnesses import witness_case

__all__ = ["DEFAULT_BOUND", "DEFAULT_DEPTH", "Acknowledgement", "Finding", "Report", "Side", "acknowledgements",
           "verify", "witness_case"]
