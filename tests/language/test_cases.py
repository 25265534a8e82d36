"""engine/cases.py: case files, their validation against the inputs, and quotes against the source."""

from __future__ import annotations

from pathlib import Path

import pytest

import lexkb
from lexkb.compile.case_checks import validate_case
from lexkb.language.cases import closest_passage, load_case, normalise, verify_quotes

RULES = """
input original_range_months(int, int|symbol)
input sentenced_on(date)
top_is_life if original_range_months(?lo, ?hi) and ?hi = life
top_in_months(?hi) if original_range_months(?lo, ?hi) and ?hi != life
"""


@pytest.fixture()
def kb() -> lexkb.KnowledgeBase:
    return lexkb.loads(RULES, "choice.rules")


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("fact", "holds"), [
    ("original_range_months(360, life)", "top_is_life"),
    ("original_range_months(120, 135)", "top_in_months(135)"),
])
def test_a_choice_type_takes_either_kind(tmp_path: Path, kb: lexkb.KnowledgeBase, fact: str, holds: str) -> None:
    case = load_case(write(tmp_path, "c.case", fact + "\n"))
    assert validate_case(case, kb.program) == []
    assert kb.run(case).holds(holds)


def test_a_choice_type_rejects_other_kinds(tmp_path: Path, kb: lexkb.KnowledgeBase) -> None:
    case = load_case(write(tmp_path, "c.case", 'original_range_months(120, "life")\n'))
    [finding] = validate_case(case, kb.program)
    assert finding.message == "value 2 of original_range_months must be a whole number or a symbol, not text in quotes"
    assert finding.hint == "e.g. 120 or drug"
    assert (finding.span.line, finding.span.column) == (1, 28)


def test_a_choice_type_in_a_table_case(kb: lexkb.KnowledgeBase) -> None:
    assert kb.run({"original_range_months": [(360, "life")]}).holds("top_is_life")
    with pytest.raises(lexkb.CheckError, match="must be a whole number or a symbol"):
        kb.run({"original_range_months": [(360, lexkb.Text("life"))]})


def test_an_unknown_kind_in_a_choice_is_an_error() -> None:
    with pytest.raises(lexkb.CheckError, match="'sym' is not an argument type") as caught:
        lexkb.loads("input r(int|sym)\n", "bad.rules")
    assert caught.value.hint == "did you mean 'symbol'?"


def test_case_and_source_lines_may_come_after_the_facts(tmp_path: Path) -> None:
    write(tmp_path, "order.txt", "He was sentenced on October 24, 2012.")
    path = write(tmp_path, "c.case", 'sentenced_on(2012-10-24) from "sentenced on October 24, 2012"\n'
                                     'source "order.txt"\ncase late "A case declared last"\n')
    case = load_case(path)
    assert (case.name, case.citation) == ("late", "A case declared last")
    assert verify_quotes(case) == []


def test_a_second_case_line_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "c.case", "case one\ncase two\n")
    with pytest.raises(lexkb.CheckError, match="a case file has one 'case' line") as caught:
        load_case(path)
    assert caught.value.span.line == 2


def test_quotes_ignore_line_breaks_curly_quotes_and_emphasis() -> None:
    source = "the program went into effect on March 1, 2012 \u2014 that is,\nnearly 8 months *before* he was sentenced"
    assert normalise("nearly 8 months before he was sentenced") in normalise(source)
    assert normalise("\u201cfast-track\u201d program") == normalise('"fast-track" program')


def test_a_missing_quote_points_at_the_closest_passage(tmp_path: Path) -> None:
    write(tmp_path, "order.txt", "Had this program existed, he would have been entitled to a 4-level reduction.")
    path = write(tmp_path, "c.case", 'source "order.txt"\n'
                                     'sentenced_on(2012-10-24) from "he would have been entitled to a four-level reduction"\n')
    [finding] = verify_quotes(load_case(path))
    assert finding.message == "the quote for sentenced_on(2012-10-24) is not in " + str(tmp_path / "order.txt")
    assert finding.hint == 'the closest passage is: "he would have been entitled to a 4-level reduction."'
    assert closest_passage("completely unrelated words here", "alpha beta gamma") is None


