"""bench.verify_time refuses what it cannot measure with a plain message (exit 2), never a traceback."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def bench(tool: Callable[..., Any]) -> Any:
    return tool("-m", "bench.verify_time")


@pytest.mark.parametrize(("args", "words"), [
    (["no/such/kb", "--runs", "0"], "no such file or folder: no/such/kb"),
    (["kb", "--runs", "-1"], "expected a whole number of runs"),
    (["kb", "--steps", "two"], "expected a whole number of runs"),
    (["kb", "--cases", "no/such/cases", "--runs", "0"], "no such file or folder: no/such/cases"),
])
def test_bad_arguments_are_refused_plainly(bench: Any, args: list[str], words: str) -> None:
    bench.refuses(args, words)


def test_rules_that_do_not_load_are_refused_plainly(bench: Any, tmp_path: Path) -> None:
    broken = tmp_path / "broken.rules"
    broken.write_text("rule r: a if\n")
    done = bench.refuses([str(broken), "--runs", "0", "--steps", "1"], "broken.rules")
    assert done.stdout == ""
