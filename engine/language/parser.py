"""Text → AST: the parsers (the one that builds the AST as it reads, and Lark's tree parser the
error path and the highlighter use), comments kept for the formatter, and single atoms.

How each grammar rule becomes a node is :mod:`lexkb.language.build`'s job; what to say when
the text cannot be read is :mod:`lexkb.language.diagnostics`'s.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import cast

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedInput

from lexkb.errors import Span, SyntaxProblem, UsageError
from lexkb.language import ast
from lexkb.language.build import AstBuilder, token_span, too_deep
from lexkb.limits import MAX_NESTING
from lexkb.values import Value

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
        self.builder = AstBuilder()
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
            return ast.Module(file, cast("tuple[ast.Statement, ...]", lark.parse(text)))  # what AstBuilder.start made
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
            raise too_deep(token_span(file, node))
        stack.extend((child, depth + 1) for child in node.children if isinstance(child, Tree))


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


_BUILDERS = _Builders()
