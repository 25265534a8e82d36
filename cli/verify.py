"""`lexkb verify`: conflicts, gaps and dead rules, with witness cases checked by the engine."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import click

from lexkb.api import KnowledgeBase, Result
from lexkb.errors import LexkbError, plural
from lexkb.language.cases import load_case
from lexkb.language.format import format_ground_atom
from lexkb.language.source import Sources, expand
from lexkb.research.verify import DEFAULT_BOUND, DEFAULT_DEPTH, Finding, Report, verify, witness_case
from lexkb.research.verify.solver import DEAD_TIMEOUT_MS, SOLVER_TIMEOUT_MS

from .common import (
    EXIT_FINDING,
    Seconds,
    format_location,
    json_text,
    kb_paths_argument,
    load_kb,
    status_line,
    text_lines,
    write_atomically,
)


@click.command("verify")
@kb_paths_argument
@click.option("--witness-dir", type=click.Path(file_okay=False), metavar="DIR",
              help="Write each conflict and gap as a ready-to-run .case file here (conflict-1.case, gap-1.case…).")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--bound", type=click.IntRange(min=1, max=6), default=DEFAULT_BOUND, show_default=True,
              help="How many facts of each input predicate (with arguments) a case may state.")
@click.option("--depth", type=click.IntRange(min=1, max=20), default=DEFAULT_DEPTH, show_default=True,
              help="Rounds of derivation unfolded for recursive predicates (those are searched, not proved).")
@click.option("--timeout", type=Seconds(min=0.001), default=None, metavar="SECONDS",
              help=f"Time for each z3 query [default: {SOLVER_TIMEOUT_MS // 1000} s per witness, "
                   f"{DEAD_TIMEOUT_MS // 1000} s per dead-rule question, asked of up to two solvers and again once "
                   "if undecided]; what z3 does not decide is listed as gave up.")
@click.option("--cases", "case_paths", multiple=True, type=click.Path(exists=True), metavar="PATH",
              help="Decided cases (files or folders) whose rules the engine shows can fire, so z3 need not "
                   "[default: the .case files in the knowledge base's folders].")
@click.option("--no-cases", is_flag=True, help="Use no decided cases: z3 decides every rule alone.")
def verify_command(kb_paths: tuple[str, ...], witness_dir: str | None, output_format: str, bound: int,
                   depth: int, timeout: float | None, case_paths: tuple[str, ...], no_cases: bool) -> None:
    """Look for conflicts, gaps and dead rules, using the z3 solver.

    \b
    - conflict: facts under which two declared outcomes both hold;
    - gap: facts under which no declared outcome holds;
    - dead rule: a rule (or an `or` alternative) that no case can make fire.
    Each conflict and gap comes with a witness, run through the engine before
    it is reported; with --witness-dir it is written as a .case file that
    `lexkb run` reproduces. The report ends by stating exactly what was proved
    (cases with at most --bound facts of each input) and what was only searched.
    What z3 cannot decide (it answers "unknown": a timeout, or nonlinear
    integer arithmetic) is listed under "Gave up", with z3's reason, never as proved.

    \b
    Reviewed findings can be acknowledged in a rules file, with a reason:
      # lexkb: acknowledge gap "motions invoking no change are out of scope"
      # lexkb: acknowledge gap when not relies_on_amendment(?n) "…"
      # lexkb: acknowledge conflict deny eligible "…"
      # lexkb: acknowledge dead RULE_NAME "…"
    They are still listed, but no longer make the run fail.

    \b
    Example:
      lexkb verify kb --witness-dir witnesses
    Exit codes: 0 nothing unacknowledged found, every question decided; 1 findings
    or z3 gave up; 2 invalid input; 130 interrupted (Ctrl-C: no report).
    """
    try:
        import z3  # noqa: F401
    except ImportError:
        raise click.UsageError("verify needs the z3 solver: pip install 'lexkb[verify]'") from None
    kb = load_kb(kb_paths)
    with status_line("verify") as show:
        examples = [] if no_cases else _decided_cases(kb, case_paths or kb_paths, explicit=bool(case_paths), show=show)
        report = verify(kb, bound=bound, depth=depth, progress=show, examples=examples,
                        timeout_ms=None if timeout is None else max(1, round(timeout * 1000)))
    if witness_dir is not None:
        _write_witnesses(kb, report, witness_dir, " ".join(kb_paths))
    if output_format == "json":
        click.echo(json_text(report.to_json()))
    else:
        click.echo(_text(report, kb.sources))
    if not report.clean:
        raise SystemExit(EXIT_FINDING)


def _decided_cases(kb: KnowledgeBase, paths: tuple[str, ...], explicit: bool,
                   show: Callable[[str], None]) -> list[Result]:
    """The engine's results on the decided cases: those named, or by default those kept in the
    knowledge base's folders (a folder without any is simply not searched)."""
    if not explicit:
        paths = tuple(p for p in paths if Path(p).is_dir() and next(Path(p).rglob("*.case"), None) is not None)
    files = expand(paths, ".case") if paths else []
    results = []
    for number, path in enumerate(files, start=1):
        show(f"running the decided cases: {number} of {len(files)}")
        results.append(kb.run(load_case(str(path))))
    return results


