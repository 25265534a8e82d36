"""The HTML page shows every quote of a fact, marks quotes with legal alterations where ``check``
finds them, and reads each authority's citation into its parts (issue 11)."""

from __future__ import annotations

import html
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import lexkb
from lexkb.language.cases import normalised_paragraphs
from lexkb.render.html import render_html
from lexkb.render.passages import folded, locate

from .conftest import FIXTURE_RULES, ROOT

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
ORDER = (ROOT / "tests/fixtures/explain/sources/toy-order.txt").read_text(encoding="utf-8")
OMITTED = "His offense carries a mandatory-minimum sentence . . . and on March 3, 2012 he was sentenced"
BRACKETED = "[t]he amendment does not have the effect of lowering his applicable guideline range"
CASE = f'''case toy "United States v. Toy, No. 00-CR-0000 (D. Nowhere 2013)"
source "{ROOT / "tests/fixtures/explain/sources/toy-order.txt"}"

offense_category(drug)          from "The defendant pleaded guilty to a drug offense."
offense_level(29)               from "His total offense level was 29" from "[h]is criminal history category was I"
criminal_history_category(I)    from "his criminal history category was I"
mandatory_minimum_months(120)   from "{OMITTED}"
sentence_months(120)            from "he was sentenced to 120 months of imprisonment" from "{BRACKETED}"
claimed_level_reduction(2)      from "an amendment that would lower his offense level by two levels"
'''


@pytest.fixture
def quoted(tmp_path: Path) -> lexkb.Result:
    case = tmp_path / "quotes.case"
    case.write_text(CASE, encoding="utf-8")
    return lexkb.load(ROOT / FIXTURE_RULES).run(case)


def test_altered_quotes_are_located_in_the_text_as_written() -> None:
    found = locate({1: OMITTED, 2: BRACKETED, 3: "words that are not there"}, ORDER)
    assert set(found) == {1, 2}
    start, end = found[1]
    assert ORDER[start:].startswith("His offense carries") and ORDER[:end].endswith("he was\nsentenced")
    start, end = found[2]
    assert ORDER[start:end].startswith("the amendment") and ORDER[:end].endswith("guideline range")


@needs_dot
def test_every_quote_of_a_fact_is_shown_and_marked(quoted: lexkb.Result) -> None:
    derivation = quoted.explain("deny")
    page = render_html(derivation)
    for number, fact in enumerate(derivation.case_facts(), 1):
        for index, quote in enumerate(fact.detail.get("quotes") or [], 1):
            anchor = f"src-{number}" if index == 1 else f"src-{number}-{index}"
            assert f"\u201c{html.escape(quote, quote=True)}\u201d</blockquote>" in page
            assert f'<span class="anchor" id="{anchor}"></span>' in page, quote
            assert f'href="#{anchor}"' in page
    assert page.count("<mark>") >= 7  # every quote, the two altered ones included


@needs_dot
def test_each_authority_shows_its_citation_read_into_parts(quoted: lexkb.Result) -> None:
    derivation = quoted.explain("deny")
    page = render_html(derivation)
    authorities = page[page.index('<section id="authorities">'):]
    baylor = authorities[authorities.index("Baylor"):]
    baylor = baylor[:baylor.index("</li>")]
    for part in ("volume", "556", "reporter", "F.3d", "page", "672", "court", "year", "2009"):
        assert part in baylor
    assert authorities.count('class="read-as"') >= len(derivation.citations())


@given(st.text(alphabet=st.sampled_from("ab \n\t\u2019\u201c\u2014\u2026*"), max_size=40))
def test_the_folded_text_is_the_paragraphs_check_searches(text: str) -> None:
    """locate maps find_quote's offsets in the joined normalised paragraphs back through folded()."""
    assert folded(text)[0] == " ".join(normalised_paragraphs(text))
