"""engine/language/source.py: folders, includes, cycles, encodings, and texts owned by what loaded them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import lexkb
from lexkb.errors import LexkbError, SourceError, Span, SyntaxProblem
from lexkb.language.cases import load_case, verify_quotes
from lexkb.language.source import Sources, display_path, expand, holds_cases, load_modules, read_atom, read_text

Write = Callable[[str, str | bytes], Path]  # the `write` fixture of tests/conftest.py


# ---------------------------------------------------------------- folders


def test_a_folder_expands_to_every_file_below_it_sorted(tmp_path: Path, write: Write) -> None:
    for name in ("b.case", "a/z.case", "a/deeper/y.case", "notes.txt", "r.rules"):
        write(name, "")
    found = expand([tmp_path], ".case")
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["a/deeper/y.case", "a/z.case", "b.case"]
    assert [p.name for p in expand([tmp_path])] == ["r.rules"]


def test_a_file_named_directly_is_taken_whatever_its_suffix(write: Write) -> None:
    path = write("odd.txt", "")
    assert expand([path], ".case") == [path]


def test_a_folder_without_such_files_or_a_missing_path_is_an_error(tmp_path: Path, write: Write) -> None:
    write("r.rules", "")
    with pytest.raises(SourceError, match=r"no \.case files in the folder"):
        expand([tmp_path], ".case")
    with pytest.raises(SourceError, match="no such file or folder: nowhere"):
        expand(["nowhere"])


def test_a_folder_holds_cases_when_it_has_case_files_below_it_and_no_rules(tmp_path: Path, write: Write) -> None:
    write("cases/sub/a.case", "")
    assert holds_cases(tmp_path / "cases")
    write("cases/r.rules", "")
    assert not holds_cases(tmp_path / "cases")
    assert not holds_cases(write("empty/.keep", "").parent)


def test_display_path_is_relative_inside_the_working_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert display_path(tmp_path / "kb" / "a.rules") == str(Path("kb") / "a.rules")
    assert display_path(tmp_path.parent / "x.rules") == str(tmp_path.parent / "x.rules")


# ---------------------------------------------------------------- includes


def test_includes_are_followed_and_a_file_reached_twice_is_loaded_once(tmp_path: Path, write: Write) -> None:
    write("kb/main.rules", 'include "parts/table.rules"\np if q\n')
    write("kb/parts/table.rules", "q\n")
    sources = Sources()
    modules = load_modules([tmp_path / "kb"], sources)  # the walk finds parts/table.rules too
    assert sorted(Path(m.path).name for m in modules) == ["main.rules", "table.rules"]
    assert {Path(name).name: text for name, text in sources.items()} == {
        "main.rules": 'include "parts/table.rules"\np if q\n', "table.rules": "q\n"}


def test_an_include_cycle_names_the_chain_and_shows_the_include(tmp_path: Path, write: Write) -> None:
    write("a.rules", 'include "b.rules"\n')
    write("b.rules", 'p\ninclude "a.rules"\n')
    with pytest.raises(SourceError) as caught:
        load_modules([tmp_path / "a.rules"], Sources())
    error = caught.value
    assert error.message.startswith("include cycle: ") and error.message.count("→") == 2
    assert error.span is not None and Path(error.span.file).name == "b.rules" and error.span.line == 2
    assert error.line == 'include "a.rules"'


def test_a_missing_include_is_located_at_the_include(tmp_path: Path, write: Write) -> None:
    write("a.rules", 'p\ninclude "gone.rules"\n')
    with pytest.raises(SourceError, match="no such file") as caught:
        load_modules([tmp_path / "a.rules"], Sources())
    assert caught.value.span is not None and caught.value.span.line == 2
    assert caught.value.line == 'include "gone.rules"'


# ---------------------------------------------------------------- encodings


def test_a_file_that_is_not_utf8_is_located_at_its_first_bad_byte(write: Write) -> None:
    path = write("latin.rules", "p\nq(\"caf\xe9\")\n".encode("latin-1"))
    with pytest.raises(SourceError, match="not UTF-8 text \\(byte 0xe9") as caught:
        read_text(path, "latin.rules")
    error = caught.value
    assert error.span == Span("latin.rules", 2, 7, 2, 8)
    assert error.line == 'q("caf\ufffd")'
    assert error.hint == "save the file with UTF-8 encoding"


def test_a_byte_order_mark_is_dropped(write: Write) -> None:
    path = write("bom.rules", "\ufeffp\n".encode())
    assert read_text(path, "bom.rules") == "p\n"
    assert lexkb.load(path).run().holds("p")


def test_a_folder_or_a_missing_file_is_not_text(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="is a folder, not a file"):
        read_text(tmp_path, "here")
    with pytest.raises(SourceError, match="no such file: gone.rules"):
        read_text(tmp_path / "gone.rules", "gone.rules")


# ---------------------------------------------------------------- Sources


@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n\x0b\x0c"
                                                "\x1c\x1d\x1e\x85\u2028\u2029")), min_size=1))
def test_a_span_shows_the_line_it_starts_on(lines: list[str]) -> None:
    sources = Sources({"f.rules": "\n".join(lines) + "\n"})
    for number, line in enumerate(lines, 1):
        assert sources.line(Span.point("f.rules", number)) == line
    assert sources.line(Span.point("f.rules", len(lines) + 1)) is None
    assert sources.line(Span.point("other.rules", 1)) is None
    assert sources.line(None) is None


def test_locating_fills_a_missing_line_and_keeps_a_given_one() -> None:
    sources = Sources({"f.rules": "first\nsecond\n"})
    with pytest.raises(LexkbError) as caught, sources.locating():
        raise LexkbError("bad", Span.point("f.rules", 2))
    assert caught.value.line == "second"
    with pytest.raises(LexkbError) as caught, sources.locating():
        raise LexkbError("bad", Span.point("f.rules", 2), line="as raised")
    assert caught.value.line == "as raised"


def test_two_knowledge_bases_under_one_file_name_keep_their_own_texts() -> None:
    """The bug a module-global store of texts has: the second load overwrote the first's lines."""
    runaway = lexkb.loads("n(0)\nn(?y) if n(?x) and ?y = ?x + 1\n", "same.rules", fact_limit=50)
    other = lexkb.loads("p\nq if p\n", "same.rules")
    assert runaway.sources["same.rules"] != other.sources["same.rules"]
    with pytest.raises(lexkb.EvaluationError) as caught:
        runaway.run()
    assert caught.value.line == "n(?y) if n(?x) and ?y = ?x + 1"
    assert other.sources.line(Span.point("same.rules", 2)) == "q if p"


