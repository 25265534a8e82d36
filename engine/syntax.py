"""Text → AST: the Lark parser, the tree transformer, syntax errors in plain words."""

from __future__ import annotations

import datetime
import re
from functools import lru_cache
from importlib import resources
from typing import Any

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from . import ast
from .errors import Span, SyntaxProblem, did_you_mean
from .values import Text

KEYWORDS = (
    "rule if and or not unless because authority says include input outcomes "
    "case source expect from min max"
).split()


@lru_cache(maxsize=1)
def parser() -> Lark:
    """The LALR parser, built once per process (Lark caches its tables on disk)."""
    grammar = resources.files("lexkb.grammar").joinpath("lexkb.lark").read_text(encoding="utf-8")
    return Lark(grammar, parser="lalr", lexer="basic", propagate_positions=True, maybe_placeholders=False,
                cache=True)


def parse(text: str, file: str) -> ast.Module:
    """Parse one file's text into a Module; raise SyntaxProblem on bad input."""
    try:
        tree = parser().parse(text)
    except UnexpectedInput as error:
        raise _syntax_problem(error, text, file) from None
    return ast.Module(file, tuple(_ToAst(file).transform(tree)))


def parse_atom(text: str, file: str = "<atom>") -> ast.Atom:
    """Parse a single atom such as ``reduction_floor_months(108)`` (for the CLI and API)."""
    module = parse(text, file)
    if len(module.statements) != 1 or not isinstance(module.statements[0], ast.Fact) or module.statements[0].quote:
        raise SyntaxProblem(
            f"'{text}' is not an atom: write a name, optionally followed by values in parentheses",
            Span.point(file),
        )
    return module.statements[0].atom


# ---------------------------------------------------------------- tree → AST


def _span(file: str, meta: object) -> Span:
    return Span(file, meta.line, meta.column, meta.end_line, meta.end_column)  # type: ignore[attr-defined]


def _token_span(file: str, token: Token) -> Span:
    return Span(file, token.line or 1, token.column or 1, token.end_line or 1, token.end_column or 1)


_ESCAPE = re.compile(r"\\(.)")


def _unquote(token: Token) -> str:
    return _ESCAPE.sub(lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), token[1:-1])


