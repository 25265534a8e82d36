"""The HTML memo page without a browser: quoted once, the order beside it, one offline file."""

from __future__ import annotations

import re
import shutil

import pytest
from hypothesis import given
from hypothesis import strategies as st

import lexkb
from lexkb.language.cases import normalise
from lexkb.render.html import render_html
from lexkb.render.passages import locate, segments

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
BAYLOR_SAYS = "A district court does not have the authority to grant"


@needs_dot
def test_each_authority_is_quoted_once_and_linked_after(toy: lexkb.Result) -> None:
    page = render_html(toy.explain("deny"))
    assert page.count(BAYLOR_SAYS) == 1
    assert page.count('id="authority-Baylor"') == 1
    assert page.count('href="#authority-Baylor"') >= 3  # ground 1's and ground 3's paragraphs, the index


@needs_dot
def test_every_quote_is_marked_in_the_order_and_linked_both_ways(toy: lexkb.Result) -> None:
    derivation = toy.explain("deny")
    page = render_html(derivation)
    quoted = [f for f in derivation.case_facts() if f.detail.get("quote")]
    assert quoted and derivation.source_text
    for number in range(1, len(derivation.case_facts()) + 1):
        assert f'id="fact-{number}"' in page
    for number, fact in enumerate(derivation.case_facts(), 1):
        if fact.detail.get("quote"):
            assert f'<span class="anchor" id="src-{number}"></span><mark><a href="#fact-{number}"' in page
            assert f'href="#src-{number}"' in page


@needs_dot
def test_one_offline_file_with_folded_graphs(alcaraz: lexkb.Result) -> None:
    derivation = alcaraz.explain("deny")
    page = render_html(derivation)
    assert not re.search(r'(src|href)="(?!#)', page)  # nothing loaded or linked from elsewhere
    assert "<script" not in page and "<!DOCTYPE svg" not in page
    assert page.count("<svg") == len(derivation.grounds)
    assert page.count("<details>") == 2 * len(derivation.grounds)
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))  # the graphs' own ids are prefixed per ground


words = st.lists(st.sampled_from(["the", "court", "’s", "§", "3582(c)(2)", "“range”", "*not*", "a—b"]),
                 min_size=1, max_size=12)
spaces = st.sampled_from([" ", "  ", "\n", " \n  "])


@given(words, spaces, st.data())
def test_a_quote_is_found_where_check_finds_it(text_words: list[str], space: str, data: st.DataObject) -> None:
    text = space.join(text_words)
    start = data.draw(st.integers(0, len(text_words) - 1))
    end = data.draw(st.integers(start + 1, len(text_words)))
    quote = " ".join(text_words[start:end]).replace("’", "'").replace("“", '"')
    found = locate({1: quote}, text)
    assert 1 in found
    s, e = found[1]
    assert normalise(text[s:e]) == normalise(quote)


def test_overlapping_passages_are_cut_never_nested() -> None:
    text = "one two three four"
    pieces = segments(text, {1: (0, 7), 2: (4, 13)})
    assert pieces == [("one ", [1], [1]), ("two", [1, 2], [2]), (" three", [2], []), (" four", [], [])]
    assert "".join(p for p, _, _ in pieces) == text


def test_rule_text_on_the_page_is_highlighted_as_the_parser_reads_it(alcaraz: lexkb.Result) -> None:
    page = render_html(alcaraz.why_not("eligible"))
    conditions = re.findall(r'<code class="lexkb">(.*?)</code>', page)
    assert conditions, "a why-not page shows the conditions that held, as written"
    assert any('<span class="nv">?' in c for c in conditions)  # variables coloured as variables
    assert ".lexkb .nv" in page  # with their colours on the page (one offline file)
