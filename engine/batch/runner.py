"""Batch runs: many cases through one knowledge base, in parallel, streamed in and out.

Cases come from ``.case`` files, folders of them, and CSV or JSONL tables
whose columns are the declared inputs (the table format is documented in
docs/batch.md and in :func:`convert_cell`). The parent process only reads
raw lines and writes finished output lines; parsing a row, running the
case, walking its derivation and serialising its output line all happen in
a worker. Memory stays flat: cases are read lazily, at most a few chunks
are in flight, and results are written as soon as their turn comes, in
input order, so the output does not depend on the number of workers.

A bad case (an unreadable cell, a case file that does not parse, a fact
limit reached) does not stop the batch: its row carries the error and the
summary counts it.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime
import io
import json
import os
import re
import socket
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, NamedTuple

from lexkb.api import KnowledgeBase, Result, load
from lexkb.compile.program import Program
from lexkb.errors import LexkbError, SourceError, Span, UsageError, did_you_mean, plural
from lexkb.evaluate.engine import DEFAULT_FACT_LIMIT
from lexkb.language import ast
from lexkb.language import source as _source
from lexkb.language.cases import Case, case_from_mapping, kind_example, kind_in_words, load_case
from lexkb.language.format import format_atom
from lexkb.language.parser import parse_atom
from lexkb.language.source import display_path, remember
from lexkb.research.reasons import derivation_branches
from lexkb.values import Text, Value

TABLE_SUFFIXES = (".csv", ".jsonl")
FORMATS = ("jsonl", "csv")
CASE_COLUMN = "case"  # optional: the case's name (a keyword, so never a predicate)
EXPECT_COLUMN = "expect"  # optional: `deny; not eligible`
CHUNK_SIZE = 100
IN_FLIGHT_PER_WORKER = 4  # chunks queued per worker: enough to keep it busy, few enough to bound memory
DASK_CHUNKS_PER_TASK = 5


# ---------------------------------------------------------------- work items


class Item(NamedTuple):
    """One case to run, as the parent read it: nothing parsed yet.

    ``kind`` is "case" (``file`` is the .case path), "csv" or "jsonl"
    (``line`` and ``text`` are the row's first line number and raw text;
    ``header`` the CSV header's column names).
    """

    kind: str
    file: str
    line: int
    text: str
    header: tuple[str, ...] | None = None


@dataclass(frozen=True)
class CaseError:
    """A case that could not be run: the error, located, with its line's text for display."""

    message: str
    span: Span | None
    hint: str | None
    line: str | None

    def __str__(self) -> str:
        where = f"{self.span}: " if self.span else ""
        return where + self.message + (f" ({self.hint})" if self.hint else "")


class Row(NamedTuple):
    """A finished case: its output line and what the summary needs."""

    text: str  # the serialised output line(s), newline included
    outcomes: tuple[str, ...]
    met: int
    missed: int
    error: CaseError | None


# ---------------------------------------------------------------- sources


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
        return not any(p.rglob("*.rules")) and any(p.rglob("*.case"))
    return path.endswith((".case", *TABLE_SUFFIXES))


def sources(paths: Sequence[str], program: Program) -> list[Source]:
    """The case sources named on the command line, folders expanded, table headers checked."""
    out: list[Source] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*.case") if p.is_file())
            if not found:
                raise SourceError(f"no .case files in the folder {display_path(path)}")
            out.extend(Source(str(p), display_path(p), "case") for p in found)
        elif not path.exists():
            raise SourceError(f"no such file or folder: {raw}")
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


def _csv_header(path: Path, name: str, program: Program) -> tuple[str, ...]:
    with _open_table(path, name) as handle:
        first = _read_line(handle, name, 1)
    if first is None or not first.strip():
        raise SourceError(f"{name} is empty: a table starts with a header naming its columns",
                          Span.point(name), hint="e.g. case,offense_level,criminal_history_category")
    text = first.rstrip("\r\n")
    remember(name, text)  # line 1 only: enough to show a header error with its caret
    header = tuple(c.strip() for c in next(csv.reader([text])))
    columns = _field_columns(text)
    seen: set[str] = set()
    for index, column in enumerate(header):
        span = Span(name, 1, columns[index], 1, columns[index] + max(1, len(column)))
        if column in seen:
            raise SourceError(f"the column {column!r} appears twice", span)
        seen.add(column)
        if column in (CASE_COLUMN, EXPECT_COLUMN) or column in program.inputs:
            continue
        if not column:
            raise SourceError("a column has no name", span, hint="name each column after a declared input")
        raise SourceError(f"the column {column!r} is not a declared input", span,
                          did_you_mean(column, program.inputs) or _inputs_hint(program))
    return header


def _inputs_hint(program: Program) -> str:
    names = sorted(program.inputs)
    if not names:
        return "the rules declare no inputs: declare them with `input NAME(TYPES)`"
    return "the declared inputs are: " + ", ".join(names)


def _open_table(path: Path, name: str) -> IO[bytes]:
    # bytes, decoded line by line, so a bad byte is reported on its own line
    try:
        return open(path, "rb")
    except OSError as error:
        raise SourceError(f"cannot read {name}: {error.strerror}") from None


def _read_line(handle: IO[bytes], name: str, number: int) -> str | None:
    data = handle.readline()
    if not data:
        return None
    if number == 1 and data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]  # a byte-order mark, as spreadsheet programs write
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        column = len(data[: error.start].decode("utf-8", errors="replace")) + 1
        raise SourceError(f"this line is not UTF-8 text (byte 0x{data[error.start]:02x} cannot be read)",
                          Span.point(name, number, column), hint="save the table with UTF-8 encoding") from None


