"""Child process: time one engine on one workload, report JSON on stdout's last line.

    python -m bench.measure ENGINE KIND SIZE [--repeats 3]

Each engine runs in a process of its own so that its peak memory is its own. Peak
resident set size of the whole process (interpreter, engine library, data) is read
from Linux's ``/proc/self/status`` ``VmHWM`` — the high-water mark of this process's
own address space — rather than ``resource.getrusage(RUSAGE_SELF).ru_maxrss``, which
a child inherits from its parent at fork (a parent holding a large canonical answer
would inflate every child's figure). Just before the first timed run (after imports
and workload generation) ``base_mb`` is the current RSS and the high-water mark is
reset (``echo 5 > /proc/self/clear_refs``, again before each run), so ``peak_mb`` is
the peak reached during the timed runs and ``peak_mb - base_mb`` is what evaluation
added; ``eval_peak_mb`` is the peak reached before the answer was first turned into
Python values (the engine's own evaluation, without the Python copy of the answer). Where
/proc is not available, ``ru_maxrss`` is used (``mem_method`` says which).

Timed region of one run: from program text (or raw data, for plain Python) to the
answer as Python values; imports and workload generation are outside it. ``eval`` is
that time minus the part spent turning the engine's result into Python values.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import statistics
import sys
import time
import traceback


def _status_mb(field: str):
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return None


def _maxrss_mb() -> float:
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024.0 if sys.platform != "darwin" else kb / (1024.0 * 1024.0)


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def _peak_mb(method: str) -> float:
    if method.startswith("VmHWM"):
        v = _status_mb("VmHWM")
        if v is not None:
            return v
    return _maxrss_mb()


def measure(engine: str, kind: str, size: int, repeats: int = 3) -> dict:
    from bench.peers import get_runner
    from bench.peers.base import Clock
    from bench.workloads import answer_digest, answer_size, make, prepare

    out = {"engine": engine, "kind": kind, "size": size}
    runner = get_runner(engine)
    reason = runner.available()
    if reason:
        out["skipped"] = reason
        return out
    w = make(kind, size)
    if not runner.supports(w):
        out["skipped"] = f"{engine} has no encoding of {kind}" if kind != "W4" else "kb/ not present yet"
        return out
    runner.setup()
    prepare(w, engine)
    gc.collect()
    rss = _status_mb("VmRSS")
    if rss is not None and _reset_peak():
        method = "VmHWM (reset before the timed runs)"
        out["base_mb"] = rss
    elif rss is not None:
        method = "VmHWM (whole process)"
        out["base_mb"] = _status_mb("VmHWM")
    else:
        method = "ru_maxrss"
        out["base_mb"] = _maxrss_mb()
    out["mem_method"] = method
    totals, evals, loads, digests, peaks, eval_peaks = [], [], [], [], [], []
    per_run = method.startswith("VmHWM (reset")
    for _ in range(repeats):
        gc.collect()
        if per_run:
            _reset_peak()
        clock = Clock(on_first_extract=lambda: _peak_mb(method))
        t0 = time.perf_counter()
        answer = runner.run(w, clock)
        total = time.perf_counter() - t0
        peaks.append(_peak_mb(method))
        eval_peaks.append(clock.before_extract if clock.before_extract is not None else peaks[-1])
        totals.append(total)
        evals.append(total - clock.extract)
        loads.append(clock.load)
        digests.append(answer_digest(answer))
        out["count"] = answer_size(answer)
        if hasattr(w, "summarize"):
            out["summary"] = w.summarize(answer)
        del answer
    out["peak_mb"] = max(peaks)
    # peak before the answer was first turned into Python values: the engine's own
    # evaluation (per-case workloads extract after the first case, so there it is
    # only the first case's)
    out["eval_peak_mb"] = max(eval_peaks)
    out["totals"] = totals
    out["evals"] = evals
    out["total"] = statistics.median(totals)
    out["eval"] = statistics.median(evals)
    out["loads"] = loads
    out["load"] = statistics.median(loads)
    out["digest"] = digests[0]
    out["stable"] = len(set(digests)) == 1
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("engine")
    ap.add_argument("kind")
    ap.add_argument("size", type=int)
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args(argv)
    try:
        res = measure(a.engine, a.kind, a.size, a.repeats)
    except Exception as exc:
        res = {"engine": a.engine, "kind": a.kind, "size": a.size,
               "error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc()}
    sys.stdout.write("\n" + json.dumps(res) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
