"""AST, terms, values → rule-language text: the one printer of the language.

Everything that shows the language to a reader goes through here: the
formatter, explanations (with the values a rule matched substituted),
coverage, what-if changes, verify's witness cases, batch and the CLI.

``format_module`` writes one statement per line, a rule's ``because`` on the
rule's line, and wraps a rule too long for one line at its top-level ``and``
/ ``or``. Parsing the output gives back the same AST, spans aside
(:func:`strip_spans` makes two ASTs comparable): a formatter that changed a
rule's meaning would be worse than none. Comments are not part of the AST:
``format_module`` does not reproduce them; :func:`format_source` (``lexkb fmt``)
takes them from the parser and keeps every one.
"""

from __future__ import annotations

import dataclasses
import datetime
import unicodedata
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from lexkb.errors import Span
from lexkb.language import ast
from lexkb.values import Text, Value, decimal_text

if TYPE_CHECKING:
    from lexkb.language.parser import Comment

WIDTH = 100
INDENT = "    "

# ---------------------------------------------------------------- values and terms

# Where an explanation substitutes the values a rule was matched with.
Bindings = Mapping[str, Value]

# Escapes the parser reads back (build._unquote); any other control
# character is written \uXXXX, so that a printed string stays on one line.
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _escape(char: str) -> str:
    if char in _ESCAPES:
        return _ESCAPES[char]
    if unicodedata.category(char) == "Cc":
        return f"\\u{ord(char):04x}"
    return char


def format_string(text: str) -> str:
    """A string in double quotes, with the escapes the grammar reads back."""
    return '"' + "".join(_escape(char) for char in text) + '"'


