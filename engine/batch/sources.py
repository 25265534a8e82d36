"""Where a batch's cases come from: .case files, folders of them, CSV and JSONL tables.

The parent process only reads here: it expands the command line into
:class:`Source` files (checking a CSV header before any case runs, so a
misnamed column stops the batch with nothing written) and then yields one
raw :class:`Item` per case, lazily, one line or CSV record at a time. Nothing
is parsed: that happens in the workers (:mod:`lexkb.batch.cells`), so the
parent stays fast and its memory flat however large the table.
"""

from __future__ import annotations

import csv
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, NamedTuple

from lexkb.compile.program import Program
from lexkb.errors import SourceError, Span, UsageError, did_you_mean
from lexkb.language.source import display_path, expand, holds_cases

TABLE_SUFFIXES = (".csv", ".jsonl")
CASE_COLUMN = "case"  # optional: the case's name (a keyword, so never a predicate)
EXPECT_COLUMN = "expect"  # optional: `deny; not eligible`


class Item(NamedTuple):
    """One case to run, as the parent read it: nothing parsed yet.

    ``kind`` is "case" (``file`` is the .case path as displayed, ``text`` its
    absolute path), "csv" or "jsonl" (``line`` and ``text`` are the row's
    first line number and raw text; ``header`` the CSV header's column names).
    """

    kind: str
    file: str
    line: int
    text: str
    header: tuple[str, ...] | None = None
    problem: str | None = None  # a CSV record the csv module could not read: the row fails with this


@dataclass(frozen=True)
class Source:
    """A file of cases: a .case file or a table (CSV header already checked)."""

    path: str
    name: str  # as displayed in locations
    kind: str  # "case", "csv" or "jsonl"
    header: tuple[str, ...] | None = None


def is_case_path(path: str) -> bool:
    """Whether a command-line argument names cases rather than rules.

    ``.case``, ``.csv`` and ``.jsonl`` files are cases; a folder is cases
    when it holds ``.case`` files and no ``.rules`` files.
    """
    p = Path(path)
    if p.is_dir():
        return holds_cases(p)
    return path.endswith((".case", *TABLE_SUFFIXES))


def sources(paths: Sequence[str], program: Program) -> list[Source]:
    """The case sources named on the command line, folders expanded, table headers checked."""
    out: list[Source] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir() or not path.exists():
            out.extend(Source(str(p), display_path(p), "case") for p in expand([raw], ".case"))
        elif raw.endswith(".case"):
            out.append(Source(raw, display_path(path), "case"))
        elif raw.endswith(".csv"):
            name = display_path(path)
            out.append(Source(raw, name, "csv", _csv_header(path, name, program)))
        elif raw.endswith(".jsonl"):
            out.append(Source(raw, display_path(path), "jsonl"))
        else:
            raise UsageError(f"{raw} is not a case: name .case files, folders of them, or .csv/.jsonl tables")
    return out


def items(found: Iterable[Source]) -> Iterator[Item]:
    """Every case of the sources, read lazily: one line (or CSV record) at a time."""
    for src in found:
        if src.kind == "case":
            # file: the name shown in the output; text: the absolute path, for workers elsewhere
            yield Item("case", src.name, 0, str(Path(src.path).resolve()))
            continue
        with _open_table(Path(src.path), src.name) as handle:
            if src.kind == "csv":
                yield from _csv_records(src, _lines(handle, src.name))
                continue
            for number, line in _lines(handle, src.name):
                if line.strip():
                    yield Item(src.kind, src.name, number, line.rstrip("\r\n"))


MAX_RECORD_LINES = 100  # a quoted CSV cell may hold line breaks, up to this many lines per record


def _csv_records(src: Source, lines: Iterator[tuple[int, str]]) -> Iterator[Item]:
    """The records of a CSV table after its header, each cut by the csv module itself (quotes honoured).

    A record the module cannot read — a quote opened and never closed, text after a
    closing quote — is one failed row located at its first line, and reading resumes
    at the next line, so one stray quote costs one row, never the rest of the table.
    A record spanning several lines whose cell count is wrong is taken to be such a
    stray quote too. A record is at most :data:`MAX_RECORD_LINES` lines, so a stray
    quote makes the reader look ahead a bounded way: time and memory stay linear.
    """
    width = len(src.header or ())
    ahead = _Lookahead(lines)
    next(lines, None)  # the header, checked already
    while ahead.start():
        problem: str | None = None
        try:
            fields = next(csv.reader(ahead.record_lines(), strict=True), [])
        except csv.Error as error:
            problem = str(error)
        if problem is None and ahead.used > 1 and len(fields) != width:
            problem = "unexpected end of data"
        if problem is None:
            start, text = ahead.take()
            if text.strip():
                yield Item("csv", src.name, start, text, src.header)
            continue
        start, line = ahead.skip_line()
        if problem == "unexpected end of data":  # the csv module's words for a quote never closed
            problem = "a quote opens a cell and is never closed (a stray `\"`?)"
        yield Item("csv", src.name, start, line, src.header,
                   f"this CSV record cannot be read: {problem}; write a quote inside a cell as `\"\"` "
                   "and quote the whole cell")


