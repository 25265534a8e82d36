"""What a verify run proved and what it only searched, stated exactly, for the end of the report.

A clean result means something only with its scope: the bound on facts per
input, the rules encoded exactly, the predicates abstracted or unfolded a
fixed number of rounds. These sentences are part of the JSON output.
"""

from __future__ import annotations

from lexkb.errors import plural
from lexkb.research.verify.solver import BoundedSolver


def statement(solver: BoundedSolver) -> tuple[list[str], list[str]]:
    """The sentences for "Proved … for:" and "Searched, not proved:"."""
    program, bound, depth = solver.program, solver.bound, solver.depth
    with_args = sorted(p for p, d in program.inputs.items() if d.types)
    flags = sorted(p for p, d in program.inputs.items() if not d.types)
    types = sorted({t.text for d in program.inputs.values() for t in d.types})
    recursive = sorted(p for p in program.recursive if not p.startswith("_"))
    exact = sum(1 for b in program.branches if b.head.predicate not in program.recursive)
    proved = [
        f"every case with at most {plural(bound, 'fact')} of each input predicate with arguments "
        f"({', '.join(with_args) or 'none'}) and any combination of the "
        f"{plural(len(flags), 'zero-argument input')} ({', '.join(flags) or 'none'})",
        "argument values unrestricted within their declared types (" + (", ".join(types) or "none")
        + "): integers and dates unbounded, symbols and strings any value",
        f"{plural(exact, 'rule branch', 'rule branches')} encoded exactly: non-recursive rules, "
        "stratified negation as completion, reference facts as finite tables",
    ]
    searched = []
    abstracted = solver.encoding.abstracted
    if abstracted:
        proved[0] += (" in which no rule concluding " + ", ".join(sorted(abstracted))
                      + " can fire (outside those cases the rules reading them are exact)")
        skipped = sorted({b.rule.label for b in program.branches if not b.hidden and not solver.is_exact(b)})
        for predicate, why in sorted(abstracted.items()):
            searched.append(f"{predicate} is too large to encode ({why}); in cases where it could hold it "
                            "is taken as empty, so witnesses there are only searched (each is confirmed by "
                            "the engine) and nothing is proved")
        searched.append(f"{plural(len(skipped), 'rule')} reading these predicates are not checked for dead "
                        f"conditions: {', '.join(skipped)}")
    if recursive:
        searched.append(
            f"recursive predicates ({', '.join(recursive)}) are unfolded {plural(depth, 'round')} of derivation: "
            "findings through them are confirmed by the engine, but their absence is not proved")
    # The bound is the scope of the proof, not something searched: said with the scope.
    proved[0] += (f"; cases with more than {plural(bound, 'fact')} of one input predicate are outside "
                  "this proof (raise --bound)")
    return proved, searched
