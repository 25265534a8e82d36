"""How long `lexkb verify` takes on a knowledge base, whole and by step (issue 10's target: kb/ in 15 s).

    python -m bench.verify_time                 # kb/, 5 runs of the command, then 1 run by step
    python -m bench.verify_time --runs 10 --steps 3
    python -m bench.verify_time path/to/kb --cases path/to/cases

Each run of the command is a fresh process (`lexkb verify KB --format json`), timed
from start to exit, one after another; its report must be clean with nothing
searched and nothing given up, or the benchmark says so and exits 1. The runs by
step are made in this process and say where the time went: building the encoding,
finding the definitions each question reads, moving them into the question's own
z3 context, z3 itself, the cases one change away, and the rest. A benchmark, not a
test: the machine's speed varies from run to run (by up to half on this 2-core
machine), so look at the median and the spread, and run nothing else meanwhile.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if __package__ in (None, ""):  # run as a script: .venv/bin/python bench/verify_time.py
    sys.path.insert(0, str(REPO))


def command_runs(kb: str, runs: int, cases: str | None) -> list[float]:
    """Wall-clock seconds of each run of the command; exits 1 if a report is not a whole, clean proof."""
    command = [sys.executable, "-c", "from lexkb.cli import main; main()",
               "verify", kb, "--format", "json", *(["--cases", cases] if cases else [])]
    times = []
    for number in range(1, runs + 1):
        started = time.perf_counter()
        done = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
        elapsed = time.perf_counter() - started
        try:
            report = json.loads(done.stdout)
        except json.JSONDecodeError:
            sys.exit(f"run {number}: exit {done.returncode}, no report: {done.stderr.strip()[-500:]}")
        whole = report.get("clean") and not report.get("searched") and not report.get("gave_up")
        print(f"run {number}: {elapsed:6.2f} s  {'clean, nothing searched or given up' if whole else 'NOT a whole clean proof'}")
        if not whole:
            sys.exit(1)
        times.append(elapsed)
    return times


def step_run(kb_path: str, cases: str | None) -> Counter[str]:
    """Seconds spent in each step of one verify, in this process (each step's own time, not its callees')."""
    import lexkb
    from lexkb.errors import LexkbError
    from lexkb.language.cases import load_case
    from lexkb.research import named, symbolic
    from lexkb.research.verify import dead, solver
    from lexkb.research.verify.verifier import verify

    spent: Counter[str] = Counter()
    stack: list[str] = []
    originals: list[tuple[Any, str, Any]] = []

    def timed(owner: Any, attribute: str, step: str) -> None:
        original = getattr(owner, attribute)
        originals.append((owner, attribute, original))

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            stack.append(step)
            try:
                return original(*args, **kwargs)
            finally:
                stack.pop()
                elapsed = time.perf_counter() - started
                spent[step] += elapsed
                if stack:
                    spent[stack[-1]] -= elapsed
        setattr(owner, attribute, wrapper)

    started = time.perf_counter()
    folder = cases or (kb_path if Path(kb_path).is_dir() else None)
    paths = sorted(glob.glob(os.path.join(folder, "**", "*.case"), recursive=True)) if folder else []
    try:
        kb = lexkb.load(kb_path)
        examples = [kb.run(load_case(path)) for path in paths]
    except LexkbError as error:  # rules or a case that `lexkb verify` itself would refuse: said as plainly
        print(f"bench.verify_time: {error}", file=sys.stderr)
        sys.exit(2)
    spent["loading the rules and running the decided cases"] = time.perf_counter() - started
    steps: list[tuple[Any, str, str]] = [
        (symbolic.Encoding, "__init__", "building the encoding"),
        (named.NamedGuards, "definitions", "finding the definitions a question reads"),
        (solver.BoundedSolver, "_moved", "moving a question into its own z3 context"),
        (solver, "decide", "z3"),
        (dead, "live_nearby", "the cases one change away"),
    ]
    for owner, attribute, step in steps:
        timed(owner, attribute, step)
    try:
        started = time.perf_counter()
        report = verify(kb, examples=examples)
        total = time.perf_counter() - started
    finally:
        for owner, attribute, original in reversed(originals):
            setattr(owner, attribute, original)
    spent["the rest of verify"] = total - sum(v for k, v in spent.items() if not k.startswith("loading"))
    if not report.clean:
        sys.exit("the report is not clean")
    return spent


def _count(text: str) -> int:
    """A number of runs: a whole number, 0 or more."""
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"expected a whole number of runs, 0 or more, not {text!r}")
    return int(text)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kb", nargs="?", default="kb", help="the knowledge base (default: kb, the bundled one)")
    parser.add_argument("--runs", type=_count, default=5, help="runs of the command (default 5)")
    parser.add_argument("--steps", type=_count, default=1, help="runs by step, in this process (default 1)")
    parser.add_argument("--cases", help="decided cases to use (default: those in the knowledge base's folders)")
    args = parser.parse_args(argv)
    for path in (args.kb, args.cases):
        if path is not None and not Path(path).exists():
            parser.error(f"no such file or folder: {path}")
    times = command_runs(args.kb, args.runs, args.cases) if args.runs > 0 else []
    if times:
        print(f"lexkb verify {args.kb}: median {statistics.median(times):.2f} s, "
              f"min {min(times):.2f} s, max {max(times):.2f} s over {len(times)} runs")
    for number in range(1, args.steps + 1):
        spent = step_run(args.kb, args.cases)
        print(f"by step, run {number} ({sum(spent.values()):.2f} s in this process):")
        for step, seconds in spent.most_common():
            print(f"  {seconds:6.2f} s  {step}")


if __name__ == "__main__":
    main()
