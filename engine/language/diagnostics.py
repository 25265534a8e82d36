"""Syntax errors in plain words: what the parser expected, where, and the likely fix.

Lark reports the tokens it expected; a reader needs "expected a condition
after 'and'". Each message is learned from labelled broken examples
(:data:`SYNTAX_EXAMPLES`), matched by where the parser stood when it failed;
misspelled keywords and stray characters get their own messages.
"""

from __future__ import annotations

import calendar
import difflib
import re
from collections.abc import Iterator
from functools import lru_cache

from lark import Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from lexkb.errors import Span, SyntaxProblem
from lexkb.language.build import token_span
from lexkb.language.parser import KEYWORDS, parser


def impossible_date(year: int, month: int, day: int) -> str:
    """Why year-month-day is not a date, in words."""
    if year == 0:
        return "there is no year 0"
    if not 1 <= month <= 12:
        return f"there is no month {month}"
    days = calendar.monthrange(year, month)[1]
    return f"{calendar.month_name[month]} {year} has {days} days" if day else "there is no day 0"


# Labelled broken inputs. A user's error gets the label of the example that
# failed the same way: the same set of expected tokens and, where they tell
# examples apart, the same two tokens before and the same token found (see
# _keys). Unlike Lark's match_examples, which also compares the depth of the
# parse stack, this does not depend on what came earlier in the file, so a
# label holds anywhere. A label starting with "expected" gets ", found …"
# appended; {previous} is replaced by the word before the error.
# tests/language/test_diagnostics.py checks that every example gets its own label, in
# several surrounding contexts.
SYNTAX_EXAMPLES: dict[str, list[str]] = {
    "expected a condition after 'not'": ["a if b and not", "a if b and not because X", "a if b and not and c",
                                         "a if b or not", "a if (not", "a if b unless not", "a if not not"],
    "expected a condition after 'if not'": [
        "deny if not because Baylor", "deny if not", "a if not and b", "a if not or b", "a if not )",
    ],
    "expected a condition after 'if'": ["deny if because Baylor", "deny if", "a if and b", "a if or b", "a if )"],
    "expected a condition after 'and'": ["a if b and", "a if b and because X", "a if b and and c", "a if b and or c",
                                         "a if b and )"],
    "expected a condition after 'or'": ["a if b or", "a if b or because X", "a if b or and c", "a if b or )"],
    "expected a condition after 'unless'": ["a if b unless", "a if b unless because X", "a if b unless and c"],
    "'unless' takes one condition: put several in parentheses, e.g. unless (a and b)": [
        "a if b unless c and d", "a if b unless c or d", "a if b unless c(1) and d", "a if b unless not c and d",
    ],
    "expected a condition after '('": ["a if (", "a if ()", "a if (and b)", "a if b and (", "a if b and ( because X"],
    "expected the name of a declared authority after 'because'": [
        'a if b because', 'a if b because "X"', "a if b because ,", "a if b because 5",
    ],
    "expected another name after ','": ["a if b because X,", 'a if b because X, "Y"', "a if b because X,,",
                                        "a if b because X, Y,", "outcomes a,", "outcomes a, 5", "outcomes a, b,"],
    "expected a name for the rule after 'rule', e.g. rule amended_level:": [
        "rule : a if b", "rule", 'rule "x": a if b', "rule 5: a",
    ],
    "expected ':' after the rule's name": ["rule r a if b", "rule r", "rule r a(1) if b"],
    "expected the rule's conclusion after its name, e.g. deny or applicable_range(?lo, ?hi)": [
        "rule r: if b", "rule r:", "rule r: ?x if b", 'rule r: "a" if b', "rule r: 5 if b",
    ],
    "expected 'if' and the rule's conditions after its conclusion": [
        "rule r: a", "rule r: a because X", "rule r: a b", "rule r: a(1)", "rule r: a(?x) b",
    ],
    "expected the citation in double quotes after the authority's name": [
        "authority X", "authority X Y", "authority X says \"y\"", "authority X 5",
    ],
    "expected the authority's name after 'authority', e.g. authority Baylor \"citation\"": [
        "authority", "authority \"x\"", "authority 5",
    ],
    "expected the sentence the authority stands for, in double quotes, after 'says'": [
        'authority X "c" says', 'authority X "c" says y',
    ],
    "expected the quoted words of the decision, in double quotes, after 'from'": [
        "a from", "a from b", "a(1) from b", "a from 5",
    ],
    "each quote takes its own 'from', e.g. a(1) from \"the first words\" from \"the second\"": [
        'a from "x" "y"', 'a(1) from "x" "y"', 'a(1) from "x" from "y" "z"',
    ],
    "expected a value or a variable inside the parentheses": ["a(", "a(,", "a(1,", "a(1,)", "a(1, ,", "a if b(",
                                                              "a if b(1,"],
    "expected ',' between the values, or ')' to close the parentheses": [
        "a(1 2", "a(1 b", "a(1", "a if b(?x ?y)", "a(?x if b", 'a("x" "y")', "a(1 if",
    ],
    "a parenthesis is not closed: expected ')'": ["a if (b and c", "a if (b", "a if (b or c because X",
                                                  "a if (b or c unless d"],
    "expected a value or a variable after '{previous}'": [
        "a if ?x >", "a if ?x > and b", "a if ?x = because X", "a if ?x <", "a if ?x >=", "a if ?x !=",
        "a if ?x = ?y +", "a if ?x = ?y -", "a if ?x = ?y *", "a if ?x = ?y + and b", "a if ?x = (",
    ],
    "a value on its own is not a condition: compare it with something, e.g. ?x > 3": [
        "a if ?x", "a if ?x and b", "a if 5", "a if ?x + 1", "a if b and ?x", "a if \"x\"", "a if 2012-01-01",
    ],
    "expected a path in double quotes after 'include', e.g. include \"ussg/table.rules\"": [
        "include", "include x", "include 5",
    ],
    "expected a path in double quotes after 'source', e.g. source \"../sources/order.txt\"": [
        "source", "source x", "source 5",
    ],
    "expected a predicate name after 'input', e.g. input offense_level(int)": [
        "input", "input 5", 'input "x"',
    ],
    "expected an argument type (int, date, symbol or string)": ["input a(", "input a(,", "input a(int,",
                                                                "input a(5)", "input a()"],
    "expected ',' between the argument types, or ')' to close them": ["input a(int 5", "input a(int date)",
                                                                       "input a(int"],
    "expected the names of the outcomes after 'outcomes', separated by commas": [
        "outcomes", "outcomes 5", 'outcomes "a"',
    ],
    "an outcome is a name without values in parentheses, e.g. outcomes deny, grant; "
    "a rule concludes it, e.g. deny if p(?x)": ["outcomes p(?x)", "outcomes a, p(1)", "outcomes p()", "outcomes a, b("],
    "expected the case's name after 'case', e.g. case alcaraz \"citation\"": ["case", "case 5", 'case "x"'],
    "expected an atom after 'expect', e.g. expect deny": ["expect", "expect 5"],
    "expected an atom after 'expect not', e.g. expect not grant": ["expect not", "expect not 5"],
    "expected min(a, b) or max(a, b) with two values": [
        "a if ?x = min", "a if ?x = min(", "a if ?x = min(1", "a if ?x = min(1,", "a if ?x = min(1, 2",
        "a if ?x = min(1, 2, 3)",
    ],
    "a variable such as ?x can only appear in a rule, not in a fact or on its own": ["?x", "?x(1)", "x ?y"],
    "write a rule as 'conclusion if conditions', e.g. deny if not lowers_range": ["deny :- x", "deny : x"],
    "a comparison can only appear among a rule's conditions, after 'if'": ["x = 5", "x < y", "x != 1"],
    "this ')' closes no parenthesis": ["a if b )", "a if (b) )", "a(1))", "x )", "a if b(1) )", "a if ?x > 1 )"],
    "expected 'and', 'or', 'unless' or 'because' after a condition, or a new statement": [
        "a if b 5", "a if b(1) 5", "a if b \"x\"", "a if b ?x", "a if b ,", "a if b(1) ?x", "a if ?x > 1 ?y",
        "a if b(1) \"x\"", "a if ?x > 1 5",
    ],
    "expected a statement: a rule, a fact, or a declaration such as authority, input or include": [
        "5", '"x"', ",", "x ,", "x 5", "x \"y\"", "x(1) 2",
    ],
}