class _ToAst:
    """Bottom-up rewrite of Lark's tree: one method per grammar rule, called with (meta, children)."""

    def __init__(self, file: str) -> None:
        self.file = file
        self._methods: dict[str, Any] = {}

    def transform(self, tree: Tree) -> Any:
        children = [self.transform(c) if isinstance(c, Tree) else c for c in tree.children]
        method = self._methods.get(tree.data)
        if method is None:
            method = self._methods[tree.data] = getattr(self, tree.data)
        return method(tree.meta, children)

    def _s(self, meta: object) -> Span:
        return _span(self.file, meta)

    def start(self, meta: object, children: list[ast.Statement]) -> list[ast.Statement]:
        return children

    # terms
    def variable(self, meta: object, children: list[Token]) -> ast.Variable:
        return ast.Variable(children[0][1:], _token_span(self.file, children[0]))

    def integer(self, meta: object, children: list[Token]) -> ast.Constant:
        return ast.Constant(int(children[0]), _token_span(self.file, children[0]))

    def negative_integer(self, meta: object, children: list[Token]) -> ast.Constant:
        return ast.Constant(-int(children[1]), self._s(meta))

    def string(self, meta: object, children: list[Token]) -> ast.Constant:
        return ast.Constant(Text(_unquote(children[0])), _token_span(self.file, children[0]))

    def symbol(self, meta: object, children: list[Token]) -> ast.Constant:
        return ast.Constant(str(children[0]), _token_span(self.file, children[0]))

    def date(self, meta: object, children: list[Token]) -> ast.Constant:
        token = children[0]
        year, month, day = (int(p) for p in token.split("-"))
        try:
            value = datetime.date(year, month, day)
        except ValueError as error:
            raise SyntaxProblem(
                f"{token} is not a real date ({error})", _token_span(self.file, token),
                hint="dates are written YYYY-MM-DD, e.g. 2012-10-24",
            ) from None
        return ast.Constant(value, _token_span(self.file, token))

    def arith(self, meta: object, children: list[object]) -> ast.Arithmetic:
        left, op, right = children
        return ast.Arithmetic(str(op), left, right, self._s(meta))  # type: ignore[arg-type]

    def function(self, meta: object, children: list[Token]) -> str:
        return str(children[0])

    def call(self, meta: object, children: list[object]) -> ast.Call:
        function, left, right = children
        return ast.Call(str(function), (left, right), self._s(meta))  # type: ignore[arg-type]

    def atom(self, meta: object, children: list[object]) -> ast.Atom:
        name, *args = children
        return ast.Atom(str(name), tuple(args), self._s(meta))  # type: ignore[arg-type]

    # conditions
    def comparison(self, meta: object, children: list[object]) -> ast.Comparison:
        left, op, right = children
        return ast.Comparison(str(op), left, right, self._s(meta))  # type: ignore[arg-type]

    def negation(self, meta: object, children: list[object]) -> ast.Negation:
        return ast.Negation(children[1], self._s(meta))  # type: ignore[arg-type]

    def conjunction(self, meta: object, children: list[object]) -> ast.Conjunction:
        return ast.Conjunction(tuple(children), self._s(meta))  # type: ignore[arg-type]

    def disjunction(self, meta: object, children: list[object]) -> ast.Disjunction:
        return ast.Disjunction(tuple(children), self._s(meta))  # type: ignore[arg-type]

    # statements
    def authority(self, meta: object, children: list[Token]) -> ast.Authority:
        name, citation, *says = children
        return ast.Authority(str(name), _unquote(citation), _unquote(says[0]) if says else None, self._s(meta))

    def rule_name(self, meta: object, children: list[Token]) -> str:
        return str(children[0])

    def unless(self, meta: object, children: list[object]) -> tuple[str, object]:
        return ("unless", children[0])

    def because(self, meta: object, children: list[Token]) -> tuple[str, tuple[ast.Name, ...]]:
        return ("because", tuple(ast.Name(str(t), _token_span(self.file, t)) for t in children))

    def rule(self, meta: object, children: list[object]) -> ast.Rule:
        name = children[0] if isinstance(children[0], str) else None
        rest = children[1:] if name is not None else children
        head, condition, *clauses = rest
        exceptions = tuple(c[1] for c in clauses if c[0] == "unless")  # type: ignore[index]
        authorities: tuple[ast.Name, ...] = ()
        for clause in clauses:
            if clause[0] == "because":  # type: ignore[index]
                authorities = clause[1]  # type: ignore[index]
        return ast.Rule(name, head, condition, exceptions, authorities, self._s(meta))  # type: ignore[arg-type]

    def fact(self, meta: object, children: list[object]) -> ast.Fact:
        atom = children[0]
        quote = None
        if len(children) > 1:
            token = children[1]
            quote = ast.Quote(_unquote(token), _token_span(self.file, token))  # type: ignore[arg-type]
        return ast.Fact(atom, quote, self._s(meta))  # type: ignore[arg-type]

    def include(self, meta: object, children: list[Token]) -> ast.Include:
        return ast.Include(_unquote(children[0]), self._s(meta))

    def type_name(self, meta: object, children: list[Token]) -> ast.Name:
        return ast.Name(str(children[0]), _token_span(self.file, children[0]))

    def input_decl(self, meta: object, children: list[object]) -> ast.InputDecl:
        name, *types = children
        return ast.InputDecl(str(name), tuple(types), self._s(meta))  # type: ignore[arg-type]

    def outcomes(self, meta: object, children: list[Token]) -> ast.Outcomes:
        return ast.Outcomes(tuple(ast.Name(str(t), _token_span(self.file, t)) for t in children), self._s(meta))

    def case_decl(self, meta: object, children: list[Token]) -> ast.CaseDecl:
        return ast.CaseDecl(str(children[0]), _unquote(children[1]) if len(children) > 1 else None, self._s(meta))

    def source_decl(self, meta: object, children: list[Token]) -> ast.SourceDecl:
        return ast.SourceDecl(_unquote(children[0]), self._s(meta))

    def expect(self, meta: object, children: list[object]) -> ast.Expect:
        negated = len(children) == 2
        return ast.Expect(children[-1], negated, self._s(meta))  # type: ignore[arg-type]