def items(found: Iterable[Source]) -> Iterator[Item]:
    """Every case of the sources, read lazily: one line (or CSV record) at a time."""
    for src in found:
        if src.kind == "case":
            # file: the name shown in the output; text: the absolute path, for workers elsewhere
            yield Item("case", src.name, 0, str(Path(src.path).resolve()))
            continue
        with _open_table(Path(src.path), src.name) as handle:
            number = 0
            if src.kind == "csv":
                _read_line(handle, src.name, 1)
                number = 1
            pending, start = "", 0
            while True:
                line = _read_line(handle, src.name, number + 1)
                if line is None:
                    break
                number += 1
                if not pending:
                    start = number
                pending += line
                # a quoted CSV cell may hold a line break: the record goes on until its quotes balance
                if src.kind == "csv" and pending.count('"') % 2:
                    continue
                text, pending = pending.rstrip("\r\n"), ""
                if text.strip():
                    yield Item(src.kind, src.name, start, text, src.header)
            if pending.strip():
                yield Item(src.kind, src.name, start, pending.rstrip("\r\n"), src.header)


def count_cases(found: Iterable[Source]) -> int:
    """How many cases the sources hold (non-blank lines; for a progress bar's total)."""
    total = 0
    for src in found:
        if src.kind == "case":
            total += 1
            continue
        lines = 0
        with open(src.path, "rb") as handle:
            for line in handle:
                lines += bool(line.strip())
        total += max(0, lines - (src.kind == "csv"))
    return total


def _field_columns(text: str) -> list[int]:
    """The 1-based column where each CSV field of a line starts (quotes honoured)."""
    columns, quoted = [1], False
    for index, char in enumerate(text):
        if char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            columns.append(index + 2)
    return columns


# ---------------------------------------------------------------- cells → facts


