"""A batch stopped by SIGTERM leaves no partial output and no worker processes; a partial
left by a run killed with -9 (which nothing can catch) is removed by the next run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LEXKB = [sys.executable, "-c", "from lexkb.cli import main; main()"]


def children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        text = (task / "children").read_text() if (task / "children").exists() else ""
        found.update(int(c) for c in text.split())
    return found


def test_sigterm_during_batch_removes_the_partial_output_and_stops_the_workers(tmp_path: Path) -> None:
    table = tmp_path / "cases.csv"
    subprocess.run([sys.executable, str(ROOT / "tests/fixtures/batch/make_cases.py"), "60000", str(table)], check=True)
    out = tmp_path / "out.jsonl"
    batch = subprocess.Popen([*LEXKB, "batch", str(ROOT / "kb"), str(table), "-o", str(out), "--jobs", "2"],
                             cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    workers: set[int] = set()
    while time.monotonic() < deadline:  # wait until rows are being written by the workers
        workers |= children(batch.pid)
        partial = list(tmp_path.glob(".out.jsonl.lexkb-partial-*"))
        if partial and partial[0].stat().st_size > 0 and len(workers) >= 2:
            break
        time.sleep(0.05)
    else:
        batch.kill()
        raise AssertionError("the batch never started writing")
    batch.send_signal(signal.SIGTERM)
    _, err = batch.communicate(timeout=30)
    assert batch.returncode == 143, err
    assert "Terminated." in err and "Traceback" not in err
    assert not out.exists()
    assert list(tmp_path.glob(".out.jsonl*")) == []
    time.sleep(0.5)
    assert [w for w in workers if Path(f"/proc/{w}").exists()
            and "zombie" not in (Path(f"/proc/{w}/status").read_text())] == []


def test_a_partial_left_by_a_killed_run_is_removed_by_the_next(tmp_path: Path) -> None:
    from lexkb.cli.common import write_atomically

    dead = 2 ** 22 + 12345  # above the default pid_max: no such process
    stale = tmp_path / f".out.txt.lexkb-partial-{dead}-abc123"
    stale.write_text("half a file")
    mine = tmp_path / f".out.txt.lexkb-partial-{os.getpid()}-def456"  # a live writer's: left alone
    mine.write_text("being written")
    other = tmp_path / ".notes.txt.lexkb-partial-1-x"  # another file's partial: not ours to remove
    other.write_text("x")
    write_atomically(str(tmp_path / "out.txt"), b"done")
    assert (tmp_path / "out.txt").read_bytes() == b"done"
    assert not stale.exists() and mine.exists() and other.exists()
