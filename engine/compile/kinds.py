"""The kinds of value a rule's terms can have, known before any case is run.

A comparison between kinds that can never compare (a date with an integer)
or arithmetic on something that is not an integer (a date plus 365) makes a
rule that silently cannot fire: :mod:`lexkb.compile.semantics` makes such a
test false and such a term fail. Where the kinds are known — from the types
an ``input`` declaration gives its values, and from the values written in
the rule — that is a located error at check time instead. A variable whose
kind is not known (it comes from a rule's conclusion or an untyped fact) is
not checked: the values decide when the rule runs.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from decimal import Decimal

from lexkb.compile.program import BaseFact, Branch, Negative, Positive, Test
from lexkb.compile.semantics import EQUALITIES, NUMBER_KINDS, ORDERED_KINDS
from lexkb.errors import CheckError
from lexkb.language import ast
from lexkb.language.cases import allowed_kinds
from lexkb.language.format import format_term
from lexkb.values import Text

Kinds = frozenset[type]
"""The kinds a term's value may have (``int``, ``datetime.date``, ``str`` for a symbol, ``Text``)."""

DECLARED: dict[str, type] = {"int": int, "decimal": Decimal, "date": datetime.date, "symbol": str, "string": Text}
_WORDS: dict[type, str] = {int: "an integer", Decimal: "a decimal", datetime.date: "a date", str: "a symbol",
                           Text: "a string"}
_NUMBERS: Kinds = frozenset(NUMBER_KINDS)


def declared_kinds(inputs: Mapping[str, ast.InputDecl], facts: Sequence[BaseFact],
                   branches: Sequence[Branch]) -> dict[str, tuple[Kinds, ...]]:
    """Each typed input predicate no rule concludes → the kinds of each of its values.

    A predicate that a rule also concludes may hold values of any kind the rule
    computes, so it is left out (its variables are not checked).
    """
    concluded = {branch.head.predicate for branch in branches}
    out: dict[str, tuple[Kinds, ...]] = {}
    for predicate, decl in inputs.items():
        if predicate in concluded or not decl.types:
            continue
        kinds = [{DECLARED[part] for part in allowed_kinds(type_name.text)} for type_name in decl.types]
        for fact in facts:
            if fact.predicate == predicate:
                for position, value in enumerate(fact.args):
                    kinds[position].add(type(value))
        out[predicate] = tuple(frozenset(k) for k in kinds)
    return out


def check_kinds(branches: Sequence[Branch], positions: Mapping[str, tuple[Kinds, ...]]) -> None:
    """Raise a located CheckError for a comparison or arithmetic whose kinds can never fit."""
    for branch in branches:
        env: dict[str, Kinds] = {}
        for literal in branch.literals:
            if isinstance(literal, Positive) and literal.atom.predicate in positions:
                for arg, kinds in zip(literal.atom.args, positions[literal.atom.predicate]):
                    if isinstance(arg, ast.Variable):
                        env[arg.name] = env.get(arg.name, kinds) & kinds
        for literal in branch.literals:
            if isinstance(literal, Test):
                _check_comparison(literal.comparison, env)
            elif isinstance(literal, (Positive, Negative)):
                for arg in literal.atom.args:
                    _term_kinds(arg, env)
        for arg in branch.head.args:
            _term_kinds(arg, env)


def _term_kinds(term: ast.Term, env: Mapping[str, Kinds]) -> Kinds | None:
    """The kinds a term may have (None: not known), after checking the arithmetic inside it."""
    if isinstance(term, ast.Variable):
        return env.get(term.name)
    if isinstance(term, ast.Constant):
        return frozenset({type(term.value)})
    operands = (term.left, term.right) if isinstance(term, ast.Arithmetic) else term.args
    for operand in operands:
        kinds = _term_kinds(operand, env)
        if kinds is not None and not kinds & _NUMBERS:
            what = f"'{term.op}'" if isinstance(term, ast.Arithmetic) else f"{term.function}(…)"
            raise CheckError(
                f"{format_term(operand)} is {_describe(kinds)}, but {what} works on numbers only",
                operand.span,
                hint="arithmetic on dates is not supported: compare dates directly (e.g. ?d >= 2014-11-01), "
                     "or state a number of days as an int input" if datetime.date in kinds else
                     "arithmetic (+, -, *, min, max) takes numbers: integers or decimals")
    return _NUMBERS


def _check_comparison(comparison: ast.Comparison, env: Mapping[str, Kinds]) -> None:
    left, right = _term_kinds(comparison.left, env), _term_kinds(comparison.right, env)
    if left is None or right is None:
        return
    common = _as_numbers(left) & _as_numbers(right)
    if comparison.op not in EQUALITIES:
        common &= frozenset(ORDERED_KINDS)
    if common:
        return
    sides = (f"{format_term(comparison.left)} is {_describe(left)} and "
             f"{format_term(comparison.right)} is {_describe(right)}")
    if comparison.op in EQUALITIES:
        verdict = "values of different kinds are never equal"
        hint = "compare values of one kind; a symbol (drug) and a string (\"drug\") are different kinds"
    else:
        verdict = f"'{comparison.op}' orders two numbers or two dates, so this can never hold"
        hint = "compare a date with a date (written YYYY-MM-DD, e.g. 2012-01-05), a number with a number"
    raise CheckError(f"{sides}: {verdict}", comparison.span, hint=hint)


def _as_numbers(kinds: Kinds) -> Kinds:
    """Numbers compare by value: an integer and a decimal are one kind for a comparison."""
    return kinds | _NUMBERS if kinds & _NUMBERS else kinds


def _describe(kinds: Kinds) -> str:
    return " or ".join(sorted(_WORDS[kind] for kind in kinds))
