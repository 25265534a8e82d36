"""Table cells typed by their input declarations; a bad cell or row is reported where it is."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from lexkb import Text, load
from lexkb.batch.cells import CellError, TableReader, convert_cell, parse_expectations
from lexkb.batch.executors import run
from lexkb.batch.runner import Job
from lexkb.batch.sources import Item, items, sources
from lexkb.errors import SourceError, Span


def test_cells_are_converted_by_the_declared_types() -> None:
    assert convert_cell("12", "level", ("int",), True) == [(12,)]
    assert convert_cell("-3", "level", ("int",), True) == [(-3,)]
    assert convert_cell("2019-05-01", "filed_on", ("date",), True) == [(datetime.date(2019, 5, 1),)]
    assert convert_cell(" drug ", "category", ("symbol",), True) == [("drug",)]
    assert convert_cell("a; b|c", "note", ("string",), True) == [(Text("a; b|c"),)]  # a lone text is verbatim
    assert type(convert_cell("x", "note", ("string",), True)[0][0]) is Text
    assert convert_cell("8|12", "range", ("int", "int"), True) == [(8, 12)]
    assert convert_cell("[8, 12]", "range", ("int", "int"), True) == [(8, 12)]
    assert convert_cell("1|2;9|11", "range", ("int", "int"), True) == [(1, 2), (9, 11)]
    assert convert_cell("[[1, 2], [9, 11]]", "range", ("int", "int"), True) == [(1, 2), (9, 11)]
    assert convert_cell("782;750", "amendment", ("int",), True) == [(782,), (750,)]
    assert convert_cell("[782, 750]", "amendment", ("int",), True) == [(782,), (750,)]
    assert convert_cell("true", "flagged", (), True) == [()]
    assert convert_cell("FALSE", "flagged", (), True) == []
    assert convert_cell("", "flagged", (), True) == []
    assert convert_cell("", "level", ("int",), True) == []
    assert convert_cell("x", "either", ("int|symbol",), True) == [("x",)]  # a choice of types: the first that fits
    # JSONL: the JSON value itself
    assert convert_cell(12, "level", ("int",), False) == [(12,)]
    assert convert_cell(True, "flagged", (), False) == [()]
    assert convert_cell(None, "level", ("int",), False) == []
    assert convert_cell([8, 12], "range", ("int", "int"), False) == [(8, 12)]
    assert convert_cell("8|12", "range", ("int", "int"), False) == [(8, 12)]
    assert convert_cell(["a", "b"], "prior", ("symbol",), False) == [("a",), ("b",)]


@pytest.mark.parametrize(("raw", "types", "from_csv", "words"), [
    ("twelve", ("int",), True, "must be a whole number, not 'twelve'"),
    ("2019-13-01", ("date",), True, "is not a real date"),
    ("01/05/2019", ("date",), True, "must be a date"),
    ("drug offense", ("symbol",), True, "must be a symbol"),
    ("yes", (), True, "must be true or false"),
    ("8|12|3", ("int", "int"), True, "takes 2 values, but the cell gives 3"),
    ("8|x", ("int", "int"), True, "value 2 of p must be a whole number"),
    ("[8, 12", ("int", "int"), True, "not a JSON list"),
    (True, ("int",), False, "must be a whole number, not true"),
    (1, (), False, "must be true or false"),
    (12, ("string",), False, "must be text in quotes"),
])
def test_bad_cells_say_what_was_expected(raw: object, types: tuple[str, ...], from_csv: bool, words: str) -> None:
    with pytest.raises(CellError) as problem:
        convert_cell(raw, "p", types, from_csv)
    assert words in problem.value.message


def test_an_expect_cell_lists_atoms_each_perhaps_negated() -> None:
    span = Span.point("t.csv", 2, 5)
    expects = parse_expectations("deny; not eligible ;; reduced(2)", span)
    assert [(e.atom.predicate, e.negated, e.atom.arity) for e in expects] == [
        ("deny", False, 0), ("eligible", True, 0), ("reduced", False, 1)]
    assert all(e.span == span for e in expects)
    with pytest.raises(CellError, match="is not an expectation"):
        parse_expectations("deny(", span)
    with pytest.raises(CellError, match="expectations are text"):
        parse_expectations(3, span)


def test_a_cell_error_points_at_its_cell(here: Path) -> None:
    reader = TableReader(load(["kb"]).program)
    header = ("case", "level", "category")
    with pytest.raises(SourceError) as problem:
        reader.case(Item("csv", "t.csv", 7, "x,twelve,drug", header), ["t.csv:7"])
    assert (problem.value.span.line, problem.value.span.column, problem.value.span.end_column) == (7, 3, 9)
    names = ["t.jsonl:2"]
    with pytest.raises(SourceError) as problem:
        reader.case(Item("jsonl", "t.jsonl", 2, '{"case": "y", "level": "x"}'), names)
    assert problem.value.span.column == 15  # the key "level"
    assert names[-1] == "y"  # the row is named even though a later cell failed


def test_row_shape_errors_are_located(here: Path) -> None:
    (here / "t.csv").write_text("level,category,expect\n1,drug,grant,extra\n2\n3,drug,grnat\n4,,deny(1)\n",
                                encoding="utf-8")
    (here / "t.jsonl").write_text('{"level": 1, "categroy": "drug"}\n[1]\n{"level": \n', encoding="utf-8")
    kb = load(["kb"])
    found = sources(["t.csv", "t.jsonl"], kb.program)
    errors = [str(r.error) for r in run(Job((str(here / "kb"),)), items(found), jobs=1, kb=kb)]
    assert errors[0].startswith("t.csv:2:14: this row has 4 cells, but the header names 3 columns")
    assert errors[1].startswith("t.csv:3:1: this row has 1 cells")
    assert errors[2] == "t.csv:4:8: the row expects grnat, which nothing in the rules concludes (did you mean 'grant'?)"
    assert errors[3] == "t.csv:5:4: deny takes 0 value(s), but the expectation gives 1"
    assert errors[4] == "t.jsonl:1:14: 'categroy' is not a declared input (did you mean 'category'?)"
    assert errors[5].startswith("t.jsonl:2:1: each line of a JSONL table is one object")
    assert errors[6].startswith("t.jsonl:3:1")