_TOKEN_WORDS = {
    "NAME": "a name",
    "VARIABLE": "a variable such as ?x",
    "INT": "a number",
    "DATE": "a date",
    "STRING": "text in double quotes",
    "COMPARE": "a comparison (=, !=, <, <=, >, >=)",
    "PLUS": "'+'",
    "MINUS": "'-'",
    "MUL_OP": "'*'",
    "NOT": "'not'",
    "LPAR": "'('",
    "RPAR": "')'",
    "COMMA": "','",
    "COLON": "':'",
    "$END": "the end of the file",
}

# Keywords a misspelling most likely stands for (see _misspelled_keyword).
_REPAIRABLE = ("if", "and", "or", "not", "unless", "because", "from", "says")


def _word(terminal: str) -> str:
    if terminal in _TOKEN_WORDS:
        return _TOKEN_WORDS[terminal]
    lowered = terminal.lower()
    if lowered in KEYWORDS:
        return f"'{lowered}'"
    return "another symbol"  # never show Lark's own terminal names


# The open constructs a statement can be inside of (on the parser's stack).
_ANCHORS = frozenset({"RULE", "IF", "UNLESS", "BECAUSE", "AUTHORITY", "SAYS", "INCLUDE", "INPUT", "OUTCOMES",
                      "CASE", "SOURCE", "EXPECT", "FROM", "function"})


