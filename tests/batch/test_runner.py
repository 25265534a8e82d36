"""`lexkb batch`: tables and case files in, one ordered row per case out, errors per case."""

from __future__ import annotations

import csv
import datetime
import importlib.util
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

import lexkb
from lexkb import Text
from lexkb.batch import runner as batch
from lexkb.batch.runner import CellError, Item, Job, convert_cell
from lexkb.cli import main

FIXTURES = Path(__file__).parents[1] / "fixtures" / "batch"


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the fixtures, as the working folder (locations in the output are relative to it)."""
    for entry in FIXTURES.iterdir():
        if entry.is_dir():
            shutil.copytree(entry, tmp_path / entry.name)
        else:
            shutil.copy(entry, tmp_path / entry.name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def lexkb_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(list(args))
    out, err = capsys.readouterr()
    return int(done.value.code or 0), out, err


def rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def small_table(path: Path, count: int) -> None:
    """A table of ``count`` varied cases for the small rule base."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["case", "level", "category", "filed_on", "range", "prior", "flagged"])
        for n in range(count):
            writer.writerow([f"c{n}", n % 20, ("drug", "other")[n % 2], f"20{18 + n % 5}-03-01", f"{n % 7}|{n % 13}",
                             "abc"[n % 3] if n % 4 else "", "true" if n % 5 == 0 else "false"])


# ---------------------------------------------------------------- cells


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
    # JSONL: the JSON value itself
    assert convert_cell(12, "level", ("int",), False) == [(12,)]
    assert convert_cell(True, "flagged", (), False) == [()]
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
    ("[8, 12", ("int", "int"), True, "not a JSON list"),
    (True, ("int",), False, "must be a whole number, not true"),
    (1, (), False, "must be true or false"),
    (12, ("string",), False, "must be text in quotes"),
])
def test_bad_cells_say_what_was_expected(raw: object, types: tuple[str, ...], from_csv: bool, words: str) -> None:
    with pytest.raises(CellError) as problem:
        convert_cell(raw, "p", types, from_csv)
    assert words in problem.value.message


# ---------------------------------------------------------------- tables and case files


