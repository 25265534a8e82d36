"""bench.verify_time refuses what it cannot measure with a plain message (exit 2), never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).parents[2]


def _bench(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bench.verify_time", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(("args", "words"), [
    (["no/such/kb", "--runs", "0"], "no such file or folder: no/such/kb"),
    (["kb", "--runs", "-1"], "expected a whole number of runs"),
    (["kb", "--steps", "two"], "expected a whole number of runs"),
    (["kb", "--cases", "no/such/cases", "--runs", "0"], "no such file or folder: no/such/cases"),
])
def test_bad_arguments_are_refused_plainly(args: list[str], words: str) -> None:
    done = _bench(*args)
    assert done.returncode == 2 and words in done.stderr and "Traceback" not in done.stderr


def test_rules_that_do_not_load_are_refused_plainly(tmp_path: Path) -> None:
    broken = tmp_path / "broken.rules"
    broken.write_text("rule r: a if\n")
    done = _bench(str(broken), "--runs", "0", "--steps", "1")
    assert done.returncode == 2 and "broken.rules" in done.stderr and "Traceback" not in done.stderr
    assert done.stdout == ""
