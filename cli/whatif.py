"""`lexkb whatif`: the smallest change to a case under which an atom's truth flips."""

from __future__ import annotations

import json

import click

from lexkb.errors import UsageError, did_you_mean
from lexkb.language.parser import ground_atom
from lexkb.language.source import remember
from lexkb.research.whatif import DEFAULT_MAX_RUNS, whatif
from lexkb.values import format_atom, to_json

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
    remember("<atom>", atom_text)  # so a syntax error can show the atom with a caret
    predicate, values = ground_atom(atom_text, "<atom>")
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
            "flips": [{"changes": [{"kind": c.kind, "fact": format_atom(c.predicate, c.args),
                                    "was": format_atom(c.fact.predicate, c.fact.args) if c.fact else None,
                                    "args": [to_json(v) for v in c.args]} for c in f.changes],
                       "sentence": f.sentence(answer.atom, answer.held),
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
                click.echo(f"  - {flip.sentence(answer.atom, answer.held)}.")
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