class CellError(Exception):
    """A cell that does not hold what its column's input declares."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message, self.hint = message, hint


_INT = re.compile(r"-?\d+\Z")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
_SYMBOL = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_TRUE, _FALSE = ("true",), ("false", "")


def convert_cell(raw: object, predicate: str, types: tuple[str, ...], from_csv: bool) -> list[tuple[Value, ...]]:
    """The facts one table cell states about ``predicate``, typed by its ``input`` declaration.

    - no arguments (``input career_offender``): ``true`` or ``false`` (empty: false);
    - one argument: the value, e.g. ``782``; several facts: ``782;750`` or a JSON
      list ``[782, 750]``;
    - several arguments: ``120|135`` or a JSON array ``[120, 135]``; several facts:
      ``120|135;108|135`` or a JSON list of arrays ``[[120, 135], [108, 135]]``;
    - values: ``int`` a whole number, ``date`` YYYY-MM-DD, ``symbol`` a name such as
      ``drug``, ``string`` any text (taken verbatim when it is the only argument;
      otherwise write text holding ``;`` or ``|`` as JSON).
    - An empty cell (or JSON null, or a missing key) states nothing.

    In JSONL the cell is the JSON value itself (``true``, ``30``, ``"2012-10-24"``,
    ``[120, 135]``; a ``"120|135"`` string is accepted too). Raises
    :class:`CellError` saying what was expected.
    """
    if from_csv:
        assert isinstance(raw, str)
        text = raw.strip()
        if not types:
            if text.lower() in _TRUE:
                return [()]
            if text.lower() in _FALSE:
                return []
            raise CellError(f"{predicate} is stated or not: the cell must be true or false, not {text!r}")
        if not text:
            return []
        if len(types) == 1 and types[0] != "string" and text[0] != "[" and ";" not in text:
            return [(_value(text, types[0], predicate, 0),)]  # the common case: one value
        if text.startswith("["):
            try:
                raw = json.loads(text)
            except json.JSONDecodeError as error:
                raise CellError(f"the {predicate} cell starts with '[' but is not a JSON list ({error.msg})",
                                'write several values as 782;750 or as a JSON list, e.g. [782, 750] or ["a", "b"]'
                                ) from None
        elif types == ("string",):
            return [(Text(raw),)]
        else:
            raw = [part.split("|") if len(types) > 1 else part for part in text.split(";")]
            raw = raw[0] if len(raw) == 1 else raw
    if raw is None:
        return []
    if not types:
        if raw is True or raw is False:
            return [()] if raw else []
        raise CellError(f"{predicate} is stated or not: the value must be true or false, not {json.dumps(raw)}")
    if len(types) == 1:
        values = raw if isinstance(raw, list) else [raw]
        return [(_value(v, types[0], predicate, 0),) for v in values]
    if isinstance(raw, list) and raw and all(isinstance(v, list) for v in raw):
        return [_arguments(v, types, predicate) for v in raw]
    return [_arguments(raw, types, predicate)]


def _arguments(raw: object, types: tuple[str, ...], predicate: str) -> tuple[Value, ...]:
    if isinstance(raw, str):
        raw = raw.split("|")
    if not isinstance(raw, list) or len(raw) != len(types):
        given = len(raw) if isinstance(raw, list) else 1
        example = "|".join(kind_example(t).removeprefix("e.g. ") for t in types)  # type: ignore[union-attr]
        raise CellError(f"{predicate} takes {len(types)} values, but the cell gives {given}",
                        f"write them as {example} or as a JSON array")
    return tuple(_value(v, t, predicate, i + 1) for i, (v, t) in enumerate(zip(raw, types)))


def _value(raw: object, type_name: str, predicate: str, position: int) -> Value:
    """One value of the declared type; ``position`` 0 for a predicate's only argument.

    A choice of types (``int|symbol``) takes the first that the cell fits.
    """
    if "|" in type_name:
        for part in type_name.split("|"):
            try:
                return _value(raw, part, predicate, position)
            except CellError:
                continue
    text = raw.strip() if isinstance(raw, str) else raw
    if type_name == "int":
        if isinstance(text, int) and not isinstance(text, bool):
            return text
        if isinstance(text, str) and _INT.match(text):
            return int(text)
    elif type_name == "date":
        if isinstance(text, str) and _DATE.match(text):
            try:
                return datetime.date.fromisoformat(text)
            except ValueError as error:
                raise CellError(f"{text} is not a real date ({error})", "dates are written YYYY-MM-DD") from None
    elif type_name == "symbol":
        if isinstance(text, str) and _SYMBOL.match(text):
            return text
    elif type_name == "string":
        if isinstance(raw, str):
            return Text(raw)
    what = f"value {position} of {predicate}" if position else predicate
    shown = json.dumps(raw, ensure_ascii=False) if not isinstance(raw, str) else repr(raw)
    raise CellError(f"{what} must be {kind_in_words(type_name)}, not {shown}", kind_example(type_name))


def _expectations(raw: object, span: Span) -> tuple[ast.Expect, ...]:
    """An `expect` cell: atoms separated by ';', each optionally preceded by `not`."""
    if not isinstance(raw, str):
        raise CellError('expectations are text, e.g. "deny; not eligible"')
    out = []
    for part in raw.split(";"):
        part = part.strip()
        if not part:
            continue
        negated = part.startswith("not ")
        text = part[4:].strip() if negated else part
        try:
            # a bare outcome needs no parser
            atom = ast.Atom(text, (), span) if text.isidentifier() else dataclasses.replace(parse_atom(text), span=span)
        except LexkbError:
            raise CellError(f"{part!r} is not an expectation", "write e.g. deny; not eligible") from None
        out.append(ast.Expect(atom, negated, span))
    return tuple(out)


# ---------------------------------------------------------------- the worker side


@dataclass(frozen=True)
class Job:
    """What every worker needs to run cases: picklable, hashable, small."""

    kb_paths: tuple[str, ...]  # absolute, so a worker with another working folder finds them
    fact_limit: int = DEFAULT_FACT_LIMIT
    output_format: str = "jsonl"


class Runner:
    """A worker's state: the knowledge base, loaded once, and the output writer."""

    def __init__(self, job: Job, kb: KnowledgeBase | None = None) -> None:
        self.job = job
        self.kb = kb if kb is not None else load(list(job.kb_paths), fact_limit=job.fact_limit)
        self.program = self.kb.program
        self.types = {p: tuple(t.text for t in decl.types) for p, decl in self.program.inputs.items()}

    def run_chunk(self, chunk: Sequence[Item]) -> list[Row]:
        """Run each case of a chunk; a case's error goes into its row."""
        return [self.run_item(item) for item in chunk]

    def run_item(self, item: Item) -> Row:
        where = item.file if item.kind == "case" else f"{item.file}:{item.line}"
        names = [where]  # replaced by the case's own name as soon as it is known, even if the case then fails
        try:
            case = self._case(item, names)
            result = self.kb.run(case, validate=item.kind == "case")
            outcomes = tuple(result.outcomes)
            expectations = [(_expect_text(e), ok) for e, ok in result.expectations()]
            deciding = {o: deciding_rules(result, o) for o in outcomes}
            error = None
        except LexkbError as problem:
            outcomes, expectations, deciding = (), [], {}
            error = CaseError(problem.message, problem.span, problem.hint, _line_of(problem.span, item))
        except Exception as problem:  # one broken case must not stop a million others
            outcomes, expectations, deciding = (), [], {}
            error = CaseError(f"internal error: {type(problem).__name__}: {problem}", None,
                              "please report this with the case", None)
        finally:
            if item.kind == "case":
                _forget(item.text)
        met = sum(ok for _, ok in expectations)
        text = self._serialise(names[-1], where, outcomes, expectations, deciding, error)
        return Row(text, outcomes, met, len(expectations) - met, error)

    def _case(self, item: Item, names: list[str]) -> Case:
        if item.kind == "case":
            case = load_case(item.text)
            if case.name:
                names.append(case.name)
            return case
        from_csv = item.kind == "csv"
        cells = self._csv_cells(item) if from_csv else self._json_cells(item)
        name = cells.get(CASE_COLUMN)
        if name not in (None, ""):
            names.append(name.strip() if isinstance(name, str) else json.dumps(name))
        facts: dict[str, list[tuple[Value, ...]]] = {}
        expects: tuple[ast.Expect, ...] = ()
        types = self.types
        for column, value in cells.items():
            if value == "" or column == CASE_COLUMN:
                continue  # the common case in a wide table: nothing stated
            try:
                if column == EXPECT_COLUMN:
                    expects = _expectations(value, self._cell_span(item, column, value))
                    self._check_expects(expects)
                    continue
                stated = convert_cell(value, column, types[column], from_csv)
            except CellError as problem:
                raise SourceError(problem.message, self._cell_span(item, column, value), problem.hint) from None
            if stated:
                facts[column] = stated
        case = case_from_mapping(facts, names[-1])
        return dataclasses.replace(case, expects=expects) if expects else case

    def _csv_cells(self, item: Item) -> dict[str, str]:
        fields = next(csv.reader([item.text]))
        header = item.header or ()
        if len(fields) != len(header):
            columns = _field_columns(item.text.split("\n", 1)[0])
            col = columns[min(len(columns), len(header) + 1) - 1] if len(fields) > len(header) else 1
            raise SourceError(f"this row has {len(fields)} cells, but the header names {len(header)} columns",
                              Span(item.file, item.line, col, item.line, col + 1),
                              hint="every row has one cell per column (an empty cell states nothing)")
        return dict(zip(header, fields))

    def _json_cells(self, item: Item) -> dict[str, object]:
        try:
            row = json.loads(item.text)
        except json.JSONDecodeError as error:
            raise SourceError(f"this line is not JSON: {error.msg}",
                              Span.point(item.file, item.line + error.lineno - 1, error.colno),
                              hint='each line is one object, e.g. {"offense_level": 30}') from None
        if not isinstance(row, dict):
            raise SourceError("each line of a JSONL table is one object, {\"input\": value, …}",
                              Span.point(item.file, item.line), hint='e.g. {"offense_level": 30}')
        for key in row:
            if key not in self.types and key not in (CASE_COLUMN, EXPECT_COLUMN):
                raise SourceError(f"{key!r} is not a declared input", self._cell_span(item, key, None),
                                  did_you_mean(key, self.types) or _inputs_hint(self.program))
        return {k: ("" if v is None else v) for k, v in row.items()}

    @staticmethod
    def _cell_span(item: Item, column: str, value: object) -> Span:
        """Where a cell is: its CSV field, or its JSON key (computed only for an error)."""
        first = item.text.split("\n", 1)[0]
        if item.kind == "csv":
            starts = _field_columns(first)
            index = (item.header or ()).index(column)
            col = starts[index] if index < len(starts) else 1
            width = len(value) if isinstance(value, str) else 1
        else:
            found = first.find(json.dumps(column, ensure_ascii=False))
            col, width = (found + 1 if found >= 0 else 1), len(column) + 2
        return Span(item.file, item.line, col, item.line, col + max(1, width))

    def _check_expects(self, expects: tuple[ast.Expect, ...]) -> None:
        for expect in expects:
            arity = self.program.arities.get(expect.atom.predicate)
            if arity is None:
                raise CellError(f"the row expects {expect.atom.predicate}, which nothing in the rules concludes",
                                did_you_mean(expect.atom.predicate, self.program.arities))
            if arity != expect.atom.arity:
                raise CellError(f"{expect.atom.predicate} takes {arity} value(s), but the expectation gives "
                                f"{expect.atom.arity}")

    def _serialise(self, name: str, where: str, outcomes: tuple[str, ...], expectations: list[tuple[str, bool]],
                   deciding: dict[str, list[str]], error: CaseError | None) -> str:
        if self.job.output_format == "jsonl":
            return json.dumps({
                "case": name,
                "where": where,
                "outcomes": list(outcomes),
                "expectations": [{"expect": e, "met": ok} for e, ok in expectations],
                "deciding_rules": deciding,
                "error": str(error) if error else None,
            }, ensure_ascii=False) + "\n"
        missed = "; ".join(e for e, ok in expectations if not ok)
        cells = [name, where, " ".join(outcomes), sum(ok for _, ok in expectations), missed]
        cells += [" ".join(deciding.get(o, ())) for o in self.program.outcomes]
        cells.append(str(error) if error else "")
        return csv_line(cells)


