"""Syntax highlighting of rule text with Pygments, driven by the parser's own lexer.

The token kinds come from the Lark lexer of ``grammar/lexkb.lark`` (its terminal
list, keywords included), so the highlighting can never disagree with what the
parser reads: a new keyword or literal form is highlighted the day it is added to
the grammar. Pygments is the field's standard (Sphinx, MkDocs, Jupyter, GitHub's
Linguist all speak it); ``pyproject.toml`` registers this lexer as the Pygments
plugin ``lexkb``, so ```` ```lexkb ```` blocks in documentation built with those
tools are highlighted, and the HTML explanation uses :func:`highlight_html`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lark.exceptions import UnexpectedInput
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.token import Comment, Error, Keyword, Name, Number, Operator, Punctuation, String, Text, _TokenType

from lexkb.language.parser import KEYWORDS, parser

_KEYWORD_TERMINALS = frozenset(word.upper() for word in KEYWORDS)
_KIND = {
    "NAME": Name, "VARIABLE": Name.Variable, "STRING": String, "INT": Number.Integer, "DECIMAL": Number.Float,
    "DATE": Number, "COMPARE": Operator, "PLUS": Operator, "MINUS": Operator, "MUL_OP": Operator,
    "LPAR": Punctuation, "RPAR": Punctuation, "COMMA": Punctuation, "COLON": Punctuation, "VBAR": Punctuation,
}
_COMMENT = re.compile(r"#[^\n]*")


def _gap(text: str, start: int) -> Iterator[tuple[int, _TokenType, str]]:
    """What the parser ignores between two tokens: white space and comments."""
    position = 0
    for comment in _COMMENT.finditer(text):
        if comment.start() > position:
            yield start + position, Text.Whitespace, text[position:comment.start()]
        yield start + comment.start(), Comment.Single, comment.group()
        position = comment.end()
    if position < len(text):
        yield start + position, Text.Whitespace, text[position:]


class LexkbLexer(Lexer):
    """Pygments lexer for lexkb ``.rules`` and ``.case`` files."""

    name = "lexkb"
    aliases = ["lexkb"]
    filenames = ["*.rules", "*.case"]

    def get_tokens_unprocessed(self, text: str) -> Iterator[tuple[int, _TokenType, str]]:  # type: ignore[override]
        position = 0
        try:
            for token in parser().lex(text):
                start = token.start_pos or 0
                if start > position:
                    yield from _gap(text[position:start], position)
                kind = Keyword if token.type in _KEYWORD_TERMINALS else _KIND.get(token.type, Text)
                yield start, kind, str(token)
                position = token.end_pos or start + len(token)
        except UnexpectedInput:  # text being typed: what cannot be read yet is shown as it is
            yield position, Error, text[position:]
            return
        if position < len(text):
            yield from _gap(text[position:], position)


def highlight_html(text: str) -> str:
    """Rule text as HTML spans with Pygments' short class names (``k`` keyword, ``s`` string, …);
    the page supplies the colours (:func:`stylesheet`). Escaping is Pygments'."""
    return highlight(text, LexkbLexer(), HtmlFormatter(nowrap=True))


def stylesheet(selector: str = ".lexkb") -> str:
    """CSS for :func:`highlight_html`'s classes under ``selector``."""
    return str(HtmlFormatter(style="default").get_style_defs(selector))