def _write_witnesses(kb: KnowledgeBase, report: Report, directory: str, kb_label: str) -> None:
    """Write each witness after checking, on a temporary copy, that the engine meets all its expectations."""
    numbers: dict[str, int] = {}
    planned: list[tuple[Finding, str, str]] = []
    for finding in report.findings:
        if finding.kind == "dead":
            continue
        numbers[finding.kind] = numbers.get(finding.kind, 0) + 1
        n = numbers[finding.kind]
        file_name = f"{finding.kind}-{n}.case"
        text = witness_case(finding, f"{finding.kind}_{n}", kb_label, str(Path(directory) / file_name))
        planned.append((finding, file_name, text))
    if not planned:
        return
    for finding, file_name, text in planned:
        fd, temp = tempfile.mkstemp(suffix=".case")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            result = kb.run(load_case(temp))
            if not all(ok for _, ok in result.expectations()):
                raise LexkbError(f"internal: the witness {file_name} does not reproduce its {finding.kind} "
                                 "in the engine; please report this")
        finally:
            os.unlink(temp)
    Path(directory).mkdir(parents=True, exist_ok=True)
    for finding, file_name, text in planned:
        write_atomically(str(Path(directory) / file_name), text.encode("utf-8"))
        finding.witness = str(Path(directory) / file_name)


def _text(report: Report, sources: Sources) -> str:
    lines: list[str] = []
    counts = report.counts
    failing = len(report.failing)
    lines.append(f"lexkb verify: {plural(counts['conflicts'], 'conflict')}, {plural(counts['gaps'], 'gap')}, "
                 f"{plural(counts['dead'], 'dead rule')}; {counts['acknowledged']} acknowledged, {failing} to fix"
                 + (f"; gave up on {len(report.gave_up)}" if report.gave_up else ""))
    numbers: dict[str, int] = {}
    for finding in report.findings:
        numbers[finding.kind] = numbers.get(finding.kind, 0) + 1
        label = finding.kind.upper() + (f" {numbers[finding.kind]}" if finding.kind != "dead" else "")
        if finding.acknowledged:
            label += " (acknowledged)"
        lines.append("")
        if finding.kind == "dead":
            lines.extend(format_location(finding.span, finding.message, severity=label.lower(),
                                         line=sources.line(finding.span)).splitlines())
        else:
            lines.append(f"{label}: {finding.message}" + (f" — witness {finding.witness}" if finding.witness else ""))
            facts = ", ".join(format_ground_atom(p, a) for p, a in finding.facts) or "(no facts stated)"
            lines.append(f"  facts: {facts}")
        for side in finding.sides:
            rules = ", ".join(f"{r} ({loc})" for r, loc in side.rules)
            cite = f"; citing {', '.join(side.authorities)}" if side.authorities else ""
            chain = [r for r in side.chain if r not in {label for label, _ in side.rules}]
            lines.append(f"  {side.outcome} ← {rules}{cite}" + (f"; via {', '.join(chain)}" if chain else ""))
        for detail in finding.details:
            lines.append(f"  {detail}")
        if finding.acknowledged:
            ack = finding.acknowledged
            lines.append(f"  acknowledged at {ack.span.file}:{ack.span.line}: \"{ack.justification}\"")
    for note in report.notes:
        lines.append("")
        lines.append(f"note: {note}")
    lines.append("")
    if report.gave_up:
        lines.append("Gave up (z3 could not decide; neither found nor proved):")
        lines.extend(f"  - {g}" for g in report.gave_up)
        lines.append("Proved (z3, confirmed by the engine), except what z3 gave up on, for:")
    else:
        lines.append("Proved (z3, confirmed by the engine), for:")
    lines.extend(f"  - {p}" for p in report.proved)
    if report.searched:
        lines.append("Searched, not proved:")
        lines.extend(f"  - {s}" for s in report.searched)
    if report.clean:
        lines.append("Result: clean — nothing unacknowledged found")
    else:
        lines.append("Result: " + ", ".join(
            ([plural(failing, "finding")] if failing else [])
            + ([f"not proved — z3 gave up on {plural(len(report.gave_up), 'question')}"] if report.gave_up else [])))
    return text_lines(lines)  # a justification or a file name holding a line break stays on its line
