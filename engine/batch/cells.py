"""Table rows into cases: each cell typed by its column's ``input`` declaration, each error located.

A CSV record or JSONL line becomes a :class:`~lexkb.language.cases.Case`
here, in the worker. A cell that does not hold what its input declares
raises :class:`CellError`, which :class:`TableReader` turns into a
:class:`~lexkb.errors.SourceError` pointing at the cell (its CSV field or
its JSON key) so the message shows the row with a caret under it. The cell
format is documented in docs/batch.md and in :func:`convert_cell`.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime
import json
import re
from decimal import Decimal

from lexkb.batch.sources import CASE_COLUMN, EXPECT_COLUMN, Item, field_columns, inputs_hint
from lexkb.compile.program import Program
from lexkb.errors import LexkbError, SourceError, Span, did_you_mean
from lexkb.language import ast
from lexkb.language.cases import Case, case_from_mapping, kind_example, kind_in_words
from lexkb.language.parser import parse_atom
from lexkb.values import Text, Value


class CellError(Exception):
    """A cell that does not hold what its column's input declares (located by the caller, who knows the cell)."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message, self.hint = message, hint


_INT = re.compile(r"-?\d+\Z")
_DECIMAL = re.compile(r"-?\d+(\.\d+)?\Z")
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
                raw = json.loads(text, parse_float=Decimal)
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
    elif type_name == "decimal":  # exact: a JSON number arrives as a Decimal (parse_float), never a float
        if isinstance(text, (int, Decimal)) and not isinstance(text, bool):
            return text
        if isinstance(text, str) and _DECIMAL.match(text):
            return Decimal(text) if "." in text else int(text)
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
    shown = repr(raw) if isinstance(raw, str) else str(raw) if isinstance(raw, Decimal) else \
        json.dumps(raw, ensure_ascii=False)
    raise CellError(f"{what} must be {kind_in_words(type_name)}, not {shown}", kind_example(type_name))


def parse_expectations(raw: object, span: Span) -> tuple[ast.Expect, ...]:
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


class TableReader:
    """Turns a table's rows into cases for one program: its inputs' declared types, read once per worker."""

    def __init__(self, program: Program) -> None:
        self.program = program
        self.types = {p: tuple(t.text for t in decl.types) for p, decl in program.inputs.items()}

    def case(self, item: Item, names: list[str]) -> Case:
        """The case a CSV or JSONL row states.

        The row's ``case`` cell, once read, is appended to ``names``: the caller
        names the row's output after it even if a later cell then fails.
        """
        from_csv = item.kind == "csv"
        cells = self._csv_cells(item) if from_csv else self._json_cells(item)
        name = cells.get(CASE_COLUMN)
        if name not in (None, ""):
            names.append(name.strip() if isinstance(name, str) else str(name) if isinstance(name, Decimal)
                         else json.dumps(name))
        facts: dict[str, list[tuple[Value, ...]]] = {}
        expects: tuple[ast.Expect, ...] = ()
        types = self.types
        for column, value in cells.items():
            if value == "" or column == CASE_COLUMN:
                continue  # the common case in a wide table: nothing stated
            try:
                if column == EXPECT_COLUMN:
                    expects = parse_expectations(value, _cell_span(item, column, value))
                    self._check_expects(expects)
                    continue
                stated = convert_cell(value, column, types[column], from_csv)
            except CellError as problem:
                raise SourceError(problem.message, _cell_span(item, column, value), problem.hint) from None
            if stated:
                facts[column] = stated
        case = case_from_mapping(facts, names[-1])
        return dataclasses.replace(case, expects=expects) if expects else case

    def _csv_cells(self, item: Item) -> dict[str, str]:
        if item.problem is not None:  # the parent's csv reader could not read this record
            raise SourceError(item.problem, Span.point(item.file, item.line))
        fields = next(csv.reader([item.text], strict=True), [])
        header = item.header or ()
        if len(fields) != len(header):
            columns = field_columns(item.text.split("\n", 1)[0])
            col = columns[min(len(columns), len(header) + 1) - 1] if len(fields) > len(header) else 1
            hint = "every row has one cell per column (an empty cell states nothing)"
            if len(fields) > len(header):
                split = _split_cell(fields)
                if split is not None and split[0] < len(columns):
                    col = columns[split[0]]
                hint = ("a comma inside a cell splits it in two: put that cell in double quotes, e.g. "
                        + (f'"{split[1]}"' if split else '"deny; not eligible(a, b)"'))
            raise SourceError(f"this row has {len(fields)} cells, but the header names {len(header)} columns",
                              Span(item.file, item.line, col, item.line, col + 1), hint=hint)
        return dict(zip(header, fields))

    def _json_cells(self, item: Item) -> dict[str, object]:
        try:
            row = json.loads(item.text, parse_float=Decimal)
        except json.JSONDecodeError as error:
            raise SourceError(f"this line is not JSON: {error.msg}",
                              Span.point(item.file, item.line + error.lineno - 1, error.colno),
                              hint='each line is one object, e.g. {"offense_level": 30}') from None
        if not isinstance(row, dict):
            raise SourceError("each line of a JSONL table is one object, {\"input\": value, …}",
                              Span.point(item.file, item.line), hint='e.g. {"offense_level": 30}')
        for key in row:
            if key not in self.types and key not in (CASE_COLUMN, EXPECT_COLUMN):
                raise SourceError(f"{key!r} is not a declared input", _cell_span(item, key, None),
                                  did_you_mean(key, self.types) or inputs_hint(self.program))
        return {k: ("" if v is None else v) for k, v in row.items()}

    def _check_expects(self, expects: tuple[ast.Expect, ...]) -> None:
        for expect in expects:
            arity = self.program.arities.get(expect.atom.predicate)
            if arity is None:
                raise CellError(f"the row expects {expect.atom.predicate}, which nothing in the rules concludes",
                                did_you_mean(expect.atom.predicate, self.program.arities))
            if arity != expect.atom.arity:
                raise CellError(f"{expect.atom.predicate} takes {arity} value(s), but the expectation gives "
                                f"{expect.atom.arity}")


def _split_cell(fields: list[str]) -> tuple[int, str] | None:
    """The first cell a comma cut in two — one opening a parenthesis that a later cell closes, as in
    ``eligible(a`` + `` b)`` — and its text joined back; None when no cell looks cut."""
    for index, field in enumerate(fields):
        if field.count("(") > field.count(")"):
            joined, end = field, index
            while joined.count("(") > joined.count(")") and end + 1 < len(fields):
                end += 1
                joined += "," + fields[end]
            return index, joined
    return None


def _cell_span(item: Item, column: str, value: object) -> Span:
    """Where a cell is: its CSV field, or its JSON key (computed only for an error)."""
    first = item.text.split("\n", 1)[0]
    if item.kind == "csv":
        starts = field_columns(first)
        index = (item.header or ()).index(column)
        col = starts[index] if index < len(starts) else 1
        width = len(value) if isinstance(value, str) else 1
    else:
        found = first.find(json.dumps(column, ensure_ascii=False))
        col, width = (found + 1 if found >= 0 else 1), len(column) + 2
    return Span(item.file, item.line, col, item.line, col + max(1, width))
