"""Runtime values: integers, exact decimals, dates, symbols and strings.

Decimals are :class:`decimal.Decimal` (``3.9`` is exactly 3.9, never a binary
float); an integer and a decimal of the same value are equal (``3 = 3.0``).

Symbols are plain ``str`` (the common case, and the fastest to hash and
compare); strings are ``Text``, a ``str`` subclass that never equals a symbol
of the same spelling. Writing values as rule-language text is
:mod:`lexkb.language.format`'s job.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Union


class Text(str):
    """A quoted string value, distinct from the symbol with the same letters."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Text) and str.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return hash(("Text", str(self)))

    def __repr__(self) -> str:
        return f"Text({str.__repr__(self)})"


Symbol = str
Value = Union[int, Decimal, datetime.date, str]

_KIND_ORDER = {int: 0, Decimal: 0, datetime.date: 1, str: 2, Text: 3}  # numbers by value


def kind_of(value: Value) -> str:
    """The language's name for a value's kind: int, decimal, date, symbol or string."""
    if isinstance(value, bool):
        raise TypeError("booleans are not lexkb values")
    if isinstance(value, int):
        return "int"
    if isinstance(value, Decimal):
        return "decimal"
    if isinstance(value, datetime.date):
        return "date"
    if isinstance(value, Text):
        return "string"
    return "symbol"


def sort_key(value: Value) -> tuple[int, object]:
    """A total order over values of mixed kinds (for deterministic output)."""
    return (_KIND_ORDER[type(value)], value if not isinstance(value, str) else str(value))


def args_key(args: tuple[Value, ...]) -> tuple[tuple[int, object], ...]:
    """The order of argument tuples: value by value, by :func:`sort_key`."""
    return tuple(sort_key(v) for v in args)


def to_json(value: Value) -> object:
    """A value in the public JSON output: integers as numbers, dates as YYYY-MM-DD, text; a decimal as a
    string of its exact digits (``"1122805.74"``), as most JSON readers would turn a number into a
    binary float."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, str):
        return str(value)
    return value


def decimal_text(value: Decimal) -> str:
    """A decimal's exact digits with a decimal point and no exponent: ``3.9``, ``-0.5``, ``0.0000001``, ``3.0``."""
    text = format(value, "f")
    return text if "." in text else text + ".0"