def _keys(error: UnexpectedToken, text: str) -> list[tuple[object, ...]]:
    """Lookup keys for a syntax error, finest first.

    What the parser expected says what kind of thing is missing; the
    innermost open construct on the parser's stack (inside `input`, after
    `if`, inside `min(…)`…) and the two tokens before the error say where;
    the token found refines both. None of this depends on what came earlier
    in the file.
    """
    expected = frozenset(error.expected) - {"$END"}
    end = len(text) if error.token.type == "$END" else (error.token.start_pos or 0)
    last2 = tuple(t.type for t in parser().lex(text[_two_tokens_back(error.state.value_stack):end]))[-2:]
    found = error.token.type
    anchors = [symbol for symbol in (_symbol(v) for v in error.state.value_stack) if symbol in _ANCHORS]
    anchor = anchors[-1] if anchors else None
    keys: list[tuple[object, ...]] = []
    for where in ((anchor,), ()):
        for before in (last2, last2[-1:]):
            keys += [(expected, *where, before, found), (expected, *where, before)]
        keys += [(expected, *where, found), (expected, *where)]
    return keys


def _two_tokens_back(stack: list[object]) -> int:
    """Where the second-last token on the parse stack starts: lexing from there finds the two
    tokens before the error without lexing the whole file again (a 6 MB line took seconds)."""
    tokens = _tokens_backwards(stack)
    last = next(tokens, None)
    before = next(tokens, last)
    return before.start_pos or 0 if before is not None else 0


def _tokens_backwards(stack: list[object]) -> Iterator[Token]:
    """The tokens on the parse stack, last first, opening only the trees it reaches."""
    pending: list[Iterator[object]] = [reversed(stack)]
    while pending:
        for item in pending[-1]:
            if isinstance(item, Tree):
                pending.append(reversed(item.children))
                break
            if isinstance(item, Token):
                yield item
        else:
            pending.pop()


def _symbol(item: object) -> str:
    """The grammar symbol on the parse stack: a token type or a rule name."""
    return str(getattr(item, "type", None) or getattr(item, "data", ""))


@lru_cache(maxsize=1)
def _labels() -> dict[tuple[object, ...], str]:
    """Each key of each example's error → the example's label (the first label wins)."""
    table: dict[tuple[object, ...], str] = {}
    for label, examples in SYNTAX_EXAMPLES.items():
        for example in examples:
            try:
                parser().parse(example)
            except UnexpectedToken as error:
                for key in _keys(error, example):
                    table.setdefault(key, label)
            except UnexpectedInput:
                pass
    return table


def _label(error: UnexpectedToken, text: str) -> str | None:
    table = _labels()
    for key in _keys(error, text):
        if key in table:
            return table[key]
    return None


def _is_keyword(token: Token) -> bool:
    return token.type != "NAME" and str(token) in KEYWORDS


# Keywords that read like nouns, and so get used as names by mistake
# (`input source(string)`); the connectives (if, and, not…) rarely are.
_NOUN_KEYWORDS = frozenset(KEYWORDS) - {"if", "and", "or", "not", "unless", "because"}


