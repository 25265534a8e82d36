"""Text → AST: the Lark parser and the conversion of its tree into the AST.

What to say when the text cannot be read is :mod:`lexkb.language.diagnostics`'s job.
"""

from __future__ import annotations

import datetime
import gc
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from typing import Any, cast

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedInput

from lexkb.errors import Span, SyntaxProblem, UsageError
from lexkb.language import ast
from lexkb.limits import MAX_INTEGER_DIGITS, MAX_NESTING
from lexkb.values import Text, Value

KEYWORDS = (
    "rule if and or not unless because authority says include input outcomes "
    "case source expect from min max reads internal"
).split()


def _grammar() -> str:
    return resources.files("lexkb.grammar").joinpath("lexkb.lark").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def parser() -> Lark:
    """The LALR parser that builds Lark's tree, built once per process (Lark caches its tables on disk).

    What :mod:`lexkb.language.diagnostics` and the highlighter use; :func:`parse` builds the AST without it.
    """
    return Lark(_grammar(), parser="lalr", lexer="basic", propagate_positions=False, maybe_placeholders=False,
                cache=True)


class _Builders(threading.local):
    """Each thread's parsers that build the AST as they go (Lark's ``transformer=``), and their builder.

    Lark calls the builder's methods while it parses, so no parse tree is built
    and each token is dropped once its node is made: time and memory stay
    proportional to the input (a tree of every token first took 1.35 GB for
    600,000 facts). The builder is bound when the parser is built, so each
    thread has its own, told the file's name before each parse.
    """

    def __init__(self) -> None:
        self.builder = _ToAst()
        self.plain: Lark | None = None
        self.keeping_comments: Lark | None = None

    def parser(self, keep_comments: bool) -> Lark:
        lark = self.keeping_comments if keep_comments else self.plain
        if lark is None:
            callbacks = {"lexer_callbacks": {"COMMENT": _COMMENTS}} if keep_comments else {}
            lark = Lark(_grammar(), parser="lalr", lexer="basic", propagate_positions=False,
                        maybe_placeholders=False, cache=True, transformer=self.builder, **callbacks)
            if keep_comments:
                self.keeping_comments = lark
            else:
                self.plain = lark
        return lark


def parse(text: str, file: str) -> ast.Module:
    """Parse one file's text into a Module; raise SyntaxProblem on bad input."""
    return _parse_with(text, file, keep_comments=False)


def _parse_with(text: str, file: str, keep_comments: bool) -> ast.Module:
    lark = _BUILDERS.parser(keep_comments)
    builder = _BUILDERS.builder
    builder.start_file(file)
    problem: SyntaxProblem | None = None
    try:
        with _without_cycle_collection():
            return ast.Module(file, cast("tuple[ast.Statement, ...]", lark.parse(text)))  # what _ToAst.start made
    except UnexpectedInput:
        pass  # described from the tree-building parse, below
    except SyntaxProblem as raised:  # a bad value, or nesting too deep
        problem = raised
    finally:
        builder.start_file("")
    raise _first_problem(text, file) or problem or AssertionError("the two parses disagree")


@contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Python's cycle collector paused while a file is parsed.

    Parsing makes millions of objects (tokens, AST nodes) and frees none in a
    cycle; the collector, run after every 700 new objects and over all of them
    now and then, took a third of the time of a large file. Resumed after,
    unless it was already off (by the caller, or another thread parsing).
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _first_problem(text: str, file: str) -> SyntaxProblem | None:
    """The error to report for text the building parse stopped on, as reading it in two passes finds it:
    a syntax error anywhere in the file first, then nesting too deep, then (None) the bad value found.

    Only on the error path: diagnostics reads Lark's parse stack of tree nodes,
    and the nesting error points where the limit is crossed, counted from the statement.
    """
    try:
        tree = parser().parse(text)
    except UnexpectedInput as error:
        from lexkb.language.diagnostics import syntax_problem  # only on the error path: startup stays lean

        return syntax_problem(error, text, file)
    _check_nesting(tree, file)
    return None