# ---------------------------------------------------------------- syntax errors

# Labelled broken inputs: Lark's match_examples finds the one whose parser
# state matches the user's error, and its label becomes the message.
SYNTAX_EXAMPLES: dict[str, list[str]] = {
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
    "expected a condition after 'not'": ["a if b and not", "a if b and not because X", "a if b and not and c",
                                          "a if b or not", "a if (not"],
    "expected the name of a declared authority after 'because'": [
        'a if b because', 'a if b because "X"', "a if b because ,", "a if b because X,", 'a if b because X, "Y"',
        "a if b because 5",
    ],
    "expected the rule's name after 'rule', then ':'": ["rule : a if b", "rule", 'rule "x": a if b', "rule 5: a"],
    "expected ':' after the rule's name": ["rule r a if b", "rule r", "rule r a(1) if b"],
    "expected a conclusion (an atom such as deny or applicable_range(?lo, ?hi)) after the rule's name": [
        "rule r: if b", "rule r:", "rule r: ?x if b", 'rule r: "a" if b',
    ],
    "expected 'if' and the conditions of the rule": ["rule r: a", "rule r: a because X", "rule r: a b"],
    "expected the citation in double quotes after the authority's name": [
        "authority X", "authority X Y", "authority X says \"y\"", "authority", "authority X 5",
    ],
    "expected the sentence the authority stands for, in double quotes, after 'says'": [
        'authority X "c" says', 'authority X "c" says y',
    ],
    "expected the quoted words of the decision, in double quotes, after 'from'": [
        "a from", "a from b", "a(1) from b", "a from 5",
    ],
    "expected a value, a variable or ')' inside the parentheses": ["a(", "a(,", "a(1,", "a(1,)", "a(1 2", "a(1, ,"],
    "a parenthesis is not closed: expected ')'": ["a if (b and c", "a if (b", "a if (b or c because X"],
    "expected a value or variable after the comparison": [
        "a if ?x >", "a if ?x > and b", "a if ?x = because X", "a if ?x <", "a if ?x >=", "a if ?x !=",
    ],
    "expected a value or variable after the arithmetic operator": ["a if ?x = ?y +", "a if ?x = ?y -",
                                                                   "a if ?x = ?y *", "a if ?x = ?y + and b"],
    "a comparison needs a value on each side, e.g. ?x > 3": ["a if ?x", "a if ?x and b", "a if 5", "a if ?x + 1"],
    "expected a path in double quotes after 'include'": ["include", "include x", "include 5"],
    "expected a path in double quotes after 'source'": ["source", "source x", "source 5"],
    "expected a predicate name after 'input', with its argument types in parentheses": [
        "input", "input 5", 'input "x"', "input (int)",
    ],
    "expected an argument type (int, date, symbol or string)": ["input a(", "input a(,", "input a(int,",
                                                                "input a(5)", "input a(int 5"],
    "expected the names of the outcomes after 'outcomes', separated by commas": [
        "outcomes", "outcomes 5", "outcomes a,", "outcomes a, 5",
    ],
    "expected the case's name after 'case'": ["case", "case 5", 'case "x"'],
    "expected an atom after 'expect' or 'expect not'": ["expect", "expect not", "expect 5", "expect not 5"],
    "expected min(a, b) or max(a, b) with two values": ["a if ?x = min", "a if ?x = min(", "a if ?x = min(1",
                                                         "a if ?x = min(1,", "a if ?x = min(1, 2"],
    "a variable can only appear inside a rule": ["?x", "?x(1)"],
}