def syntax_problem(error: UnexpectedInput, text: str, file: str) -> SyntaxProblem:
    """The error to report for text Lark could not read: located, in plain words, with a hint where one helps."""
    if isinstance(error, UnexpectedCharacters):
        return _bad_character(error, text, file)
    if not isinstance(error, UnexpectedToken):  # UnexpectedEOF: not raised by the LALR parser, but be safe
        line = max(1, text.count("\n") + 1)
        return SyntaxProblem("the file ends in the middle of a statement", Span.point(file, line))
    token = error.token
    at_end = token.type == "$END"
    stack = error.state.value_stack
    previous = stack[-1] if stack and isinstance(stack[-1], Token) else None
    if at_end:
        # Lark places the end at the last token; point just after it instead.
        line, column = token.end_line or 1, token.end_column or 1
    else:
        line, column = token.line or 1, token.column or 1
    span = Span(file, line, column, line, column + (1 if at_end else max(1, len(str(token)))))
    found = _describe_token(token)

    digit_led = _digit_led_name(text, token, file)
    if digit_led is not None:
        return digit_led
    repaired = _misspelled_keyword(text, error, file)
    if repaired is not None:
        return repaired
    if not at_end and str(token) == "from" and text[token.end_pos or 0:].lstrip().startswith('"'):
        anchors = {_symbol(v) for v in stack}
        quoted = "an expectation" if "EXPECT" in anchors else "a rule" if "IF" in anchors else "this"
        return SyntaxProblem(f"'from' quotes the decision for a fact of a case; {quoted} takes no quote", span,
                             hint='write the quote after the fact it establishes, e.g. '
                                  'offense_level(31) from "a total offense level of 31"')
    if not at_end and _is_keyword(token) and str(token) in _NOUN_KEYWORDS and "NAME" in error.expected:
        return SyntaxProblem(f"'{token}' is a reserved word and cannot be used as a name", span,
                             hint=_reserved_hint(str(token)))
    if token.type == "LPAR" and previous is not None and _is_keyword(previous) and str(previous) in _NOUN_KEYWORDS:
        where = token_span(file, previous)
        return SyntaxProblem(f"'{previous}' is a reserved word and cannot be used as a name", where,
                             hint=_reserved_hint(str(previous)))
    label = _label(error, text)
    if label is not None:
        message = label.replace("{previous}", str(previous) if previous is not None else "this")
        if message.startswith("expected"):
            message += f", found {found}"
        return SyntaxProblem(message, span)
    expected = sorted({_word(t) for t in error.expected})
    message = "the file ends in the middle of a statement" if at_end else f"unexpected {found}"
    if expected and len(expected) <= 6:
        message += "; expected " + _or_list(expected)
    return SyntaxProblem(message, span)


def _digit_led_name(text: str, token: Token, file: str) -> SyntaxProblem | None:
    """``841b1A`` read as the number 841 then the name b1A: say that a name starts with a letter."""
    if token.type not in ("NAME", "INT") or token.start_pos is None:
        return None
    start = end = token.start_pos
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_"):
        start -= 1
    while end < len(text) and (text[end].isalnum() or text[end] == "_"):
        end += 1
    word = text[start:end]
    if not word[:1].isdigit() or word.isdigit() or (start > 0 and text[start - 1] == "-"):
        return None
    digits = re.match(r"\d+", word).group(0)  # type: ignore[union-attr]
    rest = word[len(digits):]
    moved = rest[0] + digits + ("_" + rest[1:] if len(rest) > 1 else "")
    line = text.count("\n", 0, start) + 1
    column = start - (text.rfind("\n", 0, start) + 1) + 1
    return SyntaxProblem(f"'{word}' is not a name: a name starts with a letter or _, not a digit",
                         Span(file, line, column, line, column + len(word)),
                         hint=f"e.g. {moved}; or, as text in double quotes, \"{word}\"")


def _reserved_hint(word: str) -> str:
    return f"choose another name, e.g. {word}_{'name' if word in ('case', 'source', 'rule') else 'x'}; " \
           "the reserved words are " + ", ".join(KEYWORDS)


