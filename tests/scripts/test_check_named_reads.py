"""scripts/check_named_reads.py: exact on a rule base with a reference table; bad input refused plainly (exit 2)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("z3")


@pytest.fixture
def check(tool: Callable[..., Any]) -> Any:
    return tool("scripts/check_named_reads.py")


def test_the_outlines_find_what_the_walk_finds(check: Any) -> None:
    done = check("tests/fixtures/research/table_planted.rules")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "exact: the same definitions, in the same order" in done.stdout


@pytest.mark.parametrize(("args", "words"), [
    (["no/such/kb"], "no such file or folder: no/such/kb"),
    (["kb", "extra"], "unrecognized arguments: extra"),
])
def test_bad_arguments_are_refused_plainly(check: Any, args: list[str], words: str) -> None:
    check.refuses(args, words)


def test_rules_that_do_not_load_are_refused_plainly(check: Any, tmp_path: Path) -> None:
    broken = tmp_path / "broken.rules"
    broken.write_text("rule r: a if\n")
    done = check.refuses([str(broken)], "broken.rules:1:")
    assert done.stdout == ""
