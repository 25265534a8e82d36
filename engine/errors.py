"""One family of exceptions, each carrying the source span it is about.

Errors are raised low, without presentation, and formatted high: only the
command line turns them into messages and exit codes (see ``lexkb.cli``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Span:
    """A region of a source file: 1-based lines and columns, end exclusive."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"

    @classmethod
    def point(cls, file: str, line: int = 1, column: int = 1) -> Span:
        return cls(file, line, column, line, column + 1)


class LexkbError(Exception):
    """Base of every error lexkb reports to a user.

    ``message`` says what is wrong in plain words; ``hint`` (optional) says
    what to do, e.g. a "did you mean" suggestion; ``span`` locates it.
    ``line`` is the text of the line the span starts on, so that the error can
    be shown with a caret far from where the text was read (the command line,
    another process). Whoever raises the error may give it; otherwise the
    :class:`~lexkb.language.source.Sources` that hold the text fill it in as
    the error passes through loading or running (:meth:`Sources.locating`).
    """

    exit_code = 2

    def __init__(self, message: str, span: Span | None = None, hint: str | None = None,
                 line: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.span = span
        self.hint = hint
        self.line = line

    def __str__(self) -> str:
        where = f"{self.span}: " if self.span else ""
        hint = f" ({self.hint})" if self.hint else ""
        return f"{where}{self.message}{hint}"


class SourceError(LexkbError):
    """A file cannot be read: missing, not UTF-8, an include cycle."""


class SyntaxProblem(LexkbError):
    """The text does not follow the grammar, or holds an impossible value."""


class CheckError(LexkbError):
    """The program parses but is not valid: names, arity, safety, strata."""


class EvaluationError(LexkbError):
    """Evaluation stopped: e.g. the fact limit guarding runaway arithmetic."""


class UsageError(LexkbError):
    """The request itself is malformed (an atom to explain that doesn't parse, …)."""


def did_you_mean(name: str, candidates: object) -> str | None:
    """A 'did you mean' hint for ``name`` among ``candidates``, or None."""
    import difflib

    names = sorted({str(c) for c in candidates})  # type: ignore[attr-defined]
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    if not close:
        lowered = {n.lower(): n for n in names}
        if name.lower() in lowered:
            close = [lowered[name.lower()]]
    return f"did you mean '{close[0]}'?" if close else None


def plural(n: int, noun: str, many: str | None = None) -> str:
    """`1 rule`, `2 rules`, `0 authorities`: counts in plain English."""
    return f"{n:,} {noun if n == 1 else many or noun + 's'}"
