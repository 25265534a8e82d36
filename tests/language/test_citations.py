"""Authority citations read into their parts (eyecite, and the Guidelines and docket patterns), and
check's warning for a citation that is not recognisable."""

from __future__ import annotations

import sys

import pytest

import lexkb
from lexkb.language import ast
from lexkb.language.citations import citation_warnings, describe_citation, parse_citation
from lexkb.language.parser import parse


@pytest.mark.parametrize(("citation", "expected"), [
    ("United States v. Baylor, 556 F.3d 672, 673 (8th Cir. 2009)",
     {"volume": "556", "reporter": "F.3d", "page": "672", "court": "ca8", "year": "2009"}),
    ("18 U.S.C. § 3582(c)(2)", {"title": "18", "reporter": "U.S.C.", "section": "3582", "pin_cite": "(c)(2)"}),
    ("U.S.S.G. § 1B1.10(b)(2)(A)", {"reporter": "U.S.S.G.", "section": "1B1.10(b)(2)(A)"}),
    ("USSG §1B1.10", {"reporter": "U.S.S.G.", "section": "1B1.10"}),
    ("U.S.S.G. App. C, Amend. 782 (eff. Nov. 1, 2014)", {"reporter": "U.S.S.G.", "section": "App. C, Amend. 782"}),
    ("U.S.S.G. Ch. 5, Pt. A (Sentencing Table)", {"reporter": "U.S.S.G.", "section": "Ch. 5, Pt. A"}),
    ("United States v. Alcaraz, No. 12-CR-0016 (PJS/JJK) (D. Minn. June 28, 2013)",
     {"plaintiff": "United States", "defendant": "Alcaraz", "docket": "12-CR-0016", "court": "D. Minn.",
      "year": "2013"}),
    ("United States v. Murios-Garcia (D. Md. 2014)", {"defendant": "Murios-Garcia", "court": "D. Md.", "year": "2014"}),
])
def test_citations_are_read_into_their_parts(citation: str, expected: dict[str, str]) -> None:
    first = parse_citation(citation)[0]
    assert {key: first.get(key) for key in expected} == expected


@pytest.mark.parametrize("citation", ["Baylor", "the guidelines", "18 USC 3582", "Amendment 782", "see above", ""])
def test_what_is_not_a_citation_is_not_read_as_one(citation: str) -> None:
    assert parse_citation(citation) == []
    assert describe_citation(citation) is None


def test_every_citation_of_the_bundled_knowledge_base_is_recognised() -> None:
    kb = lexkb.load("kb")
    assert kb.program.all_warnings == kb.program.warnings


def test_an_unrecognised_citation_is_a_warning_on_the_authority() -> None:
    module = parse('authority A "556 F.3d 672"\nauthority B "Baylor v. the world"\n', "a.rules")
    authorities = [s for s in module.statements if isinstance(s, ast.Authority)]
    [warning] = citation_warnings(authorities)
    assert warning.message == "the citation of B is not a recognisable legal citation"
    assert warning.span is not None and warning.span.line == 2
    assert warning.hint is not None and "U.S.S.G. § 1B1.10(b)(2)(A)" in warning.hint


def test_citation_warnings_wait_until_asked() -> None:
    """A run never reads citations (eyecite takes most of a second to load): only all_warnings does."""
    kb = lexkb.loads('authority A "not a citation"\ndeny if x because A\nx\n', "a.rules")
    assert kb.program.warnings == ()
    assert [w.message for w in kb.program.all_warnings] == ["the citation of A is not a recognisable legal citation"]


def test_an_explanation_offers_each_authoritys_parsed_citation() -> None:
    kb = lexkb.loads('authority A "18 U.S.C. § 3582(c)(2)"\ndeny if x because A\nx\n', "a.rules")
    citations = kb.run({}).explain("deny").citations()
    assert citations["A"][0]["section"] == "3582"


def test_without_eyecite_check_says_once_that_citations_were_not_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "eyecite", None)  # import eyecite now raises ImportError
    parse_citation.cache_clear()
    try:
        module = parse('authority A "556 F.3d 672"\nauthority B "18 U.S.C. § 3582"\n'
                       'authority G "U.S.S.G. § 1B1.10"\n', "a.rules")
        authorities = [s for s in module.statements if isinstance(s, ast.Authority)]
        [warning] = citation_warnings(authorities)
        assert warning.message == "citations were not read: eyecite is not installed"
        assert parse_citation("U.S.S.G. § 1B1.10") == [{"reporter": "U.S.S.G.", "section": "1B1.10"}]
    finally:
        parse_citation.cache_clear()
