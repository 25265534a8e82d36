"""Where a batch runs: in this process, in local worker processes, or on a Dask cluster.

Every executor takes the lazily read :class:`~lexkb.batch.sources.Item`
stream, cuts it into chunks, keeps only a few chunks per worker in flight
(so memory stays flat however many cases there are) and yields the finished
rows in input order, so the output does not depend on the executor or the
number of workers. Each worker loads the knowledge base once, from the
:class:`~lexkb.batch.runner.Job`.
"""

from __future__ import annotations

import os
import re
import socket
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from lexkb.api import KnowledgeBase
from lexkb.batch.runner import Job, Row, Runner
from lexkb.batch.sources import Item
from lexkb.errors import UsageError

CHUNK_SIZE = 100
IN_FLIGHT_PER_WORKER = 4  # chunks queued per worker: enough to keep it busy, few enough to bound memory
DASK_CHUNKS_PER_TASK = 5


def run(job: Job, stream: Iterable[Item], *, jobs: int | None = None, scheduler: str | None = None,
        kb: KnowledgeBase | None = None, chunk_size: int = CHUNK_SIZE) -> Iterator[Row]:
    """Run every case of ``stream``, yielding its :class:`Row` in input order.

    ``jobs`` worker processes (default: all cores; 1 runs in this process,
    reusing ``kb`` if given), or the Dask cluster at ``scheduler``. Memory is
    bounded: at most a few chunks per worker are in flight.
    """
    if scheduler is not None:
        # a Dask task costs the scheduler and client a millisecond or so: bigger chunks, fewer tasks
        yield from _run_dask(job, _chunks(stream, chunk_size * DASK_CHUNKS_PER_TASK), scheduler)
        return
    chunks = _chunks(stream, chunk_size)
    jobs = jobs or os.cpu_count() or 1
    if jobs == 1:
        runner = Runner(job, kb)
        for chunk in chunks:
            yield from runner.run_chunk(chunk)
        return
    import multiprocessing

    # fork where the platform has it: workers start at once; each still loads the KB in _pool_init
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    with multiprocessing.get_context(method).Pool(jobs, initializer=_pool_init, initargs=(job,)) as pool:
        yield from _windowed(lambda c: pool.apply_async(_pool_chunk, (c,)), lambda r: r.get(), chunks,
                             jobs * IN_FLIGHT_PER_WORKER)


# ---------------------------------------------------------------- local worker processes

_RUNNER: Runner | BaseException | None = None


def _pool_init(job: Job) -> None:
    global _RUNNER
    try:
        _RUNNER = Runner(job)
    except BaseException as error:  # a pool whose initializer raises restarts it forever
        _RUNNER = error


def _pool_chunk(chunk: list[Item]) -> list[Row]:
    if not isinstance(_RUNNER, Runner):
        raise _RUNNER or RuntimeError("worker not initialised")
    return _RUNNER.run_chunk(chunk)


# ---------------------------------------------------------------- Dask

_DASK_RUNNERS: dict[Job, Runner] = {}


def dask_chunk(job: Job, chunk: list[Item]) -> list[Row]:
    """A Dask task: run a chunk, loading the knowledge base once per worker process."""
    runner = _DASK_RUNNERS.get(job)
    if runner is None:
        runner = _DASK_RUNNERS[job] = Runner(job)
    return runner.run_chunk(chunk)


def _run_dask(job: Job, chunks: Iterator[list[Item]], address: str) -> Iterator[Row]:
    try:
        from distributed import Client
    except ImportError:
        raise UsageError("--scheduler needs Dask: pip install 'lexkb[dask]'") from None
    try:
        _reachable(address)
        client = Client(address, timeout="10s", set_as_default=False)
    except (OSError, TimeoutError) as error:
        raise UsageError(f"cannot reach the Dask scheduler at {address}: {error}",
                         hint="start one with `dask scheduler` and workers with `dask worker ADDRESS`") from None
    with client:
        workers = max(1, sum(w.get("nthreads", 1) for w in client.scheduler_info()["workers"].values()))
        yield from _windowed(lambda c: client.submit(dask_chunk, job, c, pure=False), lambda f: f.result(), chunks,
                             workers * IN_FLIGHT_PER_WORKER)


def _reachable(address: str) -> None:
    """Fail at once on a closed port (Dask's client would retry until its timeout)."""
    match = re.fullmatch(r"tcp://\[?([^\]]+?)\]?:(\d+)", address)
    if match:
        socket.create_connection((match.group(1), int(match.group(2))), timeout=5).close()


# ---------------------------------------------------------------- chunks in flight


def _chunks(stream: Iterable[Item], size: int) -> Iterator[list[Item]]:
    chunk: list[Item] = []
    for item in stream:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _windowed(submit: Callable[[list[Item]], Any], wait: Callable[[Any], list[Row]],
              chunks: Iterator[list[Item]], window: int) -> Iterator[Row]:
    """Keep at most ``window`` chunks in flight; yield rows in input order."""
    pending: deque[Any] = deque()
    for chunk in chunks:
        pending.append(submit(chunk))
        if len(pending) >= window:
            yield from wait(pending.popleft())
    while pending:
        yield from wait(pending.popleft())
