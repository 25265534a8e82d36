"""Child process: time one engine on one workload, report JSON on stdout's last line.

    python -m bench.measure ENGINE KIND SIZE [--repeats 3]

Each engine runs in a process of its own so that its peak memory can be read with
``resource.getrusage(RUSAGE_SELF).ru_maxrss`` (peak resident set size of the whole
process: interpreter, engine library and data). ``base_mb`` is the same figure taken
after the imports and the workload generation, just before the first timed run, so
``peak_mb - base_mb`` is what evaluating the workload added.

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


def _maxrss_mb() -> float:
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024.0 if sys.platform != "darwin" else kb / (1024.0 * 1024.0)


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
    out["base_mb"] = _maxrss_mb()
    totals, evals, digests = [], [], []
    for _ in range(repeats):
        clock = Clock()
        gc.collect()
        t0 = time.perf_counter()
        answer = runner.run(w, clock)
        total = time.perf_counter() - t0
        totals.append(total)
        evals.append(total - clock.extract)
        digests.append(answer_digest(answer))
        out["count"] = answer_size(answer)
        del answer
    out["peak_mb"] = _maxrss_mb()
    out["totals"] = totals
    out["evals"] = evals
    out["total"] = statistics.median(totals)
    out["eval"] = statistics.median(evals)
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
