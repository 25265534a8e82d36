"""`lexkb batch`: many cases through one knowledge base, in parallel, to a JSONL or CSV table."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import click

from lexkb.batch.executors import run
from lexkb.batch.output import FORMATS, header
from lexkb.batch.runner import CaseError, Job
from lexkb.batch.sources import count_cases, is_case_path, items, sources
from lexkb.batch.summary import Summary
from lexkb.errors import UsageError, did_you_mean, plural

from .common import (
    EXIT_FINDING,
    EXIT_USAGE,
    atomic_file,
    format_location,
    kb_path,
    load_kb,
    max_facts_option,
    text_lines,
)

ERRORS_SHOWN = 10


@click.command("batch")
@click.argument("paths", nargs=-1, required=True, type=click.Path(), metavar="KB_PATHS... CASES...")
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False), metavar="OUT",
              help="Write the results here (written whole or not at all); without it, to standard output.")
@click.option("--format", "output_format", type=click.Choice(FORMATS), default=None,
              help="jsonl or csv; default: from OUT's suffix, else jsonl.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, metavar="N",
              help="Worker processes (default: all cores; 1 runs in this process).")
@click.option("--scheduler", metavar="ADDRESS", default=None,
              help="Run on the Dask cluster at ADDRESS (e.g. tcp://10.0.0.5:8786) instead of local processes. "
                   "Needs `pip install 'lexkb[dask]'`; workers must see the same files.")
@click.option("--atoms", "atoms_option", metavar="PRED[,PRED…]", default=None,
              help="Add the facts of these predicates to each row (a JSONL field \"facts\", a CSV column "
                   "each), e.g. --atoms reduction_floor_months,amended_range.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary.")
@max_facts_option
def batch_command(paths: tuple[str, ...], output: str | None, output_format: str | None, jobs: int | None,
                  scheduler: str | None, atoms_option: str | None, quiet: bool, max_facts: int) -> None:
    """Run many cases and write one row of results per case.

    \b
    Arguments ending in .case, .csv or .jsonl, and folders holding .case
    files (and no .rules), are the cases; the others are the knowledge base.
    Examples:
      lexkb batch kb kb/cases -o results.jsonl
      lexkb batch kb motions.csv -o results.csv --jobs 4
      lexkb batch kb motions.jsonl --scheduler tcp://10.0.0.5:8786 -o results.jsonl

    \b
    A table has one row per case and one column per declared input:
      case,offense_level,criminal_history_category,sentenced_on,career_offender
      smith,30,III,2012-10-24,false
    Zero-argument inputs are true/false; several arguments 120|135; several
    facts 782;750 (or JSON lists); dates YYYY-MM-DD. Optional columns:
    `case` (the case's name) and `expect` (e.g. "deny; not eligible").
    JSONL: one object per line with the same keys. See docs/batch.md.

    \b
    Each result row gives the case, where it came from, the outcomes that
    hold, each expectation and whether it was met, the rules that decided
    each outcome, and the error if the case could not be run (one bad case
    does not stop the others). A summary follows on standard error.

    Exit codes: 0 every case ran and met its expectations; 1 an expectation
    was missed; 2 bad usage, or a case could not be run.
    """
    cases = [p for p in paths if is_case_path(p)]
    kb_paths = [p for p in paths if p not in cases]
    if not cases:
        raise click.UsageError("name the cases: .case files, folders of them, or .csv/.jsonl tables")
    if not kb_paths:
        raise click.UsageError("name the knowledge base (.rules files or folders) before the cases")
    if output_format is None:
        output_format = "csv" if output and output.endswith(".csv") else "jsonl"
    kb = load_kb(kb_paths, max_facts)
    found = sources(cases, kb.program)
    atoms = _atoms(atoms_option, kb.program.arities)
    job = Job(tuple(str(Path(kb_path(p)).resolve()) for p in kb_paths), max_facts, output_format, atoms)
    summary = Summary(kb.program.outcomes)
    shown: list[CaseError] = []
    show_progress = not quiet and sys.stderr.isatty()
    total = count_cases(found) if show_progress else None
    rows = run(job, items(found), jobs=jobs, scheduler=scheduler, kb=kb)
    with _destination(output, paths) as out, _progress(show_progress, total) as advance:
        out.write(header(output_format, kb.program, grounds=True, atoms=atoms))
        for row in rows:
            out.write(row.text)
            summary.add(row)
            if row.error is not None and len(shown) < ERRORS_SHOWN:
                shown.append(row.error)
            advance()
    summary.finish()
    for error in shown:
        click.echo(_format_case_error(error), err=True)
    if summary.errors > len(shown):
        click.echo(f"… and {summary.errors - len(shown):,} more with errors: see the error column of the "
                   "results", err=True)
    if not quiet:
        click.echo(text_lines(_summary_lines(summary)), err=True)
    if summary.errors:
        raise SystemExit(EXIT_USAGE)
    if summary.missed:
        raise SystemExit(EXIT_FINDING)


def _atoms(option: str | None, arities: dict[str, int]) -> tuple[str, ...]:
    """The predicates named by --atoms, each once; an unknown one is a usage error with a suggestion."""
    if option is None:
        return ()
    names = tuple(dict.fromkeys(name.strip() for name in option.split(",") if name.strip()))
    if not names:
        raise UsageError("--atoms names no predicate", hint="e.g. --atoms reduction_floor_months,amended_range")
    known = [p for p in arities if not p.startswith("_")]
    for name in names:
        if name not in arities or name.startswith("_"):
            raise UsageError(f"--atoms: nothing in the rules concludes or states {name}",
                             hint=did_you_mean(name, known))
    return names


def _summary_lines(summary: Summary) -> list[str]:
    """The summary in plain words: cases and speed, outcomes, expectations."""
    rate = summary.cases / summary.elapsed if summary.elapsed > 0 else 0.0
    out = [f"{plural(summary.cases, 'case')} in {summary.elapsed:.1f} s ({rate:,.0f} cases/s); "
           f"{plural(summary.errors, 'error')}"]
    if summary.outcomes_declared:
        counts = [f"{o} {summary.per_outcome.get(o, 0):,}" for o in summary.outcomes_declared]
        counts.append(f"none {summary.none:,}")
        out.append("outcomes: " + ", ".join(counts))
    if summary.met or summary.missed:
        failed = f" (in {plural(summary.failed_cases, 'case')})" if summary.failed_cases else ""
        out.append(f"expectations: {summary.met:,} met, {summary.missed:,} missed{failed}")
    return out


def _format_case_error(error: CaseError) -> str:
    """A case's error as every lexkb error is shown; the line comes from the worker that read it."""
    return format_location(error.span, error.message, error.hint, line=error.line)


@contextmanager
def _destination(output: str | None, inputs: Sequence[str]) -> Iterator[IO[str]]:
    """Standard output, or a temporary file beside OUT renamed over it only when every row is written."""
    if output is None:
        yield sys.stdout
        sys.stdout.flush()
        return
    with atomic_file(output, "w", inputs) as handle:
        yield handle


@contextmanager
def _progress(enabled: bool, total: int | None) -> Iterator[Callable[[], None]]:
    """A callable that advances a rich progress bar on standard error (a no-op when disabled).

    The bar is redrawn by the caller, at most ten times a second, not by rich's
    refresh thread: worker processes may be forked while it runs.
    """
    if not enabled:
        yield lambda: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("cases"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True, auto_refresh=False) as progress:
        task = progress.add_task("cases", total=total)
        done, drawn, last = 0, 0, time.monotonic()

        def advance() -> None:
            nonlocal done, drawn, last
            done += 1
            now = time.monotonic()
            if now - last >= 0.1:
                progress.update(task, advance=done - drawn, refresh=True)
                drawn, last = done, now

        yield advance
        progress.update(task, advance=done - drawn, refresh=True)
