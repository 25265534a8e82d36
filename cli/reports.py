"""Text reports of the research tools, for reading: the engine returns data, the CLI writes prose."""

from __future__ import annotations

from typing import Any

from lexkb.errors import plural
from lexkb.research.coverage import Coverage


def coverage_lines(cov: Coverage) -> list[str]:
    """The coverage report for reading, as lines for :func:`~lexkb.cli.common.text_lines` (file names,
    rule labels and an exception's text come from files): per file, the total, what no case exercised."""
    lines = [f"Coverage over {plural(len(cov.cases), 'case')}:"]
    data = cov.to_json()
    for file in cov.files():
        part = data["files"][file]
        lines.append(f"  {file}: {_ratio(part)}")
    lines.append(f"  total: {_ratio(data['total'])}")
    unfired = [r for r in cov.rules if not r.cases]
    if unfired:
        lines.append("Rules no case fired:")
        lines.extend(f"  {r.rule.label} ({r.rule.span.file}:{r.rule.span.line})" for r in unfired)
    unexercised = [e for e in cov.exceptions if not e.cases]
    if unexercised:
        lines.append("Exceptions no case exercised (no case made them block their rule):")
        lines.extend(f"  {e.rule.label}: unless {e.text} ({e.span.file}:{e.span.line})" for e in unexercised)
    decisive = sorted((a for a in cov.authority_files if cov.authorities.get(a)),
                      key=lambda a: (-len(cov.authorities[a]), a))
    if decisive:
        lines.append("Authorities decisive (cited in the derivation of an outcome that held):")
        lines.extend(f"  {a}: {plural(len(cov.authorities[a]), 'case')} ({', '.join(cov.authorities[a])})" for a in decisive)
    never = sorted(a for a in cov.authority_files if not cov.authorities.get(a))
    if never:
        lines.append(f"Authorities never decisive: {', '.join(never)}")
    return lines


def _ratio(part: dict[str, Any]) -> str:
    r, e, a = part["rules"], part["exceptions"], part["authorities"]
    return (f"{r['fired']}/{r['total']} rules fired, {e['exercised']}/{e['total']} exceptions exercised, "
            f"{a['decisive']}/{a['total']} authorities decisive")
