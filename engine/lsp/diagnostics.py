"""Diagnostics while typing: exactly what ``lexkb check`` reports, on the editor's unsaved texts.

Nothing here checks anything itself. A rules file is checked by loading its knowledge
base as ``lexkb check`` does (``load_modules`` then ``check``), with the open documents'
texts standing in for the files on disk; a case file as ``lexkb check KB --case FILE``
does (the case read, ``validate_case`` against the program, ``verify_quotes`` against
its ``source``). The message, hint and span are the check's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lsprotocol import types

from lexkb.compile.case_checks import validate_case
from lexkb.compile.checks import check
from lexkb.compile.program import Program
from lexkb.errors import LexkbError, Span
from lexkb.language.cases import _case_of, verify_quotes
from lexkb.language.source import Sources, display_path, load_modules
from lexkb.lsp.workspace import Snapshot, Workspace

SOURCE = "lexkb"


@dataclass(frozen=True)
class Problem:
    """What check reports: an error (it stops) or a finding (it goes on); the same three parts."""

    message: str
    span: Span | None
    hint: str | None = None
    warning: bool = False  # check shows it and goes on (it fails only with --strict)


def to_range(span: Span) -> types.Range:
    """A lexkb span (1-based, end exclusive) as an editor range (0-based, end exclusive)."""
    return types.Range(start=types.Position(line=span.line - 1, character=span.column - 1),
                       end=types.Position(line=span.end_line - 1, character=span.end_column - 1))


def _sources(workspace: Workspace) -> Sources:
    """The open documents' texts, under the names loading gives their files: they are read instead of the disk."""
    return Sources({display_path(path): text for path, text in workspace.open.items()})


def _file(span: Span) -> Path:
    return Path(span.file).resolve()


def check_rules(workspace: Workspace, snapshot: Snapshot) -> tuple[Program | None, list[Problem]]:
    """The knowledge base checked as ``lexkb check`` checks it: the program and its warnings, or the
    error that stops it."""
    sources = _sources(workspace)
    try:
        with sources.locating():
            program = check(load_modules([snapshot.root], sources))
    except LexkbError as error:
        return None, [Problem(error.message, error.span, error.hint)]
    return program, [Problem(w.message, w.span, w.hint, warning=True) for w in program.all_warnings]


def check_case(workspace: Workspace, snapshot: Snapshot) -> list[Problem]:
    """The case checked as ``lexkb check KB --case FILE`` checks it (its knowledge base first)."""
    document = snapshot.current
    sources = Sources({display_path(document.path): document.text})
    try:
        case = _case_of(document.path, sources)
    except LexkbError as error:
        return [Problem(error.message, error.span, error.hint)]
    program, problems = check_rules(workspace, snapshot)
    if program is None:  # the case cannot be checked against rules that do not check: say why, here
        where = f" ({problems[0].span})" if problems[0].span else ""
        return [Problem(f"the knowledge base {display_path(snapshot.root)} does not check: "
                        f"{problems[0].message}{where}", None, problems[0].hint)]
    found = [Problem(f.message, f.span, f.hint) for f in validate_case(case, program)]
    try:
        found += [Problem(f.message, f.span, f.hint) for f in verify_quotes(case)]
    except LexkbError as error:  # the source cannot be read
        found.append(Problem(error.message, error.span, error.hint))
    return found


def to_diagnostic(problem: Problem) -> types.Diagnostic:
    """The message with its hint; the hint also goes in ``data``, for the quick fixes."""
    span = problem.span or Span.point("", 1, 1)
    message = problem.message + (f"\nhint: {problem.hint}" if problem.hint else "")
    severity = types.DiagnosticSeverity.Warning if problem.warning else types.DiagnosticSeverity.Error
    return types.Diagnostic(range=to_range(span), message=message, severity=severity,
                            source=SOURCE, data={"hint": problem.hint} if problem.hint else None)


def diagnose(workspace: Workspace, path: Path) -> dict[Path, list[types.Diagnostic]]:
    """The diagnostics to publish after a change to ``path``, by file: every rules file of the
    knowledge base (an error in one clears the others) and the document itself.

    A problem with no place (or a place outside these files) is shown at the top of the document.
    """
    snapshot = workspace.snapshot(path)
    focus = snapshot.focus
    if snapshot.current.is_case:
        problems = check_case(workspace, snapshot)
        published: dict[Path, list[types.Diagnostic]] = {focus: []}
    else:
        problems = check_rules(workspace, snapshot)[1]
        published = {file: [] for file in [focus, *snapshot.rules_files()]}
    for problem in problems:
        file = _file(problem.span) if problem.span else focus
        if file not in published:
            location = f" ({problem.span})" if problem.span else ""
            file, problem = focus, Problem(problem.message + location, None, problem.hint, problem.warning)
        published[file].append(to_diagnostic(problem))
    return published
