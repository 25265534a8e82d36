"""`lexkb run`, `lexkb check` and `lexkb test`."""

from __future__ import annotations

from pathlib import Path

import click

from lexkb.api import Result
from lexkb.compile.case_checks import validate_case
from lexkb.errors import plural
from lexkb.language import ast
from lexkb.language.cases import load_case, verify_quotes
from lexkb.language.format import format_atom, format_ground_atom
from lexkb.language.readings import Readings
from lexkb.language.source import expand, holds_cases
from lexkb.research.reasons import grounds

from .common import (
    EXIT_FINDING,
    format_location,
    json_text,
    kb_paths_argument,
    load_kb,
    max_facts_option,
    text_lines,
    write_atomically,
)

SHOWN_PER_PREDICATE = 12


@click.command("run")
@kb_paths_argument
@click.option("--case", "case_path", type=click.Path(), metavar="FILE",
              help="A .case file stating the facts of the case (optional: without it the rules run alone).")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text for reading; json for other tools (see docs/cli.md for its shape).")
@max_facts_option
def run_command(kb_paths: tuple[str, ...], case_path: str | None, output_format: str, max_facts: int) -> None:
    """Run the rules on a case and report the outcomes and conclusions.

    \b
    KB_PATHS are .rules files or folders (every *.rules below a folder).
    Example:
      lexkb run kb --case kb/cases/alcaraz.case
      lexkb run kb --case kb/cases/alcaraz.case --format json

    The declared outcomes come first (which hold, which do not), then every
    conclusion the rules reached for this case. Use `lexkb explain` to see why.
    """
    kb = load_kb(kb_paths, max_facts)
    result = kb.run(case_path)
    if output_format == "json":
        data = {**result.to_json(), "grounds": {o: [g.to_json() for g in grounds(result, o)] for o in result.outcomes}}
        click.echo(json_text(data))
        return
    click.echo(text_lines(_text_report(result)))


def _text_report(result: Result) -> list[str]:
    """The report's lines, each a field or a few: a citation, a reading or a file name is kept
    on its line by :func:`text_lines`, so a line break in a file cannot forge an ``Outcome:`` line."""
    lines = []
    case = result.case
    if case.name or case.path:
        title = case.name or case.path
        lines.append(f"Case {title}" + (f": {case.citation}" if case.citation else ""))
    program = result.program
    readings = Readings(program.readings)
    if program.outcomes:
        held = result.outcomes
        lines.append("Outcome: " + (", ".join(held) if held else "none of the declared outcomes holds"))
        for outcome in program.outcomes:
            reading = readings.positive(outcome, ()) if outcome in held else readings.negative(outcome, ())
            lines.append(f"  {'holds    ' if outcome in held else 'not      '} {outcome}"
                         + (f": {reading}" if reading else ""))
        for outcome in held:
            lines.append(f"Grounds for {outcome} (lexkb explain … {outcome} shows each in full):")
            for ground in grounds(result, outcome):
                rule = ground.rule
                cited = f" because {', '.join(ground.authorities)}" if ground.authorities else ""
                where = f"{rule.span.file}:{rule.span.line}"
                lines.append(f"  {rule.name}{cited} ({where})" if rule.name else f"  the rule at {where}{cited}")
    derived = []
    for predicate in result.predicates():
        if predicate in program.outcomes or predicate in program.internal or not program.branches_for(predicate):
            continue
        facts = [args for args in result.facts(predicate) if isinstance(result.record(predicate, args), tuple)]
        if facts:
            derived.append((predicate, facts))
    if derived:
        lines.append("Conclusions:")
        for predicate, facts in derived:
            for args in facts[:SHOWN_PER_PREDICATE]:
                lines.append(f"  {readings.positive(predicate, args) or format_ground_atom(predicate, args)}")
            if len(facts) > SHOWN_PER_PREDICATE:
                lines.append(f"  … and {len(facts) - SHOWN_PER_PREDICATE} more {predicate} facts")
    elif not program.outcomes:
        lines.append("No conclusions.")
    return lines


@click.command("check")
@kb_paths_argument
@click.option("--case", "case_paths", multiple=True, type=click.Path(), metavar="FILE",
              help="A .case file to check against the rules and its source text (repeatable).")
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too.")
def check_command(kb_paths: tuple[str, ...], case_paths: tuple[str, ...], strict: bool) -> None:
    """Check rules (and cases) without running them.

    \b
    Reports, with file:line:column:
      - anything that makes the rules invalid (exit 2): syntax, undeclared
        authorities, unsafe variables, arity clashes, negation through a cycle;
      - for each case (exit 1): facts that are not declared inputs or have the
        wrong kind of value, and quotes that do not occur in the case's source
        text (whitespace, line breaks and curly quotes are ignored), each with
        the closest passage of the source;
      - warnings (exit 0, or 1 with --strict): a condition on something that
        nothing establishes (most often a misspelt name), an authority whose
        citation is not a recognisable legal citation (read by eyecite; the
        Guidelines, U.S.S.G. § 1B1.10, and decisions by court and year too).
    Example:
      lexkb check kb --case kb/cases/alcaraz.case
    """
    kb = load_kb(kb_paths)
    program = kb.program
    warnings = program.all_warnings
    for warning in warnings:
        click.echo(format_location(warning.span, warning.message, warning.hint, severity="warning",
                                   line=kb.sources.line(warning.span)), err=True)
    findings = len(warnings) if strict else 0
    quotes = 0
    for path in case_paths:
        case = load_case(path)
        problems = validate_case(case, program) + verify_quotes(case)
        quotes += sum(len(f.fact.quotes) for f in case.facts if f.fact is not None)
        for problem in problems:
            click.echo(format_location(problem.span, problem.message, problem.hint,
                                       line=case.sources.line(problem.span)), err=True)
        findings += len(problems)
    summary = (f"{plural(len(program.rules), 'rule')}, {plural(len(program.facts), 'fact')}, "
               f"{plural(len(program.authorities), 'authority', 'authorities')} checked")
    if case_paths:
        summary += f"; {plural(len(case_paths), 'case')}, {plural(quotes, 'quote')}"
    if warnings:
        summary += f" ({plural(len(warnings), 'warning')})"
    if findings:
        click.echo(f"{summary}: {plural(findings, 'problem')} found", err=True)
        raise SystemExit(EXIT_FINDING)
    click.echo(f"{summary}: no problems found")


