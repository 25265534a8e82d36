"""The value rules of the language, stated once: what a term computes, how values compare, what fails.

- Arithmetic (``+ - *``) and ``min``/``max`` are on integers only; on any
  other kind the term has no value (``FAIL``) and the match is skipped.
- ``=`` and ``!=`` compare any two values; values of different kinds are
  never equal (a string never equals the symbol with the same letters).
- ``< <= > >=`` hold only between two integers or two dates
  (:data:`ORDERED_KINDS`); between any other pair they are false, never an error.

Three evaluators follow these rules: the interpreter calls the functions
below (:func:`term_value`, :func:`compare`); the compiled plans are generated
from the ``*_source`` templates; the z3 encoding builds its formulas from the
same tables (:data:`ORDERINGS`, :data:`ARITHMETIC`, :data:`FUNCTIONS` work on
z3 integers too, and :data:`ORDERED_KINDS` says which kinds it must encode).
"""

from __future__ import annotations

import datetime
import operator
from collections.abc import Callable, Mapping
from typing import Any

from lexkb.language import ast
from lexkb.values import Text, Value

FAIL: Any = object()  # a term that cannot be computed (arithmetic on a non-number, an unbound variable)

ORDERED_KINDS: tuple[type, ...] = (int, datetime.date)
"""The kinds ordered by ``< <= > >=``: two values of one of these kinds, anything else is false."""

ARITHMETIC_KIND = int
"""The only kind arithmetic and ``min``/``max`` accept (and return)."""

EQUALITIES: dict[str, Callable[[Any, Any], Any]] = {"=": operator.eq, "!=": operator.ne}
ORDERINGS: dict[str, Callable[[Any, Any], Any]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
ARITHMETIC: dict[str, Callable[[Any, Any], Any]] = {"+": operator.add, "-": operator.sub, "*": operator.mul}
FUNCTIONS: dict[str, str] = {"min": "<=", "max": ">="}
"""``f(a, b)`` is ``a`` when ``a <op> b`` holds, else ``b``: the ordering each function picks by."""

# ---------------------------------------------------------------- the interpreter


def compare(op: str, left: Value, right: Value) -> bool:
    """A comparison between two values."""
    if op in EQUALITIES:
        return bool(EQUALITIES[op](left, right))
    if type(left) is not type(right) or type(left) not in ORDERED_KINDS:
        return False
    return bool(ORDERINGS[op](left, right))


def arithmetic(op: str, left: Any, right: Any) -> Any:
    """``left op right`` on integers; ``FAIL`` for any other operand."""
    if type(left) is not ARITHMETIC_KIND or type(right) is not ARITHMETIC_KIND:
        return FAIL
    return ARITHMETIC[op](left, right)


def call(function: str, left: Any, right: Any) -> Any:
    """``min``/``max`` of two integers; ``FAIL`` for any other argument."""
    if type(left) is not ARITHMETIC_KIND or type(right) is not ARITHMETIC_KIND:
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

_KIND_SOURCE = {int: "int", datetime.date: "_date"}

GENERATED_NAMESPACE: dict[str, object] = {"_date": datetime.date, "Text": Text}
"""The names the generated code refers to (besides its own constants)."""


def comparison_source(op: str, left: str, right: str) -> str:
    """Python source for ``left op right`` on two already-computed operands (plain names or literals)."""
    if op in EQUALITIES:
        return f"{left} {'==' if op == '=' else '!='} {right}"
    kinds = " or ".join(f"type({left}) is {_KIND_SOURCE[kind]}" for kind in ORDERED_KINDS)
    return f"type({left}) is type({right}) and ({kinds}) and {left} {op} {right}"


def arithmetic_source(op: str, left: str, right: str) -> str:
    """Python source for ``left op right`` on operands already known to be integers."""
    if op not in ARITHMETIC:
        raise ValueError(f"no arithmetic operator {op}")
    return f"{left} {op} {right}"


def call_source(function: str, left: str, right: str) -> str:
    """Python source for ``min``/``max`` on operands already known to be integers."""
    return f"{left} if {left} {FUNCTIONS[function]} {right} else {right}"


def not_arithmetic_source(operand: str) -> str:
    """Python source that is true when an operand cannot take part in arithmetic."""
    return f"type({operand}) is not {_KIND_SOURCE[ARITHMETIC_KIND]}"
