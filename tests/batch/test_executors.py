"""Executors: this process, worker processes and Dask give the same rows, in input order, with bounded memory."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from lexkb.batch.executors import IN_FLIGHT_PER_WORKER, run
from lexkb.batch.runner import Job, Row, Runner
from lexkb.batch.sources import Item
from lexkb.errors import LexkbError

from .conftest import small_table

if TYPE_CHECKING:
    from conftest import Lexkb


def test_jobs_1_and_2_write_the_same_bytes(here: Path, lexkb: Lexkb) -> None:
    small_table(here / "many.csv", 450)
    for jobs, name in (("1", "one.csv"), ("2", "two.csv")):
        done = lexkb("batch", "kb", "many.csv", "good", "-o", name, "--jobs", jobs)
        assert done.code == 0, done.err
    one = (here / "one.csv").read_bytes()
    assert one == (here / "two.csv").read_bytes()
    names = [line.split(",", 1)[0] for line in one.decode().splitlines()[1:]]
    assert names == [f"c{n}" for n in range(450)] + ["denied", "granted"]


def test_cases_are_read_lazily_with_a_bounded_number_in_flight(here: Path) -> None:
    pulled = 0

    def endless() -> Iterator[Item]:
        nonlocal pulled
        while True:
            pulled += 1
            yield Item("jsonl", "gen", pulled, '{"level": 5, "category": "drug", "range": [1, 9]}')

    stream = run(Job((str(here / "kb"),)), endless(), jobs=2, chunk_size=10)
    for count, row in enumerate(stream, 1):
        assert row.outcomes == ("grant",)
        if count == 500:
            break
    stream.close()  # type: ignore[attr-defined]
    assert pulled <= 500 + 2 * IN_FLIGHT_PER_WORKER * 10 + 10


@pytest.mark.dask
def test_dask_local_cluster_gives_the_same_output(here: Path, lexkb: Lexkb) -> None:
    distributed = pytest.importorskip("distributed")
    small_table(here / "many.csv", 1200)  # three Dask tasks of 500 cases
    args = ["batch", "kb", "many.csv", "cases", "bad.csv"]
    local_code = lexkb(*args, "-o", "local.jsonl", "--jobs", "2").code
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        done = lexkb(*args, "-o", "dask.jsonl", "--scheduler", cluster.scheduler_address)
    assert done.code == local_code == 2, done.err  # broken.case and bad.csv's rows
    assert (here / "dask.jsonl").read_bytes() == (here / "local.jsonl").read_bytes()
    assert "1,207 cases" in done.err


@pytest.mark.dask
def test_an_unreachable_scheduler_is_a_usage_error(here: Path, lexkb: Lexkb) -> None:
    pytest.importorskip("distributed")
    done = lexkb("batch", "kb", "table.csv", "-o", "out.jsonl", "--scheduler", "tcp://127.0.0.1:9")
    assert done.code == 2
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in done.err
    assert not (here / "out.jsonl").exists()


def _stream(count: int) -> Iterator[Item]:
    for line in range(1, count + 1):
        yield Item("jsonl", "gen", line, '{"level": 5, "category": "drug", "range": [1, 9]}')


def test_a_worker_killed_mid_batch_has_its_rows_run_again(here: Path) -> None:
    """kill -9 of a worker (or the OOM killer) breaks the pool: a fresh one re-runs what was unfinished."""
    started = time.monotonic()
    stream = run(Job((str(here / "kb"),)), _stream(3000), jobs=2, chunk_size=10)
    lines = []
    for row in stream:
        lines.append(json.loads(row.text)["where"])
        if len(lines) == 100:
            workers = multiprocessing.active_children()
            assert workers
            os.kill(workers[0].pid or 0, signal.SIGKILL)
    assert lines == [f"gen:{n}" for n in range(1, 3001)]  # every row, once, in order
    assert time.monotonic() - started < 10


def test_a_chunk_that_kills_its_worker_twice_stops_the_batch_naming_its_rows(
        here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    original = Runner.run_chunk

    def dies_on_row_55(self: Runner, chunk: list[Item]) -> list[Row]:
        if any(item.line == 55 for item in chunk):
            os._exit(9)  # as if killed: the worker vanishes without a word
        return original(self, chunk)

    monkeypatch.setattr(Runner, "run_chunk", dies_on_row_55)  # inherited by the forked workers
    started = time.monotonic()
    with pytest.raises(LexkbError, match=r"a worker process died twice while running the cases gen:51 to gen:60"):
        list(run(Job((str(here / "kb"),)), _stream(500), jobs=2, chunk_size=10))
    assert time.monotonic() - started < 10