def _check_nesting(tree: Tree, file: str) -> None:
    """A statement nested deeper than :data:`MAX_NESTING` is a located error, found without recursion:
    the checks and the printer walk a statement recursively."""
    stack = [(statement, 1) for statement in tree.children if isinstance(statement, Tree)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_NESTING:
            while isinstance(node, Tree):  # the subtree's first token is where the error is shown
                node = node.children[0]
            raise _too_deep(token_span(file, node))
        stack.extend((child, depth + 1) for child in node.children if isinstance(child, Tree))


def _too_deep(span: Span) -> SyntaxProblem:
    return SyntaxProblem(f"this is nested more than {MAX_NESTING} levels deep (not, parentheses or "
                         "arithmetic within each other)", span,
                         hint="split it into rules of their own, or raise the limit with "
                              "LEXKB_MAX_NESTING (docs/cli.md, Limits)")


# ---------------------------------------------------------------- comments (for the formatter)


@dataclass(frozen=True)
class Comment:
    """A ``# …`` comment as written (trailing spaces dropped), and where it is."""

    text: str
    span: Span


class _CommentSink:
    """Where the comment-keeping parser's lexer puts the comments it skips.

    Lark binds lexer callbacks when the parser is built, so the one cached parser
    writes into this sink; the lock keeps two threads' comments apart.
    """

    def __init__(self) -> None:
        self.tokens: list[Token] = []
        self.lock = threading.Lock()

    def __call__(self, token: Token) -> Token:
        self.tokens.append(token)
        return token


_COMMENTS = _CommentSink()


def parse_with_comments(text: str, file: str) -> tuple[ast.Module, tuple[Comment, ...]]:
    """Parse one file's text, and also return its comments in order (what ``lexkb fmt`` keeps)."""
    with _COMMENTS.lock:
        _COMMENTS.tokens.clear()
        try:
            module = _parse_with(text, file, keep_comments=True)
            tokens = list(_COMMENTS.tokens)
        finally:
            _COMMENTS.tokens.clear()
    return module, tuple(Comment(str(t).rstrip(), token_span(file, t)) for t in tokens)


def parse_atom(text: str, file: str = "<atom>") -> ast.Atom:
    """Parse a single atom such as ``reduction_floor_months(108)`` (for the CLI and API)."""
    module = parse(text, file)
    if len(module.statements) != 1 or not isinstance(module.statements[0], ast.Fact) or module.statements[0].quotes:
        raise SyntaxProblem(
            f"'{text}' is not an atom: write a name, optionally followed by values in parentheses",
            Span.point(file),
        )
    return module.statements[0].atom


def ground_atom(atom: str | ast.Atom, file: str = "<atom>") -> tuple[str, tuple[Value, ...]]:
    """The predicate and values of a ground atom, e.g. ``"reduction_floor_months(108)"``."""
    if isinstance(atom, str):
        if atom.isidentifier() and atom not in KEYWORDS:  # a bare predicate: no need for the parser
            return atom, ()
        atom = parse_atom(atom, file)
    values = []
    for arg in atom.args:
        if not isinstance(arg, ast.Constant):
            raise UsageError("the atom holds plain values here, not variables or arithmetic", arg.span,
                             hint=f"write {atom.predicate}(…) with a value in each place, e.g. a number or a name")
        values.append(arg.value)
    return atom.predicate, tuple(values)


# ---------------------------------------------------------------- tree → AST


def token_span(file: str, token: Token) -> Span:
    """Where a token is, as a span."""
    return Span(file, token.line or 1, token.column or 1, token.end_line or 1, token.end_column or 1)


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


class _ToAst:
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
                raise _too_deep(Span(self.file, span.line, span.column, span.line, span.column + 1))
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
"""The grammar's rules (and aliases) that make a node: each has a method ``_<rule>`` in :class:`_ToAst`."""

# Tokens kept in the tree only to mark where a construct starts or ends.
_DELIMITERS = frozenset({"AUTHORITY", "RULE", "INCLUDE", "INPUT", "OUTCOMES", "CASE", "SOURCE", "EXPECT", "RPAR",
                         "INTERNAL"})


def _located(item: Any) -> Any:
    """Something with a position: a token, or a node with a span (clauses are tagged tuples)."""
    if isinstance(item, tuple):  # ("unless", condition) or ("because", names)
        tag, value = item
        return value[-1] if tag == "because" else value
    return item


_BUILDERS = _Builders()