def _miss(expect: ast.Expect) -> str:
    atom = format_atom(expect.atom)
    return f"expected not {atom}, but it holds" if expect.negated else f"expected {atom}, but it does not hold"


def split_cases(paths: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """Cases (``.case`` files, and folders holding cases but no rules) apart from the knowledge base."""
    cases: list[str] = []
    kb_paths: list[str] = []
    for path in paths:
        folder = Path(path)
        if path.endswith(".case"):
            cases.append(path)
        elif folder.is_dir() and holds_cases(folder):  # as `lexkb batch` does: sub-folders included
            cases.extend(str(p) for p in expand([folder], ".case"))
        else:
            kb_paths.append(path)
    return cases, kb_paths


@click.command("test")
@click.argument("paths", nargs=-1, required=True, type=click.Path(), metavar="KB_PATHS... CASES...")
@max_facts_option
@click.option("--coverage", "show_coverage", is_flag=True,
              help="Report which rules fired, which `unless` exceptions blocked a rule, which authorities "
                   "were decisive — and which no case exercised — per file and in total.")
@click.option("--save-reasons", "save_reasons", is_flag=False, flag_value="", default=None, metavar="[FILE]",
              help="Store each case's decisive reasons (rules and authorities deriving each outcome that "
                   "holds) in FILE (default: .reasons.json beside the cases).")
@click.option("--reasons", "reasons_file", type=click.Path(dir_okay=False), metavar="FILE",
              help="Compare with reasons saved in FILE (default: .reasons.json beside the cases, if present).")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def test_command(paths: tuple[str, ...], max_facts: int, show_coverage: bool, save_reasons: str | None,
                 reasons_file: str | None, output_format: str) -> None:
    """Run every `expect` of every case; exit 1 if any is missed.

    \b
    Arguments ending in .case are the cases; the others are the knowledge base.
    Example:
      lexkb test kb kb/cases/*.case
      lexkb test kb kb/cases/*.case --coverage
      lexkb test kb kb/cases/*.case --save-reasons     # writes kb/cases/.reasons.json

    When saved reasons exist (kb/cases/.reasons.json, or --reasons FILE), a
    case whose outcome still holds but for other rules or authorities is
    reported as REASONS CHANGED, with what changed; that alone does not fail
    the run.
    """
    from lexkb.research.coverage import coverage
    from lexkb.research.reasons import decisive_reasons

    from .reasons import ReasonLedger
    from .reports import coverage_lines

    cases, kb_paths = split_cases(paths)
    if not cases:
        raise click.UsageError("name at least one .case file (or a folder of them) to test")
    if not kb_paths:
        raise click.UsageError("name the knowledge base (.rules files or folders) before the cases")
    kb = load_kb(kb_paths, max_facts)
    ledger = ReasonLedger(save_reasons, reasons_file)
    text: list[str] = []
    report: list[dict] = []
    results = []
    changed = passed = failed = 0
    for path in cases:
        result = kb.run(path)
        name = result.case.name or path
        results.append((name, result))
        misses = [expect for expect, ok in result.expectations() if not ok]
        reasons = decisive_reasons(result)
        store, changes = ledger.changes(path, reasons)
        if misses:
            changes = []  # a missed expectation says more than a change of reasons
        count = len(result.case.expects)
        missed: list[dict[str, str]] = []
        entry = {"case": name, "path": path, "passed": not misses, "expectations": count,
                 "misses": missed, "reasons": reasons, "reasons_changed": changes}
        report.append(entry)
        if not misses:
            passed += 1
            text.append(f"PASS {name} ({plural(count, 'expectation')})")
        else:
            failed += 1
            text.append(f"FAIL {name}")
            for expect in misses:
                why = _miss(expect)
                missed.append({"location": str(expect.span), "message": why})
                shown = format_location(expect.span, why, severity="miss", line=result.case.sources.line(expect.span))
                text.extend(f"  {line}" for line in shown.splitlines())
        if changes:
            changed += 1
            text.append(f"REASONS CHANGED {name} (since {store})")
            text.extend(f"  {line}" for line in changes)
    cov = coverage(kb.program, results) if show_coverage else None
    if save_reasons is not None:
        for store, gained, data in ledger.save():
            write_atomically(str(store), data)
            text.append(f"reasons saved to {store} ({plural(gained, 'case')})")
    if output_format == "json":
        payload: dict = {"cases": report, "passed": passed, "failed": failed, "reasons_changed": changed}
        if cov is not None:
            payload["coverage"] = cov.to_json()
        click.echo(json_text(payload))
    else:
        if cov is not None:
            text.extend(coverage_lines(cov))
        if changed:
            text.append(f"{plural(changed, 'case')} decided for changed reasons")
        text.append(f"{passed} passed, {failed} failed")
        click.echo(text_lines(text))
    if failed:
        raise SystemExit(EXIT_FINDING)