def test_a_check_error_carries_its_line() -> None:
    with pytest.raises(lexkb.CheckError) as caught:
        lexkb.loads("p(1)\nq if p(?x, ?y)\n", "bad.rules")
    assert caught.value.line == "q if p(?x, ?y)"


def test_a_typed_atom_carries_its_text() -> None:
    assert read_atom("reduction_floor_months(108)") == ("reduction_floor_months", (108,))
    with pytest.raises(SyntaxProblem) as caught:
        read_atom("deny(1,")
    assert caught.value.line == "deny(1,"


# ---------------------------------------------------------------- cases


def test_a_case_holds_its_own_text_and_its_decisions(write: Write) -> None:
    write("order.txt", "The motion is denied.\n")
    path = write("c.case", 'source "order.txt"\nlevel(3) from "The motion is granted."\n')
    case = load_case(path)
    assert list(case.sources.values()) == [path.read_text(encoding="utf-8")]
    [finding] = verify_quotes(case)
    assert "is not in" in finding.message
    assert case.sources.line(finding.span) == 'level(3) from "The motion is granted."'
    assert "The motion is denied.\n" in case.sources.values()


def test_an_error_in_a_case_carries_its_line(write: Write) -> None:
    path = write("c.case", "level(3)\nlevel(?x)\n")
    with pytest.raises(lexkb.CheckError, match="plain values") as caught:
        load_case(path)
    assert caught.value.line == "level(?x)"


def test_a_missing_decision_is_located_at_the_source_line(write: Write) -> None:
    path = write("c.case", 'source "gone.txt"\nlevel(3) from "x"\n')
    with pytest.raises(SourceError, match="no such file") as caught:
        verify_quotes(load_case(path))
    assert caught.value.line == 'source "gone.txt"'


def test_running_a_case_locates_a_validation_error_in_the_case(write: Write) -> None:
    kb = lexkb.loads("input level(int)\n", "r.rules")
    path = write("c.case", "# a comment\nlevel(high)\n")
    with pytest.raises(lexkb.CheckError, match="must be a whole number") as caught:
        kb.run(path)
    assert caught.value.line == "level(high)"
