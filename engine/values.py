"""Runtime values: integers, dates, symbols and strings.

Symbols are plain ``str`` (the common case, and the fastest to hash and
compare); strings are ``Text``, a ``str`` subclass that never equals a symbol
of the same spelling. Writing values as rule-language text is
:mod:`lexkb.language.format`'s job.
"""

from __future__ import annotations

import datetime
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
Value = Union[int, datetime.date, str]

_KIND_ORDER = {int: 0, datetime.date: 1, str: 2, Text: 3}


def kind_of(value: Value) -> str:
    """The language's name for a value's kind: int, date, symbol or string."""
    if isinstance(value, bool):
        raise TypeError("booleans are not lexkb values")
    if isinstance(value, int):
        return "int"
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
    """A value in the public JSON output: numbers, dates as YYYY-MM-DD, text."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str):
        return str(value)
    return value
