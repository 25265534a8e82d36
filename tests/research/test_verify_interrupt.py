"""Ctrl-C during verify: z3 catches SIGINT itself and answers "unknown"; verify must stop (exit 130, no report)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("z3")

SLOW = Path(__file__).parents[1] / "hostile" / "verify-unknown-is-not-proved" / "factoring.rules"


def test_ctrl_c_inside_a_z3_query_stops_verify_with_130_and_no_report() -> None:
    command = [sys.executable, "-c", "from lexkb.cli import main; main()", "verify", str(SLOW), "--timeout", "60"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(3)  # loaded and encoded: the first query (factoring) now runs for up to 60 s
    assert process.poll() is None, process.communicate()
    started = time.monotonic()
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=5)
    assert time.monotonic() - started < 5
    assert process.returncode == 130, (out, err)
    assert out == ""  # no report: neither findings nor a "Proved" statement
    assert "Interrupted." in err and "Traceback" not in err