def csv_line(cells: Sequence[object]) -> str:
    """One CSV record, newline included (``\\n``, so output is identical on every platform)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(cells)
    return buffer.getvalue()


def header(output_format: str, program: Program) -> str:
    """The first line of a CSV output ('' for JSONL, which needs none)."""
    if output_format != "csv":
        return ""
    return csv_line(["case", "where", "outcomes", "expectations_met", "expectations_missed",
                     *[f"rules_{o}" for o in program.outcomes], "error"])


def _expect_text(expect: ast.Expect) -> str:
    atom = format_atom(expect.atom)
    return f"not {atom}" if expect.negated else atom


def _line_of(span: Span | None, item: Item) -> str | None:
    """The text of an error's line, read while the worker still has it (the parent never read it)."""
    if span is None:
        return None
    if item.kind != "case" and span.file == item.file:
        lines = item.text.split("\n")
        index = span.line - item.line
        return lines[index].rstrip("\r") if 0 <= index < len(lines) else None
    return _source.line_text(span.file, span.line)


def _forget(path: str) -> None:
    # source keeps every text it reads for error display; a worker reading a
    # million case files must not keep them all.
    _source.forget(display_path(Path(path)))


# ---------------------------------------------------------------- deciding rules


def deciding_rules(result: Result, predicate: str, args: tuple[Value, ...] = ()) -> list[str]:
    """The labels of the rules in the recorded derivation of a fact that holds, depth first, each once.

    Walks the derivation records (:func:`reasons.derivation_branches`): a
    derived fact's record is ``(branch id, values of the branch's variables…)``,
    from which each positive condition's matched fact is rebuilt and followed.
    """
    labels: dict[str, None] = {}
    for branch_id in derivation_branches(result, predicate, args):
        branch = result.program.branches[branch_id]
        if not branch.hidden:  # an auxiliary of `not (a and b)`: its rule is already listed
            labels.setdefault(branch.label)
    return list(labels)


