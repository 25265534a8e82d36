"""`lexkb whatif`: the smallest change to a case under which an atom's truth flips."""

from __future__ import annotations

import json

import click

from lexkb.errors import UsageError, did_you_mean
from lexkb.language.format import format_ground_atom, format_value
from lexkb.language.source import read_atom
from lexkb.research.whatif import DEFAULT_MAX_RUNS, Change, Flip, whatif
from lexkb.values import to_json

from .common import EXIT_FINDING, kb_paths_argument, load_kb


@click.command("whatif")
@kb_paths_argument
@click.option("--case", "case_path", required=True, type=click.Path(), metavar="FILE", help="The .case file to vary.")
@click.option("--max-runs", type=click.IntRange(min=1), default=DEFAULT_MAX_RUNS, show_default=True,
              help="Bound on the engine runs the search may make.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def whatif_command(kb_paths: tuple[str, ...], case_path: str, max_runs: int, output_format: str) -> None:
    """Find the smallest change to a case's facts that flips an atom.

    \b
    The last argument is the atom, e.g. deny or reduction_floor_months(108).
    The search tries every single change (a stated fact removed, an unstated
    one added, one value changed), then every pair, each run by the engine;
    values are drawn from the constants of the rules and the case, and each
    plus or minus one. Example:
      lexkb whatif kb --case kb/cases/alcaraz.case eligible
    Exit codes: 0 a flip was found; 1 none within the bound; 2 bad input.
    """
    if len(kb_paths) < 2:
        raise click.UsageError("name the knowledge base and then the atom, e.g. lexkb whatif kb --case C.case deny")
    *paths, atom_text = kb_paths
    kb = load_kb(paths)
    predicate, values = read_atom(atom_text)
    if predicate not in kb.program.arities:
        raise UsageError(f"nothing in the rules concludes {predicate}", None,
                         did_you_mean(predicate, [p for p in kb.program.arities if not p.startswith("_")]))
    case = kb.case(case_path)
    kb.run(case)  # validates the case against the inputs (exit 2 on a bad case)
    answer = whatif(kb, case, predicate, values, max_runs=max_runs)
    if output_format == "json":
        click.echo(json.dumps({
            "atom": answer.atom, "holds": answer.held, "size": answer.size, "runs": answer.runs,
            "max_runs": answer.max_runs, "search": "breadth-first over single, then paired changes; engine-run",
            "flips": [{"changes": [{"kind": c.kind, "fact": format_ground_atom(c.predicate, c.args),
                                    "was": format_ground_atom(c.fact.predicate, c.fact.args) if c.fact else None,
                                    "args": [to_json(v) for v in c.args]} for c in f.changes],
                       "sentence": flip_sentence(f, answer.atom, answer.held),
                       "outcomes_before": f.outcomes_before, "outcomes_after": f.outcomes_after,
                       "rules": f.rules_after} for f in answer.flips],
        }, indent=2, ensure_ascii=False))
    else:
        state = "holds" if answer.held else "does not hold"
        click.echo(f"{answer.atom} {state} for {case.name or case_path}.")
        if answer.flips:
            plural = "change" if answer.size == 1 else "changes"
            click.echo(f"Smallest flip: {answer.size} {plural} ({len(answer.flips)} shown, each confirmed by the "
                       f"engine; {answer.runs} runs):")
            for flip in answer.flips:
                click.echo(f"  - {flip_sentence(flip, answer.atom, answer.held)}.")
                after = ", ".join(flip.outcomes_after) or "none"
                before = ", ".join(flip.outcomes_before) or "none"
                line = f"    outcomes: {before} → {after}"
                if flip.rules_after:
                    line += f"; {answer.atom} by {', '.join(flip.rules_after)}"
                click.echo(line)
        else:
            reason = "the search bound ran out" if answer.exhausted else "no single change or pair of changes"
            click.echo(f"No flip found ({reason}; {answer.runs} engine runs of at most {answer.max_runs}).")
    if not answer.flips:
        raise SystemExit(EXIT_FINDING)


def flip_sentence(flip: Flip, atom: str, held: bool) -> str:
    """``had the case not stated level(3), grant would not hold``."""
    parts = [("had " if i == 0 else "and had ") + describe_change(change) for i, change in enumerate(flip.changes)]
    verdict = f"{atom} would not hold" if held else f"{atom} would hold"
    return ", ".join(parts) + f", {verdict}"


def describe_change(change: Change) -> str:
    """One change to the case, as the middle of a counterfactual (after "had")."""
    stated = change.fact.fact if change.fact is not None else None
    quote = f' ("{stated.quote.text}")' if stated is not None and stated.quote is not None else ""
    if change.kind == "remove":
        return f"the case not stated {format_ground_atom(change.predicate, change.args)}{quote}"
    if change.kind == "add":
        return f"the case also stated {format_ground_atom(change.predicate, change.args)}"
    assert change.fact is not None
    old = change.fact.args
    diffs = [f"{format_value(o)} → {format_value(n)}" for o, n in zip(old, change.args) if o != n]
    return f"{change.predicate} been {format_ground_atom(change.predicate, change.args)} instead of " \
           f"{format_ground_atom(change.predicate, old)} ({', '.join(diffs)}){quote}"
