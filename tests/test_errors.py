"""engine/errors.py: spans, the one exception family, and the wording helpers every message uses."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lexkb.errors import (
    CheckError,
    EvaluationError,
    LexkbError,
    SourceError,
    Span,
    SyntaxProblem,
    UsageError,
    did_you_mean,
    plural,
)

FAMILY = [SourceError, SyntaxProblem, CheckError, EvaluationError, UsageError]


def test_a_span_prints_as_file_line_column() -> None:
    assert str(Span("kb/a.rules", 3, 7, 3, 12)) == "kb/a.rules:3:7"


def test_a_point_is_one_character_wide() -> None:
    assert Span.point("a.rules", 4, 2) == Span("a.rules", 4, 2, 4, 3)
    assert Span.point("a.rules") == Span("a.rules", 1, 1, 1, 2)


@given(st.lists(st.tuples(st.sampled_from(["a.rules", "b.rules"]), st.integers(1, 50), st.integers(1, 80)),
                min_size=2))
def test_spans_sort_in_reading_order(places: list[tuple[str, int, int]]) -> None:
    """Messages about several places are listed file by file, top to bottom, left to right."""
    spans = sorted(Span.point(*place) for place in places)
    assert [(s.file, s.line, s.column) for s in spans] == sorted(places)


@pytest.mark.parametrize("kind", FAMILY)
def test_every_error_is_a_lexkb_error_with_usage_exit_code(kind: type[LexkbError]) -> None:
    """The CLI catches LexkbError once; every kind exits 2 unless the command decides otherwise."""
    error = kind("it is wrong", Span.point("a.rules", 2, 5), hint="do this")
    assert isinstance(error, LexkbError)
    assert error.exit_code == 2
    assert (error.message, error.hint, error.line) == ("it is wrong", "do this", None)


def test_the_plain_text_of_an_error_says_where_what_and_the_hint() -> None:
    assert str(CheckError("unknown authority Baylr", Span.point("a.rules", 2, 5), hint="did you mean 'Baylor'?")) \
        == "a.rules:2:5: unknown authority Baylr (did you mean 'Baylor'?)"
    assert str(UsageError("name the knowledge base")) == "name the knowledge base"


def test_an_error_carries_the_text_of_its_line() -> None:
    """Shown with a caret far from where the text was read (another process, the CLI)."""
    error = SyntaxProblem("expected a condition", Span.point("a.rules", 1, 9), line="deny if ")
    assert error.line == "deny if "


@pytest.mark.parametrize("name, candidates, hint", [
    ("Baylr", ["Baylor", "Dillon"], "did you mean 'Baylor'?"),
    ("offense_categry", {"offense_category", "offense_level"}, "did you mean 'offense_category'?"),
    ("DENY", ["deny", "grant"], "did you mean 'deny'?"),  # case alone differs: still found
    ("zzz", ["deny", "grant"], None),
    ("deny", [], None),
])
def test_did_you_mean(name: str, candidates: object, hint: str | None) -> None:
    assert did_you_mean(name, candidates) == hint


def test_did_you_mean_does_not_depend_on_the_order_of_candidates() -> None:
    assert did_you_mean("gant", ["grant", "giant"]) == did_you_mean("gant", ["giant", "grant"])


@pytest.mark.parametrize("n, noun, many, text", [
    (0, "rule", None, "0 rules"),
    (1, "rule", None, "1 rule"),
    (2, "authority", "authorities", "2 authorities"),
    (1, "authority", "authorities", "1 authority"),
    (12345, "case", None, "12,345 cases"),
])
def test_plural(n: int, noun: str, many: str | None, text: str) -> None:
    assert plural(n, noun, many) == text
