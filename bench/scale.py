"""How lexkb's cost grows with the size of the rule base (issue 14 item 9): time and peak memory.

    python -m bench.scale                       # 1,000 / 10,000 / 50,000 rules (a few minutes)
    python -m bench.scale --sizes 1000,10000    # some sizes
    python -m bench.scale --line 600000         # also `check` of one line of that many facts

Each measurement runs the real command line (``lexkb check``, ``run`` with its
text report, ``explain`` text) in a process of its own, so its peak resident
memory (``ru_maxrss`` of that child, read by ``os.wait4``) is its own. Rule
bases are generated: *independent* rules (``r_i if start``, each concluding a
fact of its own), a *chain* (``c_i if c_(i-1)``, explained from its last
step, so the explanation has one rule node per step), and a *recursive chain*:
two rules (``reach(?y) if reach(?x) and edge(?x, ?y)``) over a case of as many
``edge`` facts as the size, explained from its end in text and JSON (the node
budget cuts the explanation short; counting the steps it leaves out still walks
the whole chain). The target (issue 14, deliverable 5): 10,000 rules (or steps)
at most 10x the time and memory of 1,000, and 50,000 rules finish. Exits 1 when
a ratio misses the target.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

LEXKB = [sys.executable, "-c", "from lexkb.cli import main; main()"]
CASE = 'case scale "a generated case"\nstart\n'
TARGET_RATIO = 10.0


def independent_rules(n: int) -> str:
    """``n`` rules that each conclude a fact of their own from the one input."""
    lines = ["input start", "outcomes r_0", ""]
    lines += [f"r_{i} if start" for i in range(n)]
    return "\n".join(lines) + "\n"


def chain_rules(n: int) -> str:
    """A chain of ``n`` rules, each resting on the one before: the explanation of the last is ``n`` rules deep."""
    lines = ["input start", f"outcomes c_{n - 1}", "", "c_0 if start"]
    lines += [f"c_{i} if c_{i - 1}" for i in range(1, n)]
    return "\n".join(lines) + "\n"


REACH_RULES = ("input start(symbol)\ninput edge(symbol, symbol)\n\n"
               "rule base: reach(?x) if start(?x)\nrule step: reach(?y) if reach(?x) and edge(?x, ?y)\n")


def edges_case(n: int) -> str:
    """A case of ``n`` edges in a line from ``n0``: ``reach(n<n>)`` rests on a recursive derivation ``n`` steps deep."""
    return 'case edges "a generated chain"\nstart(n0)\n' + "".join(f"edge(n{i}, n{i + 1})\n" for i in range(n))


def one_line_of_facts(n: int) -> str:
    """``n`` facts on one line with a syntax error at its end: the error must show a window, not the line."""
    return " ".join(f"f({i})" for i in range(n)) + " )\n"


@dataclass
class Measure:
    what: str
    size: int
    seconds: float
    peak_mb: float
    output_bytes: int
    exit_code: int


def measure(what: str, size: int, args: list[str], cwd: Path) -> Measure:
    """Run lexkb with ``args`` in ``cwd``: wall time, the child's peak resident memory, bytes printed."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        child = subprocess.Popen([*LEXKB, *args], cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        size_out = out.seek(0, os.SEEK_END)
    return Measure(what, size, seconds, usage.ru_maxrss / 1024, size_out, child.returncode)


def run_sizes(sizes: list[int], line: int | None) -> list[Measure]:
    results: list[Measure] = []
    with tempfile.TemporaryDirectory(prefix="lexkb-scale-") as folder:
        work = Path(folder)
        (work / "c.case").write_text(CASE)
        (work / "reach.rules").write_text(REACH_RULES)
        for n in sizes:
            (work / "independent.rules").write_text(independent_rules(n))
            (work / "chain.rules").write_text(chain_rules(n))
            (work / "edges.case").write_text(edges_case(n))
            reach = ["reach.rules", "--case", "edges.case"]
            for what, args in [
                ("check independent", ["check", "independent.rules"]),
                ("run independent", ["run", "independent.rules", "--case", "c.case"]),
                ("check chain", ["check", "chain.rules"]),
                ("run chain", ["run", "chain.rules", "--case", "c.case"]),
                ("explain chain (text)", ["explain", "chain.rules", "--case", "c.case", f"c_{n - 1}"]),
                ("run recursive", ["run", *reach]),
                ("explain recursive (text)", ["explain", *reach, f"reach(n{n})"]),
                ("explain recursive (json)", ["explain", *reach, f"reach(n{n})", "--format", "json"]),
            ]:
                results.append(measure(what, n, args, work))
                _show(results[-1])
        if line:
            (work / "line.rules").write_text(one_line_of_facts(line))
            results.append(measure("check one long line", line, ["check", "line.rules"], work))
            _show(results[-1])
    return results


def _show(m: Measure) -> None:
    print(f"{m.what:<24} {m.size:>7,} {m.seconds:>8.2f} s {m.peak_mb:>8.1f} MB {m.output_bytes:>12,} B"
          f"  exit {m.exit_code}", flush=True)


def ratios(results: list[Measure], small: int, large: int) -> bool:
    """Print the large/small ratio of time and memory per measurement; whether all are within the target."""
    ok = True
    by = {(m.what, m.size): m for m in results}
    print(f"\n{large:,} rules or steps against {small:,} (target: at most {TARGET_RATIO:g}x)")
    for (what, size), m in by.items():
        if size != large or (what, small) not in by:
            continue
        base = by[(what, small)]
        time_ratio, memory_ratio = m.seconds / base.seconds, m.peak_mb / base.peak_mb
        within = time_ratio <= TARGET_RATIO and memory_ratio <= TARGET_RATIO
        ok = ok and within
        print(f"{what:<24} time {time_ratio:6.1f}x  memory {memory_ratio:5.1f}x  {'ok' if within else 'MISSED'}")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,50000", help="rule counts (steps of the recursive chain), comma-separated")
    parser.add_argument("--line", type=int, default=None, metavar="FACTS",
                        help="also check one line of this many facts ending in a syntax error")
    options = parser.parse_args(argv)
    sizes = sorted(int(s) for s in options.sizes.split(","))
    print(f"{'what':<24} {'size':>7} {'time':>10} {'peak':>11} {'printed':>14}")
    results = run_sizes(sizes, options.line)
    failed = any(m.exit_code not in (0, 1) for m in results if m.what != "check one long line")
    ok = ratios(results, sizes[0], sizes[1]) if len(sizes) > 1 and sizes[1] <= 10 * sizes[0] else True
    return 1 if failed or not ok else 0


if __name__ == "__main__":
    sys.exit(main())
