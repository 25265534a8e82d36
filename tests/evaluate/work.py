"""Work measured as lines of Python executed, not seconds: a cost that must stay linear is tested by
running the same thing at two sizes and comparing counts, which do not vary with the machine's load.

A quadratic loop shows even where it calls no function (a scan over a list compares in place), which a
count of calls would miss; work done inside C (a sort, a dict lookup) is not counted, and is not where
the cost has grown by accident before.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any, TypeVar

import lexkb

T = TypeVar("T")

PACKAGE = Path(lexkb.__file__).parent

# Two rules and a line of edges: reach(n<steps>) rests on a recursive derivation `steps` rules deep.
REACH_RULES = """\
input start(symbol)
input edge(symbol, symbol)
rule base: reach(?x) if start(?x)
rule step: reach(?y) if reach(?x) and edge(?x, ?y)
"""


def edges_case(steps: int) -> str:
    """A case file's text: ``start(n0)`` and ``steps`` edges ``n0 → n1 → …``."""
    return 'case edges "a generated chain"\nstart(n0)\n' + "".join(f"edge(n{i}, n{i + 1})\n" for i in range(steps))


def lines_run(call: Callable[[], T], under: Path = PACKAGE, skip: frozenset[str] = frozenset()) -> tuple[T, int]:
    """``call()``'s result and how many lines of the Python files in ``under`` it executed, not counting
    the functions named in ``skip`` nor anything they call."""
    count = 0
    skipping = 0  # > 0 while inside a skipped function
    folder = str(under)

    def in_frame(frame: FrameType, event: str, arg: Any) -> Callable[..., Any]:
        nonlocal count
        if event == "line":
            count += 1
        return in_frame

    def in_skipped(frame: FrameType, event: str, arg: Any) -> Callable[..., Any]:
        nonlocal skipping
        if event == "return":  # also at each yield of a generator; its resumption is a new call
            skipping -= 1
        return in_skipped

    def on_call(frame: FrameType, event: str, arg: Any) -> Callable[..., Any] | None:
        nonlocal skipping
        if skipping:
            return None
        if frame.f_code.co_name in skip:
            skipping += 1
            return in_skipped
        return in_frame if frame.f_code.co_filename.startswith(folder) else None

    old = sys.gettrace()
    sys.settrace(on_call)
    try:
        result = call()
    finally:
        sys.settrace(old)
    return result, count
