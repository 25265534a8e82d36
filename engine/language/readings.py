"""A predicate's English reading, with the values of one fact put in its placeholders.

``offense_level(?l) reads "the total offense level was ?l"`` makes
``offense_level(31)`` read "the total offense level was 31". A reading may say
how English denies it (``not "the amendment does not lower the range"``); one
that does not is denied as "it is not established that …", which is what
``not X`` means in lexkb (nothing establishes X).

Explanations, ``run``, why-not and what-if all read atoms through
:class:`Readings`, so a predicate reads the same everywhere; the checks
(:mod:`lexkb.compile.readings`) use :func:`placeholders` to refuse a text
naming a value the predicate does not have.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping, Sequence

from lexkb.language import ast
from lexkb.values import Text, Value

PLACEHOLDER = re.compile(r"\?([A-Za-z][A-Za-z0-9_]*)")
UNKNOWN = "some value"  # a value an explanation does not know (why-not tried any value there)
GENERIC_DENIAL = "it is not established that "


def placeholders(text: str) -> list[re.Match[str]]:
    """The ``?name`` placeholders of a reading's text, in order."""
    return list(PLACEHOLDER.finditer(text))


def english_value(value: Value | None) -> str:
    """A value as a sentence shows it: dates as "October 24, 2012", symbols with spaces for
    underscores, text without quotes, an unknown value as "some value"."""
    if value is None:
        return UNKNOWN
    if isinstance(value, Text):
        return str(value)
    if isinstance(value, datetime.date):
        return f"{value:%B} {value.day}, {value.year}"
    if isinstance(value, str):
        return value.replace("_", " ")
    return str(value)


def _fill(text: str, parameters: Sequence[str], values: Sequence[Value | None]) -> str:
    by_name = dict(zip(parameters, values))
    return PLACEHOLDER.sub(lambda m: english_value(by_name[m.group(1)]) if m.group(1) in by_name else m.group(0),
                           text)


class Readings:
    """The readings of a knowledge base, by predicate; empty for a knowledge base without any."""

    def __init__(self, readings: Mapping[str, ast.Reading]) -> None:
        self._readings = readings

    def __bool__(self) -> bool:
        return bool(self._readings)

    def positive(self, predicate: str, values: Sequence[Value | None]) -> str | None:
        """The fact in English (``None``: the predicate has no reading, or a value is an unknown)."""
        reading = self._readings.get(predicate)
        if reading is None:
            return None
        return _fill(reading.text.text, _parameters(reading), values)

    def negative(self, predicate: str, values: Sequence[Value | None]) -> str | None:
        """The fact denied in English: the reading's own ``not "…"``, else "it is not established that …"."""
        reading = self._readings.get(predicate)
        if reading is None:
            return None
        if reading.negative is not None:
            return _fill(reading.negative.text, _parameters(reading), values)
        return GENERIC_DENIAL + _fill(reading.text.text, _parameters(reading), values)

    def has_own_negative(self, predicate: str) -> bool:
        reading = self._readings.get(predicate)
        return reading is not None and reading.negative is not None


def _parameters(reading: ast.Reading) -> list[str]:
    return [a.name if isinstance(a, ast.Variable) else "" for a in reading.atom.args]


NO_READINGS = Readings({})