# ---------------------------------------------------------------- executors

_RUNNER: Runner | BaseException | None = None
_DASK_RUNNERS: dict[Job, Runner] = {}


def _pool_init(job: Job) -> None:
    global _RUNNER
    try:
        _RUNNER = Runner(job)
    except BaseException as error:  # a pool whose initializer raises restarts it forever
        _RUNNER = error


def _pool_chunk(chunk: list[Item]) -> list[Row]:
    if not isinstance(_RUNNER, Runner):
        raise _RUNNER or RuntimeError("worker not initialised")
    return _RUNNER.run_chunk(chunk)


def dask_chunk(job: Job, chunk: list[Item]) -> list[Row]:
    """A Dask task: run a chunk, loading the knowledge base once per worker process."""
    runner = _DASK_RUNNERS.get(job)
    if runner is None:
        runner = _DASK_RUNNERS[job] = Runner(job)
    return runner.run_chunk(chunk)


def _chunks(stream: Iterable[Item], size: int) -> Iterator[list[Item]]:
    chunk: list[Item] = []
    for item in stream:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _windowed(submit: Callable[[list[Item]], Any], wait: Callable[[Any], list[Row]],
              chunks: Iterator[list[Item]], window: int) -> Iterator[Row]:
    """Keep at most ``window`` chunks in flight; yield rows in input order."""
    pending: deque[Any] = deque()
    for chunk in chunks:
        pending.append(submit(chunk))
        if len(pending) >= window:
            yield from wait(pending.popleft())
    while pending:
        yield from wait(pending.popleft())