def test_csv_table(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = lexkb_cli(capsys, "batch", "kb", "table.csv", "-o", "out.jsonl", "--jobs", "1")
    assert code == 0, err
    got = rows(here / "out.jsonl")
    assert [r["case"] for r in got] == ["one", "two", "three", "four"]
    assert [r["where"] for r in got] == ["table.csv:2", "table.csv:3", "table.csv:4", "table.csv:5"]
    assert [r["outcomes"] for r in got] == [["grant"], ["deny"], ["deny"], ["grant"]]
    assert got[0]["deciding_rules"] == {"grant": ["grant_rule", "in_range", "lowered"]}
    assert got[1]["deciding_rules"] == {"deny": ["deny_late", "too_late"]}
    assert got[0]["expectations"] == [{"expect": "grant", "met": True}, {"expect": "not deny", "met": True}]
    assert all(r["error"] is None for r in got)
    assert "4 cases" in err and "grant 2, deny 2, none 0" in err and "5 met, 0 missed" in err
    assert out == ""


def test_jsonl_table_gives_the_same_results_as_csv(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert lexkb_cli(capsys, "batch", "kb", "table.csv", "-o", "a.jsonl", "-j", "1")[0] == 0
    assert lexkb_cli(capsys, "batch", "kb", "table.jsonl", "-o", "b.jsonl", "-j", "1")[0] == 0
    a, b = rows(here / "a.jsonl"), rows(here / "b.jsonl")
    for row in a + b:
        del row["where"]
    assert a == b
    assert [r["where"] for r in rows(here / "b.jsonl")][2] == "table.jsonl:4"  # blank lines keep their numbers


def test_case_files_and_folders(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = lexkb_cli(capsys, "batch", "kb", "good", "cases/granted.case", "-o", "out.csv")
    assert code == 0, err
    lines = (here / "out.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "case,where,outcomes,expectations_met,expectations_missed,rules_grant,rules_deny,error"
    assert lines[1:] == [
        "denied,good/denied.case,deny,2,,,deny_late too_late,",
        "granted,good/granted.case,grant,2,,grant_rule in_range lowered,,",
        "granted,cases/granted.case,grant,2,,grant_rule in_range lowered,,",
    ]


def test_deciding_rules_follow_recursion_through_unnamed_rules(here: Path) -> None:
    kb = lexkb.load(["kb"])
    result = kb.run({"flagged": [()], "prior": [("a",)]})
    assert result.outcomes == ["deny"]
    assert batch.deciding_rules(result, "deny") == ["deny_flagged", "reaches_d", "small.rules:26", "small.rules:25"]


def test_a_missed_expectation_exits_1(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = lexkb_cli(capsys, "batch", "kb", "cases/wrong.case", "good")
    assert code == 1
    got = [json.loads(line) for line in out.splitlines()]  # no -o: the rows go to standard output
    assert got[0]["expectations"] == [{"expect": "grant", "met": False}]
    assert "1 missed (in 1 case)" in err


def test_bad_cases_are_reported_in_their_rows_and_the_batch_goes_on(here: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = lexkb_cli(capsys, "batch", "kb", "bad.csv", "cases", "-o", "out.jsonl", "--jobs", "2")
    assert code == 2
    got = rows(here / "out.jsonl")
    assert len(got) == 3 + 4
    errors = {r["case"]: r["error"] for r in got}
    assert errors["ok"] is None
    assert errors["badlevel"] == "bad.csv:3:10: level must be a whole number, not 'twelve' (e.g. 120)"
    assert errors["baddate"].startswith("bad.csv:4:17: 2019-13-01 is not a real date")
    assert errors["cases/broken.case"].startswith("cases/broken.case:2:")
    assert errors["denied"] is None and errors["wrong"] is None
    # on standard error: location, the row, a caret under the cell, the hint
    assert "bad.csv:3:10: error: level must be a whole number, not 'twelve'\n" \
           "   3 | badlevel,twelve,drug,2019-05-01\n" \
           "     |          ^^^^^^\n" \
           "  hint: e.g. 120" in err
    assert "   2 | level(12" in err
    assert "7 cases" in err and "3 errors" in err


def test_row_shape_errors_are_located(here: Path) -> None:
    (here / "t.csv").write_text("level,category,expect\n1,drug,grant,extra\n2\n3,drug,grnat\n4,,deny(1)\n",
                                encoding="utf-8")
    (here / "t.jsonl").write_text('{"level": 1, "categroy": "drug"}\n[1]\n{"level": \n', encoding="utf-8")
    kb = lexkb.load(["kb"])
    found = batch.sources(["t.csv", "t.jsonl"], kb.program)
    errors = [str(r.error) for r in batch.run(Job((str(here / "kb"),)), batch.items(found), jobs=1, kb=kb)]
    assert errors[0].startswith("t.csv:2:14: this row has 4 cells, but the header names 3 columns")
    assert errors[1].startswith("t.csv:3:1: this row has 1 cells")
    assert errors[2] == "t.csv:4:8: the row expects grnat, which nothing in the rules concludes (did you mean 'grant'?)"
    assert errors[3] == "t.csv:5:4: deny takes 0 value(s), but the expectation gives 1"
    assert errors[4] == "t.jsonl:1:14: 'categroy' is not a declared input (did you mean 'category'?)"
    assert errors[5].startswith("t.jsonl:2:1: each line of a JSONL table is one object")
    assert errors[6].startswith("t.jsonl:3:1")


def test_a_bad_header_stops_before_any_output(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (here / "t.csv").write_text("case,levle\nx,1\n", encoding="utf-8")
    code, out, err = lexkb_cli(capsys, "batch", "kb", "t.csv", "-o", "out.jsonl")
    assert code == 2
    assert err.startswith("t.csv:1:6: error: the column 'levle' is not a declared input\n"
                          "   1 | case,levle\n"
                          "     |      ^^^^^\n"
                          "  hint: did you mean 'level'?")
    assert "Traceback" not in err
    assert sorted(os.listdir(here)) == sorted([e.name for e in FIXTURES.iterdir()] + ["t.csv"])  # no output


@pytest.mark.parametrize(("args", "words"), [
    (["kb"], "name the cases"),
    (["table.csv"], "name the knowledge base"),
    (["kb", "nowhere.csv"], "no such file or folder: nowhere.csv"),
    (["kb", "table.csv", "-o", "missing/out.jsonl"], "the folder missing does not exist"),
])
def test_usage_errors_exit_2(here: Path, capsys: pytest.CaptureFixture[str], args: list[str], words: str) -> None:
    code, _, err = lexkb_cli(capsys, "batch", *args)
    assert code == 2
    assert words in err and "Traceback" not in err


# ---------------------------------------------------------------- order, parallelism, memory


def test_jobs_1_and_2_write_the_same_bytes(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    small_table(here / "many.csv", 450)
    for jobs, name in (("1", "one.csv"), ("2", "two.csv")):
        code, _, err = lexkb_cli(capsys, "batch", "kb", "many.csv", "good", "-o", name, "--jobs", jobs)
        assert code == 0, err
    one = (here / "one.csv").read_bytes()
    assert one == (here / "two.csv").read_bytes()
    names = [line.split(",", 1)[0] for line in one.decode().splitlines()[1:]]
    assert names == [f"c{n}" for n in range(450)] + ["denied", "granted"]


def test_cases_are_read_lazily_with_a_bounded_number_in_flight(here: Path) -> None:
    pulled = 0

    def endless() -> object:
        nonlocal pulled
        while True:
            pulled += 1
            yield Item("jsonl", "gen", pulled, '{"level": 5, "category": "drug", "range": [1, 9]}')

    stream = batch.run(Job((str(here / "kb"),)), endless(), jobs=2, chunk_size=10)  # type: ignore[arg-type]
    for count, row in enumerate(stream, 1):
        assert row.outcomes == ("grant",)
        if count == 500:
            break
    stream.close()  # type: ignore[attr-defined]
    assert pulled <= 500 + 2 * batch.IN_FLIGHT_PER_WORKER * 10 + 10


def test_dask_local_cluster_gives_the_same_output(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    distributed = pytest.importorskip("distributed")
    small_table(here / "many.csv", 1200)  # three Dask tasks of 500 cases
    args = ["batch", "kb", "many.csv", "cases", "bad.csv"]
    local_code = lexkb_cli(capsys, *args, "-o", "local.jsonl", "--jobs", "2")[0]
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        code, _, err = lexkb_cli(capsys, *args, "-o", "dask.jsonl", "--scheduler", cluster.scheduler_address)
    assert code == local_code == 2, err  # broken.case and bad.csv's rows
    assert (here / "dask.jsonl").read_bytes() == (here / "local.jsonl").read_bytes()
    assert "1,207 cases" in err


def test_an_unreachable_scheduler_is_a_usage_error(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("distributed")
    code, _, err = lexkb_cli(capsys, "batch", "kb", "table.csv", "-o", "out.jsonl", "--scheduler",
                             "tcp://127.0.0.1:9")
    assert code == 2
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in err
    assert not (here / "out.jsonl").exists()


def make_cases() -> Any:
    """The case generator, tests/fixtures/batch/make_cases.py, as a module."""
    spec = importlib.util.spec_from_file_location("make_cases", FIXTURES / "make_cases.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def test_generator_writes_a_table_the_bundled_vocabulary_accepts(tmp_path: Path) -> None:
    module = make_cases()
    module.main(["30", str(tmp_path / "c.csv"), "--seed", "3"])
    first = (tmp_path / "c.csv").read_bytes()
    module.main(["30", str(tmp_path / "c.csv"), "--seed", "3"])
    assert (tmp_path / "c.csv").read_bytes() == first
    assert len(first.splitlines()) == 31
    vocabulary = Path(__file__).parents[2] / "kb" / "vocabulary.rules"
    if vocabulary.exists():  # the bundled knowledge base declares every column the generator writes
        declared = {line.split()[1].split("(")[0] for line in vocabulary.read_text().splitlines()
                    if line.startswith("input ")}
        assert set(module.COLUMNS) - {"case"} <= declared


def test_a_table_that_is_not_utf8_leaves_no_output(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (here / "t.csv").write_bytes(b"level,category\n1,drug\n2,dr\xffug\n")
    code, _, err = lexkb_cli(capsys, "batch", "kb", "t.csv", "-o", "out.jsonl", "--jobs", "2")
    assert code == 2
    assert err.startswith("t.csv:3:5: error: this line is not UTF-8 text (byte 0xff cannot be read)")
    assert not [name for name in os.listdir(here) if "out.jsonl" in name]  # nor its temporary file


# ---------------------------------------------------------------- end to end, with the bundled knowledge base

BUNDLED_KB = Path(__file__).parents[2] / "kb"


@pytest.mark.skipif(not BUNDLED_KB.is_dir(), reason="the bundled knowledge base is not there")
def test_generated_cases_run_on_the_bundled_knowledge_base(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    with open("c.csv", "w", encoding="utf-8", newline="") as handle:
        make_cases().write(200, handle, seed=7)
    code, _, err = lexkb_cli(capsys, "batch", str(BUNDLED_KB), "c.csv", "-o", "out.jsonl", "--jobs", "2")
    assert code == 0, err
    got = rows(tmp_path / "out.jsonl")
    assert [r["case"] for r in got] == [f"c{n}" for n in range(1, 201)]
    assert all(r["error"] is None for r in got)
    for r in got:  # every outcome that holds has the rules that decided it
        assert set(r["deciding_rules"]) == set(r["outcomes"]) and all(r["deciding_rules"].values())
