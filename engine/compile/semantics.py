"""The value rules of the language, stated once: what a term computes, how values compare, what fails.

- Numbers are integers and exact decimals (:class:`decimal.Decimal`, never a
  binary float). Arithmetic (``+ - *``) and ``min``/``max`` are on numbers
  only; on any other kind the term has no value (``FAIL``) and the match is
  skipped. Two integers give an integer; a decimal on either side gives the
  exact decimal result (:data:`EXACT`: no rounding, ever).
- ``=`` and ``!=`` compare any two values; values of different kinds are
  never equal (a string never equals the symbol with the same letters),
  except that numbers compare by value: ``3 = 3.0``.
- ``< <= > >=`` hold only between two numbers or two dates
  (:data:`ORDERED_KINDS`); between any other pair they are false, never an error.

Three evaluators follow these rules: the interpreter calls the functions
below (:func:`term_value`, :func:`compare`); the compiled plans are generated
from the ``*_source`` templates; the z3 encoding builds its formulas from the
same tables (:data:`ORDERINGS`, :data:`ARITHMETIC`, :data:`FUNCTIONS` work on
z3 integers and reals too, and :data:`ORDERED_KINDS` says which kinds it must encode).
"""

from __future__ import annotations

import datetime
import decimal
import operator
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from lexkb.language import ast
from lexkb.values import Text, Value

FAIL: Any = object()  # a term that cannot be computed (arithmetic on a non-number, an unbound variable)

NUMBER_KINDS: tuple[type, ...] = (int, Decimal)
"""The kinds arithmetic and ``min``/``max`` accept; they compare with each other by value."""

ORDERED_KINDS: tuple[type, ...] = (int, Decimal, datetime.date)
"""The kinds ordered by ``< <= > >=``: two numbers, or two dates; anything else is false."""

ARITHMETIC_KIND = int
"""The kind arithmetic on two integers returns (with a decimal operand, it is ``Decimal``)."""

EXACT = decimal.Context(prec=decimal.MAX_PREC, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN,
                        traps=[decimal.InvalidOperation, decimal.Inexact])
"""Decimal arithmetic with every digit kept: ``+ - *`` on finite decimals never round."""

EQUALITIES: dict[str, Callable[[Any, Any], Any]] = {"=": operator.eq, "!=": operator.ne}
ORDERINGS: dict[str, Callable[[Any, Any], Any]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
ARITHMETIC: dict[str, Callable[[Any, Any], Any]] = {"+": operator.add, "-": operator.sub, "*": operator.mul}
DECIMAL_ARITHMETIC: dict[str, Callable[[Any, Any], Decimal]] = {"+": EXACT.add, "-": EXACT.subtract,
                                                                 "*": EXACT.multiply}
FUNCTIONS: dict[str, str] = {"min": "<=", "max": ">="}
"""``f(a, b)`` is ``a`` when ``a <op> b`` holds, else ``b``: the ordering each function picks by."""

# ---------------------------------------------------------------- the interpreter


def _number(value: object) -> bool:
    return type(value) is int or type(value) is Decimal


def compare(op: str, left: Value, right: Value) -> bool:
    """A comparison between two values."""
    if op in EQUALITIES:
        return bool(EQUALITIES[op](left, right))
    if not (_number(left) and _number(right)) and not (type(left) is type(right) is datetime.date):
        return False
    return bool(ORDERINGS[op](left, right))


def arithmetic(op: str, left: Any, right: Any) -> Any:
    """``left op right`` on numbers (exact); ``FAIL`` for any other operand."""
    if not (_number(left) and _number(right)):
        return FAIL
    if type(left) is int and type(right) is int:
        return ARITHMETIC[op](left, right)
    return DECIMAL_ARITHMETIC[op](left, right)


def call(function: str, left: Any, right: Any) -> Any:
    """``min``/``max`` of two numbers; ``FAIL`` for any other argument."""
    if not (_number(left) and _number(right)):
        return FAIL
    return left if ORDERINGS[FUNCTIONS[function]](left, right) else right


def term_value(term: ast.Term, env: Mapping[str, Value]) -> Any:
    """A term's value under ``env``; ``FAIL`` when it has none (see the module's rules)."""
    if isinstance(term, ast.Variable):
        return env.get(term.name, FAIL)
    if isinstance(term, ast.Constant):
        return term.value
    if isinstance(term, ast.Arithmetic):
        return arithmetic(term.op, term_value(term.left, env), term_value(term.right, env))
    return call(term.function, term_value(term.args[0], env), term_value(term.args[1], env))


# ---------------------------------------------------------------- generated code

GENERATED_NAMESPACE: dict[str, object] = {"_date": datetime.date, "Text": Text, "_Decimal": Decimal,
                                          "_EXACT": DECIMAL_ARITHMETIC}
"""The names the generated code refers to (besides its own constants)."""


def _number_source(operand: str) -> str:
    return f"(type({operand}) is int or type({operand}) is _Decimal)"


def comparison_source(op: str, left: str, right: str) -> str:
    """Python source for ``left op right`` on two already-computed operands (plain names or literals)."""
    if op in EQUALITIES:
        return f"{left} {'==' if op == '=' else '!='} {right}"
    return (f"({_number_source(left)} and {_number_source(right)} or type({left}) is _date "
            f"and type({right}) is _date) and {left} {op} {right}")


def arithmetic_source(op: str, left: str, right: str) -> str:
    """Python source for ``left op right`` on operands already known to be numbers (exact on decimals)."""
    if op not in ARITHMETIC:
        raise ValueError(f"no arithmetic operator {op}")
    return f"({left} {op} {right} if type({left}) is int and type({right}) is int else _EXACT[{op!r}]({left}, {right}))"


def call_source(function: str, left: str, right: str) -> str:
    """Python source for ``min``/``max`` on operands already known to be numbers."""
    return f"{left} if {left} {FUNCTIONS[function]} {right} else {right}"


def not_arithmetic_source(operand: str) -> str:
    """Python source that is true when an operand cannot take part in arithmetic."""
    return f"not {_number_source(operand)}"
