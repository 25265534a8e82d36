"""Plain Python, hand-written per workload: what a programmer would write without a
rule engine. The floor to compare the engines against."""

from __future__ import annotations

from bench.peers.base import Runner


def closure(edges):
    """Semi-naive transitive closure with a successor index."""
    succ = {}
    for a, b in edges:
        succ.setdefault(a, []).append(b)
    paths = set(edges)
    delta = list(edges)
    while delta:
        new = []
        for x, y in delta:
            for z in succ.get(y, ()):
                if (x, z) not in paths:
                    paths.add((x, z))
                    new.append((x, z))
        delta = new
    return paths


def compile_propositional(rules):
    """Rules sorted by head: every body atom is below its head, so one pass in head
    order settles each atom after everything it depends on."""
    return [(h, pos, neg) for h, pos, neg in sorted(rules, key=lambda r: r[0])]


def run_propositional(plan, base):
    true = set(base)
    for h, pos, neg in plan:
        if h in true:
            continue
        for a in pos:
            if a not in true:
                break
        else:
            if neg is None or neg not in true:
                true.add(h)
    return true


def join_max(people, table):
    lo_of = {(lvl, c): lo for lvl, c, lo, hi in table}
    return {(i, max(lo_of[(lvl, c)], 100)) for i, lvl, c in people if (lvl, c) in lo_of}


class PythonRunner(Runner):
    name = "python"

    def run(self, w, clock):
        if w.kind == "W1":
            return closure(w.edges())
        if w.kind == "W2":
            with clock.loading():
                plan = compile_propositional(w.rules)
            return [run_propositional(plan, case) for case in w.cases]
        if w.kind == "W3":
            return join_max(w.people, w.table)
        raise ValueError(w.kind)


RUNNER = PythonRunner()
