"""The limits on what lexkb reads and computes, so hostile input ends in a plain error.

Without them, a file of ``/dev/zero``, an integer literal of a million digits
or a rule that squares its own conclusion runs until memory is gone. Each
limit has a default generous for any real rule base and can be changed for
a run through an environment variable (docs/cli.md, "Limits").
"""

from __future__ import annotations

import os

PYTHON_INTEGER_DIGITS = 4300
"""Python converts integers of at most this many digits to and from text (``sys.get_int_max_str_digits``)."""


def _setting(variable: str, default: int, most: int | None = None) -> int:
    """A positive whole number from the environment, else the default; a bad value is ignored for the default."""
    raw = os.environ.get(variable, "")
    if not raw.strip().isdigit() or int(raw) < 1:
        return default
    return min(int(raw), most) if most is not None else int(raw)


MAX_INTEGER_DIGITS = _setting("LEXKB_MAX_INTEGER_DIGITS", 1000, most=PYTHON_INTEGER_DIGITS - 1)
"""Digits an integer may have, written in a file or computed by a rule (LEXKB_MAX_INTEGER_DIGITS)."""

INTEGER_BOUND = 10 ** MAX_INTEGER_DIGITS
"""An integer is within the limit when ``-INTEGER_BOUND < n < INTEGER_BOUND``."""

MAX_NESTING = _setting("LEXKB_MAX_NESTING", 100, most=200)
"""Levels a condition or term may nest (``not (not (…))``, parentheses, ``?a + ?b + …``), so that the
code walking it recursively stays far from Python's recursion limit (LEXKB_MAX_NESTING, at most 200)."""

MAX_FILE_BYTES = _setting("LEXKB_MAX_FILE_BYTES", 64 * 1024 * 1024)
"""Bytes a rules, case or source file may have (LEXKB_MAX_FILE_BYTES); only regular files are read."""


class IntegerTooLarge(ArithmeticError):
    """Raised by generated code when arithmetic leaves the integer limit; carries the branch's id."""

    def __init__(self, branch: int) -> None:
        super().__init__(branch)
        self.branch = branch