class _Lookahead:
    """The lines the csv module has read for the record being cut, kept to give back the unused ones."""

    def __init__(self, lines: Iterator[tuple[int, str]]) -> None:
        self.lines = lines
        self.pending: deque[tuple[int, str]] = deque()
        self.used = 0

    def start(self) -> bool:
        """Begin a record; False at the end of the table."""
        self.used = 0
        if not self.pending:
            first = next(self.lines, None)
            if first is None:
                return False
            self.pending.append(first)
        return True

    def record_lines(self) -> Iterator[str]:
        """The lines from the record's start, as the csv module asks for them, at most MAX_RECORD_LINES."""
        while self.used < MAX_RECORD_LINES:
            if self.used == len(self.pending):
                more = next(self.lines, None)
                if more is None:
                    return
                self.pending.append(more)
            self.used += 1
            yield self.pending[self.used - 1][1]

    def take(self) -> tuple[int, str]:
        """The record just read: its first line's number and its text."""
        start = self.pending[0][0]
        text = "".join(self.pending.popleft()[1] for _ in range(self.used))
        return start, text.rstrip("\r\n")

    def skip_line(self) -> tuple[int, str]:
        """Give up on the record's first line (a bad record); the next record starts on the line after."""
        number, line = self.pending.popleft()
        return number, line.rstrip("\r\n")


def _lines(handle: IO[bytes], name: str) -> Iterator[tuple[int, str]]:
    """Each line with its number, decoded; a lone CR ends a line too (old Mac spreadsheets write them)."""
    number = 0
    while True:
        data = handle.readline()
        if not data:
            return
        for part in data.splitlines(keepends=True):
            number += 1
            yield number, _decode(part, name, number)


def count_cases(found: Iterable[Source]) -> int:
    """How many cases the sources hold (non-blank lines; for a progress bar's total)."""
    total = 0
    for src in found:
        if src.kind == "case":
            total += 1
            continue
        lines = 0
        with open(src.path, "rb") as handle:
            for data in handle:
                lines += sum(1 for line in data.splitlines() if line.strip())
        total += max(0, lines - (src.kind == "csv"))
    return total


def field_columns(text: str) -> list[int]:
    """The 1-based column where each CSV field of a line starts (quotes honoured), to locate a cell's error."""
    columns, quoted = [1], False
    for index, char in enumerate(text):
        if char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            columns.append(index + 2)
    return columns


def inputs_hint(program: Program) -> str:
    """What to write instead of an unknown column or key: the declared inputs."""
    names = sorted(program.inputs)
    if not names:
        return "the rules declare no inputs: declare them with `input NAME(TYPES)`"
    return "the declared inputs are: " + ", ".join(names)


def _csv_header(path: Path, name: str, program: Program) -> tuple[str, ...]:
    with _open_table(path, name) as handle:
        first = next(_lines(handle, name), (1, None))[1]
    if first is None or not first.strip():
        raise SourceError(f"{name} is empty: a table starts with a header naming its columns",
                          Span.point(name), hint="e.g. case,offense_level,criminal_history_category")
    text = first.rstrip("\r\n")
    header = tuple(c.strip() for c in next(csv.reader([text])))
    columns = field_columns(text)
    seen: set[str] = set()
    for index, column in enumerate(header):
        span = Span(name, 1, columns[index], 1, columns[index] + max(1, len(column)))
        if column in seen:
            raise SourceError(f"the column {column!r} appears twice", span, line=text)
        seen.add(column)
        if column in (CASE_COLUMN, EXPECT_COLUMN) or column in program.inputs:
            continue
        if not column:
            raise SourceError("a column has no name", span, hint="name each column after a declared input", line=text)
        raise SourceError(f"the column {column!r} is not a declared input", span,
                          did_you_mean(column, program.inputs) or inputs_hint(program), line=text)
    return header


def _open_table(path: Path, name: str) -> IO[bytes]:
    # bytes, decoded line by line, so a bad byte is reported on its own line
    try:
        return open(path, "rb")
    except OSError as error:
        raise SourceError(f"cannot read {name}: {error.strerror}") from None


def _decode(data: bytes, name: str, number: int) -> str:
    if number == 1 and data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]  # a byte-order mark, as spreadsheet programs write
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        column = len(data[: error.start].decode("utf-8", errors="replace")) + 1
        raise SourceError(f"this line is not UTF-8 text (byte 0x{data[error.start]:02x} cannot be read)",
                          Span.point(name, number, column), hint="save the table with UTF-8 encoding") from None