_TOKEN_WORDS = {
    "NAME": "a name",
    "VARIABLE": "a variable such as ?x",
    "INT": "a number",
    "DATE": "a date",
    "STRING": "text in double quotes",
    "COMPARE": "a comparison (=, !=, <, <=, >, >=)",
    "PLUS": "'+'",
    "MUL_OP": "'*'",
    "MIN": "min",
    "MAX": "max",
    "NOT": "'not'",
    "LPAR": "'('",
    "RPAR": "')'",
    "COMMA": "','",
    "COLON": "':'",
    "MINUS": "'-'",
    "$END": "the end of the file",
}


def _word(terminal: str) -> str:
    if terminal in _TOKEN_WORDS:
        return _TOKEN_WORDS[terminal]
    lowered = terminal.lower()
    if lowered in KEYWORDS:
        return f"'{lowered}'"
    return terminal.lower()


def _syntax_problem(error: UnexpectedInput, text: str, file: str) -> SyntaxProblem:
    line = error.line if isinstance(error.line, int) and error.line > 0 else max(1, text.count("\n") + 1)
    column = error.column if isinstance(error.column, int) and error.column > 0 else 1
    span = Span(file, line, column, line, column + 1)
    hint = None
    if isinstance(error, UnexpectedCharacters):
        char = text[error.pos_in_stream] if error.pos_in_stream < len(text) else ""
        if char == '"':
            return SyntaxProblem("this text in double quotes is not closed on the same line", span,
                                 hint="end it with '\"' before the line ends; write \\\" for a quote inside")
        if char == "?":
            return SyntaxProblem("a variable is written ? followed by a name, e.g. ?level", span)
        return SyntaxProblem(f"unexpected character '{char}'", span,
                             hint="names use letters, digits and _; text goes in double quotes")
    label = None
    try:
        label = error.match_examples(parser().parse, SYNTAX_EXAMPLES, use_accepts=True)
    except Exception:  # noqa: BLE001 — a failed match only costs us the nicer message
        label = None
    token = getattr(error, "token", None)
    found = _describe_token(token)
    if isinstance(token, Token) and token.type == "NAME":
        expected = {t.lower() for t in getattr(error, "expected", set()) if t.lower() in KEYWORDS}
        hint = did_you_mean(str(token), expected) if expected else None
        if hint is None and str(token) in KEYWORDS:
            hint = f"'{token}' is a reserved word and cannot be used as a name"
    if hint is None and isinstance(token, Token) and token.type != "$END":
        before = text[: error.pos_in_stream].split()  # type: ignore[attr-defined]
        previous = before[-1] if before else ""
        if previous.isidentifier() and previous not in KEYWORDS:
            suggestion = did_you_mean(previous, ["if", "and", "or", "not", "unless", "because", "from"])
            if suggestion:
                hint = f"'{previous}' is not a keyword; {suggestion}"
    if label:
        return SyntaxProblem(f"{label}, found {found}", span, hint=hint)
    expected = sorted({_word(t) for t in getattr(error, "expected", set())})
    if isinstance(error, UnexpectedEOF) or (isinstance(error, UnexpectedToken) and token is not None and token.type == "$END"):
        message = "the file ends in the middle of a statement"
    else:
        message = f"unexpected {found}"
    if expected:
        message += "; expected " + _or_list(expected)
    return SyntaxProblem(message, span, hint=hint)


def _describe_token(token: object) -> str:
    if not isinstance(token, Token) or token.type == "$END":
        return "the end of the file"
    if token.type == "STRING":
        return "text in double quotes"
    return f"'{token}'"


def _or_list(words: list[str]) -> str:
    if len(words) == 1:
        return words[0]
    if len(words) > 8:
        return ", ".join(words[:8]) + " or another statement"
    return ", ".join(words[:-1]) + " or " + words[-1]