def run(job: Job, stream: Iterable[Item], *, jobs: int | None = None, scheduler: str | None = None,
        kb: KnowledgeBase | None = None, chunk_size: int = CHUNK_SIZE) -> Iterator[Row]:
    """Run every case of ``stream``, yielding its :class:`Row` in input order.

    ``jobs`` worker processes (default: all cores; 1 runs in this process,
    reusing ``kb`` if given), or the Dask cluster at ``scheduler``. Memory is
    bounded: at most a few chunks per worker are in flight.
    """
    if scheduler is not None:
        # a Dask task costs the scheduler and client a millisecond or so: bigger chunks, fewer tasks
        yield from _run_dask(job, _chunks(stream, chunk_size * DASK_CHUNKS_PER_TASK), scheduler)
        return
    chunks = _chunks(stream, chunk_size)
    jobs = jobs or os.cpu_count() or 1
    if jobs == 1:
        runner = Runner(job, kb)
        for chunk in chunks:
            yield from runner.run_chunk(chunk)
        return
    import multiprocessing

    # fork where the platform has it: workers start at once; each still loads the KB in _pool_init
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    with multiprocessing.get_context(method).Pool(jobs, initializer=_pool_init, initargs=(job,)) as pool:
        yield from _windowed(lambda c: pool.apply_async(_pool_chunk, (c,)), lambda r: r.get(), chunks,
                             jobs * IN_FLIGHT_PER_WORKER)


