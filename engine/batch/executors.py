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
import signal
import socket
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from lexkb.api import KnowledgeBase
from lexkb.batch.runner import Job, Row, Runner
from lexkb.batch.sources import Item
from lexkb.errors import LexkbError, UsageError

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
    yield from _run_local(job, chunks, jobs)


# ---------------------------------------------------------------- local worker processes


def _run_local(job: Job, chunks: Iterator[list[Item]], jobs: int) -> Iterator[Row]:
    """The chunks on ``jobs`` worker processes, rows in input order.

    A worker that dies (killed, or by the out-of-memory killer) breaks the whole pool
    (:class:`BrokenProcessPool`): a fresh pool then runs every unfinished chunk again,
    one at a time. If a chunk breaks the pool again, alone, the batch stops with an error
    naming its rows — never a hang, never rows silently missing, never another chunk blamed.
    """
    import multiprocessing
    from concurrent.futures import Future, ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    # fork where the platform has it: workers start at once; each still loads the KB in _pool_init
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None

    def new_pool() -> ProcessPoolExecutor:
        return ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context(method), initializer=_pool_init,
                                   initargs=(job,))

    pool = new_pool()
    pending: deque[tuple[list[Item], Future[list[Row]]]] = deque()

    def submit(chunk: list[Item]) -> Future[list[Row]]:
        try:
            return pool.submit(_pool_chunk, chunk)
        except BrokenProcessPool as broken:  # the pool broke since the last wait: settled in first_done
            failed: Future[list[Row]] = Future()
            failed.set_exception(broken)
            return failed

    def first_done() -> list[Row]:
        nonlocal pool
        chunk, future = pending[0]
        try:
            rows = future.result()
        except BrokenProcessPool:
            # Every chunk in flight fails with the pool, whichever killed it: the unfinished ones
            # run again one at a time in a fresh pool, so the one that kills its worker alone is
            # the one named (running them together again would blame the first in line).
            pool.shutdown(wait=False, cancel_futures=True)
            pool = new_pool()
            for index, (again, _) in enumerate(pending):
                try:
                    done: Future[list[Row]] = Future()
                    done.set_result(submit(again).result())
                except BrokenProcessPool:
                    raise LexkbError(f"a worker process died twice while running the cases {_rows_of(again)} "
                                     "(killed, or out of memory?); the batch stopped",
                                     hint="run these rows alone with --jobs 1 to see which case does it") from None
                pending[index] = (again, done)
            rows = pending[0][1].result()
        pending.popleft()
        return rows

    try:
        for chunk in chunks:
            pending.append((chunk, submit(chunk)))
            if len(pending) >= jobs * IN_FLIGHT_PER_WORKER:
                yield from first_done()
        while pending:
            yield from first_done()
    except BaseException:
        # Stopped (Ctrl-C, SIGTERM, an error in the parent): nobody will read the rows of the
        # chunks still running, so the workers are stopped now rather than waited for.
        _stop_workers(pool)
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _stop_workers(pool: Any) -> None:
    """Terminate a process pool's workers (Python 3.14 has ``terminate_workers``; before it,
    the pool's own table of processes is the only handle on them)."""
    terminate = getattr(pool, "terminate_workers", None)
    if terminate is not None:
        terminate()
        return
    for process in list(getattr(pool, "_processes", {}).values()):
        process.terminate()


def _rows_of(chunk: list[Item]) -> str:
    """Where a chunk's cases are, for an error: `t.csv:2` to `t.csv:101`, or the case files."""
    where = [item.file if item.kind == "case" else f"{item.file}:{item.line}" for item in chunk]
    return where[0] if len(where) == 1 else f"{where[0]} to {where[-1]} ({len(where)} cases)"

_RUNNER: Runner | BaseException | None = None


def _pool_init(job: Job) -> None:
    global _RUNNER
    # A forked worker inherits the parent's SIGTERM handler (which unwinds the command line);
    # a worker told to stop should just stop.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
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


_ADDRESS = re.compile(r"(?:(?:tcp|tls)://)?\[?([^\]/\s]+?)\]?:(\d{1,5})/?")
"""A Dask scheduler's address: ``tcp://HOST:PORT`` (or ``tls://``, or no scheme: tcp)."""


def _reachable(address: str) -> None:
    """Fail at once on an address that is not one, or a closed port (Dask's client would retry until its timeout)."""
    match = _ADDRESS.fullmatch(address)
    if not match or int(match.group(2)) > 65535:
        raise UsageError(f"--scheduler {address!r} is not a Dask scheduler address",
                         hint="write it as tcp://HOST:PORT, e.g. tcp://10.0.0.5:8786")
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
