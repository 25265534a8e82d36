"""Lark's grammar rules → AST nodes: the builder Lark calls as it reduces each rule (``transformer=``).

Each callback reads its literals (integers and decimals within the digit limit,
strings' escapes, dates), gives the node its span and measures how deep the
statement nests. Which parser calls it, and what to do when the parse fails,
is :mod:`lexkb.language.parser`'s job.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from lark import Token

from lexkb.errors import Span, SyntaxProblem
from lexkb.language import ast
from lexkb.limits import MAX_INTEGER_DIGITS, MAX_NESTING
from lexkb.values import Text


def token_span(file: str, token: Token) -> Span:
    """Where a token is, as a span."""
    return Span(file, token.line or 1, token.column or 1, token.end_line or 1, token.end_column or 1)


def too_deep(span: Span) -> SyntaxProblem:
    """The error for a statement nested deeper than :data:`MAX_NESTING`, shown at ``span``
    (the builder and the parser's error path find it the same)."""
    return SyntaxProblem(f"this is nested more than {MAX_NESTING} levels deep (not, parentheses or "
                         "arithmetic within each other)", span,
                         hint="split it into rules of their own, or raise the limit with "
                              "LEXKB_MAX_NESTING (docs/cli.md, Limits)")


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ESCAPE = re.compile(r"\\(u[0-9A-Fa-f]{4}|.)")
_ESCAPED = {"n": "\n", "t": "\t", "r": "\r"}


def _unescape(match: re.Match[str]) -> str:
    escaped = match.group(1)
    if len(escaped) == 5:  # \uXXXX: how the printer writes other control characters
        return chr(int(escaped[1:], 16))
    return _ESCAPED.get(escaped, escaped)  # \\ and \" stand for themselves


def _integer(token: Token, span: Span) -> int:
    """An integer literal within the integer limit (:mod:`lexkb.limits`), else a located error."""
    if len(token.lstrip("0")) > MAX_INTEGER_DIGITS:
        raise SyntaxProblem(f"this integer has {len(token):,} digits; lexkb reads at most {MAX_INTEGER_DIGITS:,}",
                            span, hint="raise the limit with LEXKB_MAX_INTEGER_DIGITS (docs/cli.md, Limits)")
    return int(token)


def _decimal(token: Token, span: Span) -> Decimal:
    """A decimal literal, exactly (``3.9`` is 39/10, not a binary float), within the digit limit."""
    _integer(Token("INT", token.replace(".", "")), span)
    return Decimal(str(token))


def _unquote(token: Token) -> str:
    """A string token's text: the escapes ``\\n \\t \\r \\uXXXX \\\\ \\"`` read back."""
    return _ESCAPE.sub(_unescape, token[1:-1])


class AstBuilder:
    """The AST built bottom-up as Lark reduces each grammar rule: one method per rule, called with (span, children).

    Lark looks each rule's callback up by name (:meth:`__getattr__`); the callback
    also measures how deep the statement nests, which the checks and the printer
    must be able to walk recursively (:data:`MAX_NESTING`).
    """

    def __init__(self) -> None:
        self.file = ""
        self._heights: dict[int, tuple[int, object]] = {}
        """Height of each node built so far that holds another node (a node of tokens only is 1), by ``id``;
        the node is kept with it, so that no later node can take its ``id``."""

    def start_file(self, file: str) -> None:
        self.file = file
        self._heights.clear()

    def __getattr__(self, rule: str) -> Callable[[list[Any]], Any]:
        """Lark's callback for a grammar rule; an AttributeError for any other name (Lark asks for many)."""
        if rule not in _RULES:
            raise AttributeError(rule)
        return self._callback(rule)

    def _callback(self, rule: str) -> Callable[[list[Any]], Any]:
        method = getattr(type(self), "_" + rule)
        heights = self._heights
        statement = rule in _STATEMENTS

        def build(children: list[Any]) -> Any:
            height = 1
            for child in children:
                if type(child) is not Token:
                    below = heights.get(id(child))
                    height = max(height, below[0] + 1 if below else 2)
            span = self._span_of(children)
            if height > MAX_NESTING:
                raise too_deep(Span(self.file, span.line, span.column, span.line, span.column + 1))
            node = method(self, span, [c for c in children if type(c) is not Token or c.type not in _DELIMITERS])
            if height > 1 and not statement:
                heights[id(node)] = (height, node)
            return node

        return build

    def start(self, statements: list[ast.Statement]) -> tuple[ast.Statement, ...]:
        return tuple(statements)

    def _span_of(self, children: list[Any]) -> Span:
        """From the start of the first child to the end of the last (keywords and ')' are kept for this)."""
        first, last = _located(children[0]), _located(children[-1])
        if type(first) is Token:
            line, column = first.line or 1, first.column or 1
        else:
            if first is last:  # e.g. a fact without quotes: its atom's span
                return first.span  # type: ignore[no-any-return]
            line, column = first.span.line, first.span.column
        if type(last) is Token:
            return Span(self.file, line, column, last.end_line or 1, last.end_column or 1)
        return Span(self.file, line, column, last.span.end_line, last.span.end_column)

    # terms
    def _term(self, child: object) -> ast.Term:
        """A term; single tokens (values, variables) arrive as tokens, not trees."""
        if not isinstance(child, Token):
            return child  # type: ignore[return-value]
        span = token_span(self.file, child)
        kind = child.type
        if kind == "VARIABLE":
            if child.startswith("?" + ast.ANONYMOUS):
                raise SyntaxProblem(f"{child} is not a variable name: a variable's name starts with a letter",
                                    span, hint="write _ alone for 'any value', or name the variable, e.g. ?x")
            return ast.Variable(child[1:], span)
        if kind == "NAME" and child == ast.ANONYMOUS:
            return ast.Variable(ast.ANONYMOUS, span)
        if kind == "INT":
            return ast.Constant(_integer(child, span), span)
        if kind == "DECIMAL":
            return ast.Constant(_decimal(child, span), span)
        if kind == "STRING":
            return ast.Constant(Text(_unquote(child)), span)
        if kind == "DATE":
            return ast.Constant(self._date(child), span)
        return ast.Constant(str(child), span)  # a symbol

    def _date(self, token: Token) -> datetime.date:
        if not _DATE.fullmatch(token):
            raise SyntaxProblem(f"{token} is not a date: dates are written YYYY-MM-DD, e.g. 2012-01-05",
                                token_span(self.file, token),
                                hint="the month and the day take two digits each; to subtract, "
                                     "put spaces around '-', e.g. ?n = ?l - 2")
        year, month, day = (int(p) for p in token.split("-"))
        try:
            return datetime.date(year, month, day)
        except ValueError:
            from lexkb.language.diagnostics import impossible_date

            raise SyntaxProblem(f"{token} is not a real date: {impossible_date(year, month, day)}",
                                token_span(self.file, token),
                                hint="dates are written YYYY-MM-DD, e.g. 2012-10-24") from None

    def _negative_integer(self, span: Span, children: list[Token]) -> ast.Constant:
        return ast.Constant(-_integer(children[1], span), span)

    def _negative_decimal(self, span: Span, children: list[Token]) -> ast.Constant:
        return ast.Constant(-_decimal(children[1], span), span)

    def _arith(self, span: Span, children: list[object]) -> ast.Arithmetic:
        left, op, right = children
        return ast.Arithmetic(str(op), self._term(left), self._term(right), span)

    def _function(self, span: Span, children: list[Token]) -> ast.Name:
        return ast.Name(str(children[0]), span)  # a node, so that a call's span starts at its name

    def _call(self, span: Span, children: list[object]) -> ast.Call:
        function, left, right = children
        return ast.Call(function.text, (self._term(left), self._term(right)), span)  # type: ignore[attr-defined]

    def _atom(self, span: Span, children: list[object]) -> ast.Atom:
        name, *args = children
        return ast.Atom(str(name), tuple(self._term(a) for a in args), span)

    # conditions
    def _comparison(self, span: Span, children: list[object]) -> ast.Comparison:
        left, op, right = children
        return ast.Comparison(str(op), self._term(left), self._term(right), span)

    def _negation(self, span: Span, children: list[object]) -> ast.Negation:
        return ast.Negation(children[1], span)  # type: ignore[arg-type]

    def _conjunction(self, span: Span, children: list[object]) -> ast.Conjunction:
        return ast.Conjunction(tuple(children), span)  # type: ignore[arg-type]

    def _disjunction(self, span: Span, children: list[object]) -> ast.Disjunction:
        return ast.Disjunction(tuple(children), span)  # type: ignore[arg-type]

    # statements
    def _authority(self, span: Span, children: list[Token]) -> ast.Authority:
        name, citation, *says = children
        return ast.Authority(str(name), _unquote(citation), _unquote(says[0]) if says else None, span)

    def _rule_name(self, span: Span, children: list[Token]) -> ast.Name:
        return ast.Name(str(children[0]), span)

    def _unless(self, span: Span, children: list[object]) -> tuple[str, object]:
        return ("unless", children[0])

    def _because(self, span: Span, children: list[Token]) -> tuple[str, tuple[ast.Name, ...]]:
        return ("because", tuple(ast.Name(str(t), token_span(self.file, t)) for t in children))

    def _rule(self, span: Span, children: list[object]) -> ast.Rule:
        name = children[0].text if isinstance(children[0], ast.Name) else None
        rest = children[1:] if name is not None else children
        head, condition, *clauses = rest
        exceptions = tuple(c[1] for c in clauses if c[0] == "unless")  # type: ignore[index]
        authorities: tuple[ast.Name, ...] = ()
        for clause in clauses:
            if clause[0] == "because":  # type: ignore[index]
                authorities = clause[1]  # type: ignore[index]
        return ast.Rule(name, head, condition, exceptions, authorities, span)  # type: ignore[arg-type]

    def _fact(self, span: Span, children: list[object]) -> ast.Fact:
        atom, *tokens = children
        quotes = tuple(ast.Quote(_unquote(t), token_span(self.file, t)) for t in tokens)  # type: ignore[arg-type]
        return ast.Fact(atom, quotes, span)  # type: ignore[arg-type]

    def _include(self, span: Span, children: list[Token]) -> ast.Include:
        return ast.Include(_unquote(children[0]), span)

    def _type_name(self, span: Span, children: list[Token]) -> ast.Name:
        if len(children) == 1:
            return ast.Name(str(children[0]), token_span(self.file, children[0]))
        return ast.Name("|".join(str(c) for c in children), span)

    def _input_decl(self, span: Span, children: list[object]) -> ast.InputDecl:
        name, *types = children
        return ast.InputDecl(str(name), tuple(types), span)  # type: ignore[arg-type]

    def _outcomes(self, span: Span, children: list[Token]) -> ast.Outcomes:
        return ast.Outcomes(tuple(ast.Name(str(t), token_span(self.file, t)) for t in children), span)

    def _case_decl(self, span: Span, children: list[Token]) -> ast.CaseDecl:
        return ast.CaseDecl(str(children[0]), _unquote(children[1]) if len(children) > 1 else None, span)

    def _source_decl(self, span: Span, children: list[Token]) -> ast.SourceDecl:
        return ast.SourceDecl(_unquote(children[0]), span)

    def _expect(self, span: Span, children: list[object]) -> ast.Expect:
        negated = len(children) == 2
        return ast.Expect(children[-1], negated, span)  # type: ignore[arg-type]

    def _reading(self, span: Span, children: list[object]) -> ast.Reading:
        atom, text, *rest = children
        negative = rest[-1] if rest else None  # rest is [NOT, STRING] or empty
        return ast.Reading(atom, self._quote(text), None if negative is None else self._quote(negative),  # type: ignore[arg-type]
                           span)

    def _quote(self, token: Token) -> ast.Quote:
        return ast.Quote(_unquote(token), token_span(self.file, token))

    def _internal_decl(self, span: Span, children: list[Token]) -> ast.InternalDecl:
        return ast.InternalDecl(tuple(ast.Name(str(t), token_span(self.file, t)) for t in children), span)


_STATEMENTS = frozenset({"authority", "rule", "fact", "include", "input_decl", "outcomes", "case_decl", "source_decl",
                         "expect", "reading", "internal_decl"})
_RULES = _STATEMENTS | {"negative_integer", "negative_decimal", "arith", "function", "call", "atom", "comparison",
                        "negation", "conjunction", "disjunction", "rule_name", "unless", "because", "type_name"}
"""The grammar's rules (and aliases) that make a node: each has a method ``_<rule>`` in :class:`AstBuilder`."""

# Tokens kept in the tree only to mark where a construct starts or ends.
_DELIMITERS = frozenset({"AUTHORITY", "RULE", "INCLUDE", "INPUT", "OUTCOMES", "CASE", "SOURCE", "EXPECT", "RPAR",
                         "INTERNAL"})


def _located(item: Any) -> Any:
    """Something with a position: a token, or a node with a span (clauses are tagged tuples)."""
    if isinstance(item, tuple):  # ("unless", condition) or ("because", names)
        tag, value = item
        return value[-1] if tag == "because" else value
    return item
