"""Highlighting rule text (engine/language/highlight.py): token kinds from the parser's own lexer."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from pygments.lexers import get_lexer_by_name
from pygments.token import Comment, Error, Keyword, Name, Number, String

from lexkb.language.highlight import LexkbLexer, highlight_html, stylesheet
from lexkb.language.parser import KEYWORDS


def kinds(text: str) -> list[tuple[object, str]]:
    return [(kind, value) for _, kind, value in LexkbLexer().get_tokens_unprocessed(text) if value.strip()]


def test_every_keyword_of_the_parser_is_a_keyword() -> None:
    for word in KEYWORDS:
        assert (Keyword, word) in kinds(f"x {word} y"), word


def test_literals_variables_names_and_comments() -> None:
    found = kinds('f(?x, 3, 3.5, 2012-01-05, "a # not a comment") # a comment')
    assert (Name.Variable, "?x") in found and (Number.Integer, "3") in found and (Number.Float, "3.5") in found
    assert (Number, "2012-01-05") in found and (String, '"a # not a comment"') in found
    assert (Comment.Single, "# a comment") in found and (Name, "f") in found


def test_text_the_lexer_cannot_read_is_shown_as_it_is() -> None:
    kind, value = kinds("deny if $$ x")[-1]
    assert kind is Error and value.strip() == "$$ x"


@given(st.text(alphabet='abc ?_(),."#-<>=\n\t0123456789ifnotandrule$', max_size=60))
def test_highlighting_keeps_every_character(text: str) -> None:
    assert "".join(value for _, _, value in LexkbLexer().get_tokens_unprocessed(text)) == text


def test_html_is_escaped_and_styled() -> None:
    html = highlight_html('x(1) from "<script>"')
    assert "<script>" not in html and "&lt;script&gt;" in html and '<span class="k">from</span>' in html
    assert ".lexkb .k" in stylesheet()


def test_registered_with_pygments_as_a_plugin() -> None:
    """`pip install lexkb` makes ```lexkb blocks highlight in Sphinx, MkDocs and Jupyter."""
    assert isinstance(get_lexer_by_name("lexkb"), LexkbLexer)