# ---------------------------------------------------------------- several quotes, legal alterations

ORDER = ("The defendant pleaded guilty to a drug offense in 2011.\n\n"
         "Because his offense carries a mandatory-minimum sentence of 120 months, the Court lacks authority "
         "to reduce it. Amendment 782 does not help him.\n\n"
         "It is therefore ordered that the motion is denied.")


@pytest.mark.parametrize("quote", [
    "his offense carries a mandatory-minimum sentence of 120 months",
    "his offense carries . . . 120 months",
    "his offense carries ... 120 months",
    "his offense carries \u2026 120 months",
    "his offense carries [...] 120 months, the Court lacks authority",
    "[b]ecause his offense carries",
    "[H]is offense carries",
    "[the defendant's] offense carries a mandatory-minimum sentence",
    "Because [the sentence] of 120 months",  # 6 words in brackets' place
    "his offense carries a mandatory-minimum sentence [sic] of 120 months",
    ". . . the Court lacks authority to reduce it . . . .",
])
def test_quotes_with_the_usual_legal_alterations_match(quote: str) -> None:
    from lexkb.language.cases import find_quote, normalised_paragraphs

    assert find_quote(quote, normalised_paragraphs(ORDER)) is not None


@pytest.mark.parametrize("quote", [
    "his offense carries . . . 121 months",  # a part that is not there
    "120 months . . . his offense carries",  # the parts out of order
    "drug offense . . . the motion is denied",  # an omission across paragraphs
    "[x]ecause his offense carries",  # a bracketed letter stands for that letter only
    "Because [the words] the Court lacks authority",  # a bracketed phrase is at most 6 words, here 9
    "his offense carries a [mandatory-minimum] sentence of 12 months",
])
def test_quotes_with_alterations_still_have_to_be_in_the_source(quote: str) -> None:
    from lexkb.language.cases import find_quote, normalised_paragraphs

    assert find_quote(quote, normalised_paragraphs(ORDER)) is None


def test_a_fact_takes_several_quotes_all_checked(tmp_path: Path) -> None:
    write(tmp_path, "order.txt", ORDER)
    path = write(tmp_path, "c.case", 'source "order.txt"\n'
                                     'mandatory_minimum_months(120)\n'
                                     '    from "mandatory-minimum sentence of 120 months"\n'
                                     '    from "the Court lacks authority to reduce it"\n'
                                     '    from "a sentence of 121 months"\n')
    case = load_case(path)
    [fact] = case.facts
    assert [q.text for q in fact.fact.quotes] == ["mandatory-minimum sentence of 120 months",  # type: ignore[union-attr]
                                                  "the Court lacks authority to reduce it", "a sentence of 121 months"]
    [finding] = verify_quotes(case)
    assert finding.span.line == 5


def test_the_same_fact_stated_twice_keeps_both_quotes(tmp_path: Path) -> None:
    write(tmp_path, "order.txt", ORDER)
    path = write(tmp_path, "c.case", 'source "order.txt"\n'
                                     'drug_offense from "pleaded guilty to a drug offense"\n'
                                     'minimum(120) from "120 months"\n'
                                     'drug_offense from "a drug offense in 2011"\n')
    case = load_case(path)
    assert [f.predicate for f in case.facts] == ["drug_offense", "minimum"]
    assert [q.text for q in case.facts[0].fact.quotes] == [  # type: ignore[union-attr]
        "pleaded guilty to a drug offense", "a drug offense in 2011"]
    assert verify_quotes(case) == []


def test_an_explanation_shows_every_quote(tmp_path: Path) -> None:
    write(tmp_path, "order.txt", ORDER)
    write(tmp_path, "r.rules", "input drug_offense\ndeny if drug_offense\n")
    case = load_case(write(tmp_path, "c.case", 'source "order.txt"\n'
                                               'drug_offense from "pleaded guilty" from "a drug offense in 2011"\n'))
    result = lexkb.load(tmp_path / "r.rules").run(case)
    [fact] = [n for n in result.explain("deny").nodes.values() if n.kind == "case_fact"]
    assert fact.detail["quotes"] == ["pleaded guilty", "a drug offense in 2011"]
    assert fact.detail["quote"] == "pleaded guilty"
