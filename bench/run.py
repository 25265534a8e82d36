"""Run the lexkb benchmark against its peers and print the tables.

    python -m bench.run                  # everything, full sizes (several minutes)
    python -m bench.run --quick          # small sizes: a smoke check in seconds
    python -m bench.run --only W1,W2     # some workloads
    python -m bench.run --engines lexkb,clingo --repeats 5 --json out.json

Every (engine, workload, size) runs in a fresh subprocess (``bench.measure``), one
after another, so that timings do not compete for the 2 cores and peak memory is
the engine's own. See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import math
import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path

if __package__ in (None, ""):  # run as a script: .venv/bin/python bench/run.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.peers import ENGINES  # noqa: E402
from bench.workloads import REPO, SIZES, answer_digest, make  # noqa: E402

try:
    from rich.console import Console
    from rich.table import Table
except ImportError:  # pragma: no cover - rich is a dev dependency
    Console = Table = None

KINDS = ("W1", "W2", "W3", "W4")
PEERS = [e for e in ENGINES if e != "lexkb"]


# --------------------------------------------------------------------------- running


def run_child(engine, kind, size, repeats, timeout):
    cmd = [sys.executable, "-m", "bench.measure", engine, kind, str(size), "--repeats", str(repeats)]
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    try:
        p = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"engine": engine, "kind": kind, "size": size, "error": f"timeout after {timeout:g} s"}
    lines = [ln for ln in p.stdout.splitlines() if ln.startswith("{")]
    if not lines:
        tail = (p.stderr or p.stdout).strip().splitlines()[-3:]
        return {"engine": engine, "kind": kind, "size": size,
                "error": f"exit {p.returncode}: " + " | ".join(tail)}
    return json.loads(lines[-1])


def versions():
    out = {}
    for engine, dist in (("lexkb", "lexkb"), ("clingo", "clingo"), ("clips", "clipspy"),
                         ("pydatalog", "pyDatalog")):
        try:
            out[engine] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[engine] = "not installed"
    out["python"] = platform.python_version()
    return out


def machine():
    cpu = platform.processor() or platform.machine()
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}"


def loadavg():
    try:
        return "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "load average unknown"


# --------------------------------------------------------------------------- printing


class Printer:
    def __init__(self):
        self.console = None
        if Console:
            self.console = Console()
            if self.console.width < 130:
                self.console = Console(width=130)

    def rule(self, text):
        if self.console:
            self.console.rule(text)
        else:
            print(f"\n== {text} ==")

    def line(self, text=""):
        if self.console:
            self.console.print(text, highlight=False)
        else:
            print(text)

    def progress(self, text):
        if self.console:
            self.console.print(f"[dim]{text}[/dim]", highlight=False)
        else:
            print(text, flush=True)

    def table(self, title, headers, rows):
        if self.console:
            t = Table(title=title, title_justify="left")
            for i, h in enumerate(headers):
                t.add_column(h, justify="left" if i == 0 or h == "answer" else "right")
            for r in rows:
                t.add_row(*[str(c) for c in r])
            self.console.print(t)
        else:
            print(title)
            widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows)]
            for r in [headers, *rows]:
                print("  ".join(str(c).rjust(w) for c, w in zip(r, widths)))


def fmt_s(x):
    if x is None:
        return "-"
    if x >= 100:
        return f"{x:.0f}"
    if x >= 10:
        return f"{x:.1f}"
    if x >= 1:
        return f"{x:.2f}"
    if x >= 0.01:
        return f"{x:.3f}"
    return f"{x:.4f}"


def fmt_ratio(a, b):
    if a is None or b is None or b <= 0:
        return "-"
    return f"{a / b:.2f}x"


def verdict(res, canonical_digest):
    if "skipped" in res:
        return "skipped (see below)"
    if "error" in res:
        return "ERROR (see below)"
    if canonical_digest is None:
        return res.get("summary") or f"({res.get('count')} results, not checked)"
    if res["digest"] == canonical_digest and res.get("stable", True):
        return "ok"
    return f"WRONG ({res.get('count')} results)"


def ok(res):
    return "total" in res


def workload_table(printer, w, results, canonical_digest, repeats):
    lex = results.get("lexkb")
    lex_ok = lex is not None and ok(lex)
    headers = ["engine", "eval s", "total s", "lexkb÷eng eval", "lexkb÷eng total",
               "peak MB", "+MB", "eval peak MB", "answer"]
    if w.kind in ("W2", "W4"):
        headers.insert(3, "cases/s")
    if w.kind == "W4":  # lexkb only: no ratios
        headers = [h for h in headers if not h.startswith("lexkb÷")]
    rows, notes = [], []
    for engine, res in results.items():
        if ok(res):
            row = [engine, fmt_s(res["eval"]), fmt_s(res["total"]),
                   fmt_ratio(lex["eval"], res["eval"]) if lex_ok else "-",
                   fmt_ratio(lex["total"], res["total"]) if lex_ok else "-",
                   f"{res['peak_mb']:.0f}", f"{res['peak_mb'] - res['base_mb']:.0f}",
                   f"{res['eval_peak_mb']:.0f}" if w.kind in ("W1", "W3") else "-",
                   verdict(res, canonical_digest)]
            if w.kind in ("W2", "W4"):
                per_case = res["total"] - res.get("load", 0.0)
                row.insert(3, f"{w.size / per_case:,.0f}" if per_case > 0 else "-")
            if w.kind == "W4":
                del row[4:6]
        else:
            row = [engine] + ["-"] * (len(headers) - 2) + [verdict(res, canonical_digest)]
        rows.append(row)
        if "skipped" in res or "error" in res:
            notes.append(f"  {engine}: {res.get('skipped') or res.get('error')}")
    printer.table(f"{w.label} — median of {repeats}",
                  headers, rows)
    for n in notes:
        printer.line(n)
    if w.kind in ("W2", "W4"):
        printer.line("  cases/s: cases / (total - the one-off loading or compiling of the rules); "
                     "the times include that loading once")


def growth_table(printer, sizes, by_size):
    headers = ["engine"] + [f"N={n}" for n in sizes]
    if len(sizes) >= 2:
        headers.append(f"exponent {sizes[-2]}->{sizes[-1]}")
    rows = []
    for engine in by_size[sizes[-1]]:
        row = [engine]
        ts = []
        for n in sizes:
            res = by_size[n].get(engine, {})
            t = res.get("total") if ok(res) else None
            ts.append(t)
            row.append(fmt_s(t))
        if len(sizes) >= 2:
            a, b = ts[-2], ts[-1]
            if a and b and a > 0:
                row.append(f"{math.log(b / a) / math.log(sizes[-1] / sizes[-2]):.2f}")
            else:
                row.append("-")
        rows.append(row)
    printer.table("W1 growth: total seconds by chain length N", headers, rows)
    printer.line("  paths = N(N-1)/2, so work grows as N^2; exponent = log(t2/t1)/log(N2/N1), 2 means N^2")


# --------------------------------------------------------------------------- main


def main(argv=None):
    ap = argparse.ArgumentParser(description="lexkb benchmark against clingo, CLIPS, pyDatalog and plain Python")
    ap.add_argument("--quick", action="store_true", help="small sizes (smoke check)")
    ap.add_argument("--only", default=",".join(KINDS), help="workloads, e.g. W1,W3 (default: all)")
    ap.add_argument("--engines", default=",".join(ENGINES), help="engines (default: %(default)s)")
    ap.add_argument("--repeats", type=int, default=3, help="timed runs per engine; the median is shown")
    ap.add_argument("--timeout", type=float, default=900, help="seconds per engine and workload size")
    ap.add_argument("--sizes", default=None,
                    help="override sizes of the (single) selected workload, e.g. --only W1 --sizes 100,200")
    ap.add_argument("--json", default=None, help="also write all results to this JSON file")
    a = ap.parse_args(argv)

    kinds = [k.strip().upper() for k in a.only.split(",") if k.strip()]
    for k in kinds:
        if k not in KINDS:
            ap.error(f"unknown workload {k}; choose from {', '.join(KINDS)}")
    engines = [e.strip().lower() for e in a.engines.split(",") if e.strip()]
    for e in engines:
        if e not in ENGINES:
            ap.error(f"unknown engine {e}; choose from {', '.join(ENGINES)}")

    p = Printer()
    vers = versions()
    p.rule("lexkb benchmark")
    p.line(f"{_dt.datetime.now():%Y-%m-%d %H:%M} · {machine()} · Python {vers['python']} · {loadavg()}")
    p.line("versions: " + ", ".join(f"{k} {v}" for k, v in vers.items() if k != "python"))
    p.line("seconds: in-process, start-up (imports, workload generation) excluded; "
           "eval = to the answer inside the engine, total = with the answer as Python tuples; "
           "peak MB = peak RSS (VmHWM) of the engine's own subprocess during the timed runs, "
           "+MB = over its RSS just before them, eval peak MB = peak before the answer is copied into Python (W1, W3)")
    report = {"date": _dt.datetime.now().isoformat(timespec="seconds"), "machine": machine(),
              "versions": vers, "workloads": []}

    for kind in kinds:
        sizes = SIZES[kind]["quick" if a.quick else "full"]
        if a.sizes:
            sizes = [int(s) for s in a.sizes.split(",")]
        by_size = {}
        for size in sizes:
            w = make(kind, size)
            canon = w.canonical()
            cd = answer_digest(canon) if canon is not None else None
            del canon
            eng = ["lexkb"] if kind == "W4" else engines
            results = {}
            for e in eng:
                if kind == "W4" and e not in engines:
                    continue
                p.progress(f"  running {kind} size {size}: {e}")
                results[e] = run_child(e, kind, size, a.repeats, a.timeout)
            by_size[size] = results
            report["workloads"].append({"kind": kind, "size": size, "label": w.label,
                                        "canonical_digest": cd, "results": results})
            if size == sizes[-1]:
                p.rule(kind)
                workload_table(p, w, results, cd, a.repeats)
        if kind == "W1" and len(sizes) > 1:
            growth_table(p, sizes, by_size)

    p.line(f"at the end: {loadavg()} (other work on the machine inflates the times; compare within one run)")
    report["loadavg_end"] = loadavg()
    if a.json:
        Path(a.json).write_text(json.dumps(report, indent=2, default=str))
        p.line(f"results written to {a.json}")
    bad = [(wl["kind"], wl["size"], e) for wl in report["workloads"] for e, r in wl["results"].items()
           if "total" in r and wl["canonical_digest"] and r["digest"] != wl["canonical_digest"]]
    if bad:
        p.line("WRONG ANSWERS: " + ", ".join(f"{e} on {k} size {s}" for k, s, e in bad))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
