"""Witness cases: a conflict or gap written as a ready-to-run .case file, with comments saying what it shows.

The file is a test as well as a reproduction: its expectations (both
outcomes of a conflict, no outcome for a gap) pass on the rules as they are,
and fail once the finding is fixed.
"""

from __future__ import annotations

from lexkb.language.format import format_ground_atom
from lexkb.research.verify.findings import Finding


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