def format_value(value: Value) -> str:
    """A value as written in the language (strings quoted, symbols bare, dates ISO)."""
    if isinstance(value, Text):
        return format_string(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return decimal_text(value)
    return str(value)


def format_ground_atom(predicate: str, args: tuple[Value, ...]) -> str:
    """A fact as written: ``name`` or ``name(value, …)``."""
    if not args:
        return predicate
    return f"{predicate}({', '.join(format_value(a) for a in args)})"


# Binding strength of a term's outermost operator: `*` binds tighter than `+`/`-`.
_SUM, _PRODUCT, _FACTOR = 0, 1, 2


def _strength(term: ast.Term) -> int:
    if isinstance(term, ast.Arithmetic):
        return _PRODUCT if term.op == "*" else _SUM
    return _FACTOR


def format_term(term: ast.Term, env: Bindings | None = None) -> str:
    """A term, parenthesised only where the grammar needs it to read it back the same.

    A variable bound in ``env`` is written as its value (explanations show
    the values a rule was matched with); an unbound one as ``?name``.
    """
    return _term(term, env, _SUM)


def _term(term: ast.Term, env: Bindings | None, level: int) -> str:
    # ``level`` is the weakest operator the context accepts without parentheses;
    # operators are left-associative, so a right operand needs one level more.
    if isinstance(term, ast.Variable):
        if env is not None and term.name in env:
            return format_value(env[term.name])
        return ast.ANONYMOUS if term.anonymous else f"?{term.name}"
    if isinstance(term, ast.Constant):
        return format_value(term.value)
    if isinstance(term, ast.Call):
        return f"{term.function}({_term(term.args[0], env, _SUM)}, {_term(term.args[1], env, _SUM)})"
    own = _strength(term)
    text = f"{_term(term.left, env, own)} {term.op} {_term(term.right, env, own + 1)}"
    return f"({text})" if own < level else text


def format_atom(atom: ast.Atom, env: Bindings | None = None) -> str:
    """An atom of a rule: ``name`` or ``name(term, …)`` (values substituted from ``env``)."""
    if not atom.args:
        return atom.predicate
    return f"{atom.predicate}({', '.join(_term(a, env, _SUM) for a in atom.args)})"


# ---------------------------------------------------------------- conditions


def format_condition(condition: ast.Condition, env: Bindings | None = None) -> str:
    """A condition; `or` binds loosest, then `and`, then `not` (as the grammar reads it)."""
    if isinstance(condition, ast.Atom):
        return format_atom(condition, env)
    if isinstance(condition, ast.Comparison):
        return f"{format_term(condition.left, env)} {condition.op} {format_term(condition.right, env)}"
    if isinstance(condition, ast.Negation):
        return format_negation(condition.condition, env)
    if isinstance(condition, ast.Conjunction):
        return " and ".join(_operand(item, ast.Conjunction, env) for item in condition.items)
    return " or ".join(_operand(item, ast.Disjunction, env) for item in condition.items)


def format_negation(condition: ast.Condition, env: Bindings | None = None) -> str:
    """``not X``: the condition ``X`` negated."""
    return f"not {_unary(condition, env)}"


def format_exception(condition: ast.Condition, env: Bindings | None = None) -> str:
    """``unless X``: a rule's exception."""
    return f"unless {format_exception_condition(condition, env)}"


def format_exception_condition(condition: ast.Condition, env: Bindings | None = None) -> str:
    """The ``X`` of ``unless X``, parenthesised where the grammar needs one unit
    (``unless ?x > 3`` needs no parentheses to read well)."""
    if isinstance(condition, ast.Comparison):
        return format_condition(condition, env)
    return _unary(condition, env)


def _unary(condition: ast.Condition, env: Bindings | None) -> str:
    """A condition where the grammar wants one unit: after `not` and `unless`.

    After `not`, a comparison is parenthesised too, though the grammar does
    not need it: `not (?x < 3)` reads less ambiguously than `not ?x < 3`.
    """
    if isinstance(condition, (ast.Atom, ast.Negation)):
        return format_condition(condition, env)
    return f"({format_condition(condition, env)})"


def _operand(item: ast.Condition, parent: type, env: Bindings | None = None) -> str:
    # A disjunction inside a conjunction needs parentheses to keep its
    # meaning; a connective nested in the same connective was written with
    # parentheses (the parser flattens unparenthesised chains), so keep them.
    if isinstance(item, (ast.Disjunction, parent)):
        return f"({format_condition(item, env)})"
    return format_condition(item, env)


# ---------------------------------------------------------------- statements


def format_statement(statement: ast.Statement, width: int = WIDTH) -> str:
    """One statement, on one line unless it is longer than ``width``."""
    if isinstance(statement, ast.Rule):
        return _rule(statement, width)
    if isinstance(statement, ast.Fact):
        return _fact(statement, width)
    if isinstance(statement, ast.Authority):
        text = f"authority {statement.name} {format_string(statement.citation)}"
        if statement.says is None:
            return text
        says = f"says {format_string(statement.says)}"
        return f"{text} {says}" if len(text) + 1 + len(says) <= width else f"{text}\n{INDENT}{says}"
    if isinstance(statement, ast.Include):
        return f"include {format_string(statement.path)}"
    if isinstance(statement, ast.InputDecl):
        types = f"({', '.join(t.text for t in statement.types)})" if statement.types else ""
        return f"input {statement.predicate}{types}"
    if isinstance(statement, ast.Outcomes):
        return "outcomes " + ", ".join(n.text for n in statement.names)
    if isinstance(statement, ast.CaseDecl):
        citation = f" {format_string(statement.citation)}" if statement.citation is not None else ""
        return f"case {statement.name}{citation}"
    if isinstance(statement, ast.SourceDecl):
        return f"source {format_string(statement.path)}"
    if isinstance(statement, ast.Expect):
        return f"expect {'not ' if statement.negated else ''}{format_atom(statement.atom)}"
    if isinstance(statement, ast.Reading):
        return _reading(statement, width)
    if isinstance(statement, ast.InternalDecl):
        return "internal " + ", ".join(n.text for n in statement.names)
    raise TypeError(f"not a statement: {statement!r}")


def _reading(reading: ast.Reading, width: int) -> str:
    """``atom reads "…"``, and ``not "…"`` on the same line when it fits, else on the next, indented."""
    text = f"{format_atom(reading.atom)} reads {format_string(reading.text.text)}"
    if reading.negative is None:
        return text
    negative = f"not {format_string(reading.negative.text)}"
    return f"{text} {negative}" if len(text) + 1 + len(negative) <= width else f"{text}\n{INDENT}{negative}"


def _fact(fact: ast.Fact, width: int, quotes_as_written: Sequence[str] = ()) -> str:
    """A fact and its quotes (``from "…"`` each); when they do not all fit on one line, each quote on a
    line of its own. ``quotes_as_written`` are the quotes' strings as the source spells them (the
    formatter keeps an analyst's escapes)."""
    text = format_atom(fact.atom)
    if not fact.quotes:
        return text
    spelled = list(quotes_as_written) or [format_string(q.text) for q in fact.quotes]
    quotes = [f"from {q}" for q in spelled]
    line = " ".join([text, *quotes])
    return line if len(line) <= width else "\n".join([text, *(INDENT + q for q in quotes)])


def _rule(rule: ast.Rule, width: int) -> str:
    prefix = f"rule {rule.name}: " if rule.name else ""
    exceptions = [format_exception(e) for e in rule.exceptions]
    because = ["because " + ", ".join(a.text for a in rule.authorities)] if rule.authorities else []
    line = " ".join([f"{prefix}{format_atom(rule.head)} if {format_condition(rule.condition)}", *exceptions, *because])
    if len(line) <= width:
        return line
    # Too long: the name on its own line, the conclusion indented once, and
    # each top-level `or` / `and` operand and each `unless` on its own line,
    # `because` last, indented once.
    lines = [f"rule {rule.name}:"] if rule.name else []
    head_indent = INDENT if rule.name else ""
    lines.append(head_indent + format_atom(rule.head))
    body = head_indent + INDENT
    condition = rule.condition
    if isinstance(condition, (ast.Conjunction, ast.Disjunction)):
        word = "and" if isinstance(condition, ast.Conjunction) else "or"
        parts = [_operand(item, type(condition)) for item in condition.items]
        lines.append(f"{body}if {parts[0]}")
        lines.extend(f"{body}{word} {part}" for part in parts[1:])
    else:
        lines.append(f"{body}if {format_condition(condition)}")
    lines.extend(body + clause for clause in exceptions)
    lines.extend(INDENT + clause for clause in because)
    return "\n".join(lines)


def format_module(module: ast.Module, width: int = WIDTH) -> str:
    """A whole file: one statement per line, a blank line around multi-line ones
    and between statements of different kinds; ends with a newline."""
    out: list[str] = []
    previous: ast.Statement | None = None
    for statement in module.statements:
        text = format_statement(statement, width)
        if previous is not None and (
            type(previous) is not type(statement) or "\n" in text or "\n" in out[-1]
        ):
            out.append("")
        out.append(text)
        previous = statement
    return "\n".join(out) + "\n" if out else ""


# ---------------------------------------------------------------- a source file, comments kept


def format_source(module: ast.Module, comments: Sequence[Comment], text: str, width: int = WIDTH) -> str:
    """What ``lexkb fmt`` writes for a file: each statement as :func:`format_statement` lays it
    out, every comment kept, the author's grouping kept; ends with a newline.

    ``module`` and ``comments`` are ``text`` parsed (:func:`~lexkb.language.parser.parse_with_comments`).
    A comment on the line where a statement ends stays at the end of that statement;
    one inside a statement (between the lines of a long rule) goes just above it, so
    that no layout can swallow it; any other stays on its own line, before what follows
    it. One blank line stands wherever the author left one or more: an analyst groups
    rules by doctrine. Quotes keep their spelling (the source's escapes).
    """
    lines = text.split("\n")
    blocks: list[tuple[int, int, str]] = []  # (first line, last line, text) in the file's order
    pending = list(comments)
    statements = module.statements
    for index, statement in enumerate(statements):
        span = statement.span
        while pending and pending[0].span.line < span.line:
            comment = pending.pop(0)
            blocks.append((comment.span.line, comment.span.line, comment.text))
        inside = []
        while pending and pending[0].span.line < span.end_line:
            inside.append(pending.pop(0).text)
        printed = _statement_as_written(statement, lines, width)
        following = statements[index + 1] if index + 1 < len(statements) else None
        shares_line = following is not None and following.span.line == span.end_line
        if pending and pending[0].span.line == span.end_line and not shares_line:
            printed += "  " + pending.pop(0).text
        blocks.append((span.line, span.end_line, "\n".join([*inside, printed])))
    blocks.extend((c.span.line, c.span.line, c.text) for c in pending)
    out: list[str] = []
    previous_last = None
    for first, last, block in blocks:
        if previous_last is not None and first > previous_last + 1:
            out.append("")
        out.append(block)
        previous_last = last
    return "\n".join(out) + "\n" if out else ""


def _statement_as_written(statement: ast.Statement, lines: Sequence[str], width: int) -> str:
    if isinstance(statement, ast.Fact) and statement.quotes:
        spans = [quote.span for quote in statement.quotes]  # string tokens: each on one line
        return _fact(statement, width, [lines[s.line - 1][s.column - 1:s.end_column - 1] for s in spans])
    return format_statement(statement, width)


# ---------------------------------------------------------------- comparing ASTs

_NO_SPAN = Span("", 0, 0, 0, 0)


def strip_spans(node: object) -> object:
    """A copy of an AST node with every span blanked (and a Module's path), so that
    two parses of differently laid-out text compare equal when they mean the same."""
    if isinstance(node, Span):
        return _NO_SPAN
    if isinstance(node, tuple):
        return tuple(strip_spans(item) for item in node)
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        changes = {f.name: strip_spans(getattr(node, f.name)) for f in dataclasses.fields(node)}
        if isinstance(node, ast.Module):
            changes["path"] = ""
        return dataclasses.replace(node, **changes)
    return node