_CHARACTER_HINTS = {
    ".": "statements need no full stop: a statement ends where the next one begins",
    ";": "statements need no ';': a statement ends where the next one begins",
    "&": "write 'and' to join conditions",
    "|": "write 'or' between alternatives",
    "!": "write 'not' before a condition; '!=' means 'is not equal to'",
    "'": "text goes in double quotes, e.g. \"drug offense\"",
    "?": "a variable is written ? followed by a name, e.g. ?level",
    "/": "there is no division; arithmetic has +, -, *, min and max",
}


def _bad_character(error: UnexpectedCharacters, text: str, file: str) -> SyntaxProblem:
    line, column = error.line or 1, error.column or 1
    span = Span(file, line, column, line, column + 1)
    at = error.pos_in_stream or 0
    char = text[at] if at < len(text) else ""
    if char == '"':
        end = text.find("\n", at)
        width = (end if end >= 0 else len(text)) - at
        return SyntaxProblem("this text in double quotes is not closed on its line",
                             Span(file, line, column, line, column + width),
                             hint="end it with \" on the same line; write \\\" for a double quote inside the text")
    if char == "?":
        return SyntaxProblem("a variable is written ? followed by a name, e.g. ?level", span)
    if re.match(r"\d{4}-\d", text[at:at + 6]) or char.isdigit():
        return SyntaxProblem(f"'{_word_at(text, at)}' is neither a number nor a date", span,
                             hint="dates are written YYYY-MM-DD, e.g. 2012-10-24")
    if char == "." and (text[at + 1:at + 2].isdigit() or text[at - 1:at].isdigit()):
        return SyntaxProblem("a decimal is written with digits on both sides of the point", span,
                             hint="e.g. 0.5 or 3.0")
    shown = repr(char)[1:-1] if not char.isprintable() or char.isspace() else char
    return SyntaxProblem(f"the character '{shown}' has no meaning here", span,
                         hint=_CHARACTER_HINTS.get(char, "names use letters, digits and _; text goes in double quotes"))


def _word_at(text: str, position: int) -> str:
    start = position
    while start > 0 and not text[start - 1].isspace() and text[start - 1] not in "(,":
        start -= 1
    match = re.match(r"[^\s(),]+", text[start:])
    return match.group(0) if match else text[position]


def _misspelled_keyword(text: str, error: UnexpectedToken, file: str) -> SyntaxProblem | None:
    """A word just before the error that, written as a keyword, lets the text be read further.

    `deny iff not lowers_range` fails at `not`; `iff` is close to `if`, and
    with `if` in its place the statement parses, so the message points at
    `iff` rather than at `not`.
    """
    if error.token.type == "$END":
        end = len(text)
    else:
        end = error.token.start_pos or 0
    start = text.rfind("\n", 0, max(0, end - 1)) + 1 if end else 0
    start = max(0, min(start, end - 200))
    words = [m for m in re.finditer(r"[A-Za-z_][A-Za-z0-9_]*", text[start:end + 40])
             if not text[start + m.end():start + m.end() + 80].lstrip().startswith("(")]
    for match in reversed(words[-6:]):
        word = match.group(0)
        if word in KEYWORDS:
            continue
        close = difflib.get_close_matches(word.lower(), _REPAIRABLE, n=1, cutoff=0.6)
        if not close:
            continue
        keyword = close[0]
        begin = start + match.start()
        fixed = text[:begin] + keyword + text[begin + len(word):]
        if _reads_further(fixed, end + len(keyword) - len(word)):
            line = text.count("\n", 0, begin) + 1
            column = begin - (text.rfind("\n", 0, begin) + 1) + 1
            return SyntaxProblem(
                f"'{word}' is not a keyword; did you mean '{keyword}'?",
                Span(file, line, column, line, column + len(word)),
                hint=f"as written, the text cannot be read at {_describe_token(error.token)} "
                     f"(line {error.token.line if error.token.type != '$END' else line})")
    return None


def _reads_further(text: str, failed_at: int) -> bool:
    try:
        parser().parse(text)
    except UnexpectedInput as error:
        return error.pos_in_stream is not None and error.pos_in_stream > failed_at
    return True


def _describe_token(token: object) -> str:
    if not isinstance(token, Token) or token.type == "$END":
        return "the end of the file"
    if token.type == "STRING":
        return "text in double quotes"
    return f"'{token}'"


def _or_list(words: list[str]) -> str:
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " or " + words[-1]