def _run_dask(job: Job, chunks: Iterator[list[Item]], address: str) -> Iterator[Row]:
    try:
        from distributed import Client
    except ImportError:
        raise UsageError("--scheduler needs Dask: pip install 'lexkb[dask]'") from None
    try:
        _reachable(address)
        client = Client(address, timeout="10s", set_as_default=False)
    except (OSError, TimeoutError) as error:
        raise UsageError(f"cannot reach the Dask scheduler at {address}: {error}",
                         hint="start one with `dask scheduler` and workers with `dask worker ADDRESS`") from None
    with client:
        workers = max(1, sum(w.get("nthreads", 1) for w in client.scheduler_info()["workers"].values()))
        yield from _windowed(lambda c: client.submit(dask_chunk, job, c, pure=False), lambda f: f.result(), chunks,
                             workers * IN_FLIGHT_PER_WORKER)


def _reachable(address: str) -> None:
    """Fail at once on a closed port (Dask's client would retry until its timeout)."""
    match = re.fullmatch(r"tcp://\[?([^\]]+?)\]?:(\d+)", address)
    if match:
        socket.create_connection((match.group(1), int(match.group(2))), timeout=5).close()


# ---------------------------------------------------------------- summary


@dataclass
class Summary:
    """Counts over a batch, kept as it streams by."""

    outcomes_declared: tuple[str, ...]
    cases: int = 0
    errors: int = 0
    met: int = 0
    missed: int = 0
    failed_cases: int = 0
    none: int = 0  # cases where no declared outcome holds
    per_outcome: dict[str, int] = field(default_factory=dict)
    started: float = field(default_factory=time.perf_counter)
    elapsed: float = 0.0

    def add(self, row: Row) -> None:
        self.cases += 1
        if row.error is not None:
            self.errors += 1
            return
        for outcome in row.outcomes:
            self.per_outcome[outcome] = self.per_outcome.get(outcome, 0) + 1
        if not row.outcomes:
            self.none += 1
        self.met += row.met
        self.missed += row.missed
        self.failed_cases += row.missed > 0

    def finish(self) -> None:
        self.elapsed = time.perf_counter() - self.started

    def lines(self) -> list[str]:
        """The summary in plain words."""
        rate = self.cases / self.elapsed if self.elapsed > 0 else 0.0
        out = [f"{plural(self.cases, 'case')} in {self.elapsed:.1f} s ({rate:,.0f} cases/s); "
               f"{plural(self.errors, 'error')}"]
        if self.outcomes_declared:
            counts = [f"{o} {self.per_outcome.get(o, 0):,}" for o in self.outcomes_declared]
            counts.append(f"none {self.none:,}")
            out.append("outcomes: " + ", ".join(counts))
        if self.met or self.missed:
            failed = f" (in {plural(self.failed_cases, 'case')})" if self.failed_cases else ""
            out.append(f"expectations: {self.met:,} met, {self.missed:,} missed{failed}")
        return out
