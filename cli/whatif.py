"""`lexkb whatif`: the smallest change to a case under which an atom's truth flips."""

from __future__ import annotations

import itertools
from pathlib import Path

import click

from lexkb.errors import UsageError, did_you_mean
from lexkb.language.cases import Case
from lexkb.language.format import format_ground_atom, format_value
from lexkb.language.readings import NO_READINGS, Readings
from lexkb.language.source import read_atom
from lexkb.research.whatif import DEFAULT_BUDGET, DEFAULT_MAX_RUNS, Change, Flip, Range, WhatIf, whatif
from lexkb.values import Value, to_json

from .common import (
    EXIT_FINDING,
    Seconds,
    json_text,
    kb_paths_argument,
    load_kb,
    status_line,
    text_lines,
    write_atomically,
)


@click.command("whatif")
@kb_paths_argument
@click.option("--case", "case_path", required=True, type=click.Path(), metavar="FILE", help="The .case file to vary.")
@click.option("--method", type=click.Choice(["optimise", "engine-runs"]), default="optimise", show_default=True,
              help="optimise: z3 proposes the fewest changes, the engine confirms or teaches; engine-runs: the "
                   "breadth-first search over single and paired changes (also the fallback when z3 gives up).")
@click.option("--time", "budget", type=Seconds(min=0.1), default=DEFAULT_BUDGET, show_default=True,
              metavar="SECONDS", help="Time for the optimisation (z3 proposing changes, the engine confirming them).")
@click.option("--keep", type=click.IntRange(min=1), default=5, show_default=True,
              help="How many distinct smallest answers to look for.")
@click.option("--witness-dir", type=click.Path(file_okay=False), metavar="DIR",
              help="Write each answer as a ready-to-run .case file in DIR.")
@click.option("--max-runs", type=click.IntRange(min=1), default=DEFAULT_MAX_RUNS, show_default=True,
              help="Bound on the engine runs of the breadth-first search (--method engine-runs, and the "
                   "fallback when z3 gives up).")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def whatif_command(kb_paths: tuple[str, ...], case_path: str, method: str, budget: float, keep: int,
                   witness_dir: str | None, max_runs: int, output_format: str) -> None:
    """Find the smallest change to a case's facts that flips an atom.

    \b
    The last argument is the atom, e.g. deny or reduction_floor_months(108).
    A change removes a stated fact, adds an unstated input, or changes one
    value. z3 proposes the fewest changes that break every ground of the atom
    known so far; the engine runs the changed case and, if the atom has not
    flipped, its derivation becomes a new lesson. Every answer shown is an
    engine run; the report says whether it is proved the smallest (z3 showed
    that no fewer changes flip the atom); a changed value is stated as a
    boundary (97 or less) when every candidate beyond it flips too. Example:
      lexkb whatif kb --case kb/cases/baylor.case deny --witness-dir flips
    On a terminal, standard error shows what the search is doing and the time
    it has taken; the report says when --time or --max-runs stopped it.
    Exit codes: 0 a flip was found; 1 none (proved, or not within the time); 2 bad input.
    """
    if len(kb_paths) < 2:
        raise click.UsageError("name the knowledge base and then the atom, e.g. lexkb whatif kb --case C.case deny")
    *paths, atom_text = kb_paths
    with status_line("whatif") as show:
        show("loading the knowledge base")
        kb = load_kb(paths)
        predicate, values = read_atom(atom_text)
        if predicate not in kb.program.arities:
            raise UsageError(f"nothing in the rules concludes {predicate}", None,
                             did_you_mean(predicate, [p for p in kb.program.arities if not p.startswith("_")]))
        case = kb.case(case_path)
        kb.run(case)  # validates the case against the inputs (exit 2 on a bad case)
        show(f"looking for the smallest change that flips {format_ground_atom(predicate, values)} ("
             + (f"z3 and the engine, --time {budget:g} s)" if method == "optimise"
                else f"engine runs, --max-runs {max_runs:,})"))
        answer = whatif(kb, case, predicate, values, max_runs=max_runs, keep=keep, budget=budget, method=method)
    written = write_witnesses(case, answer, witness_dir, " ".join(paths), [case_path, *paths]) if witness_dir else []
    if output_format == "json":
        click.echo(json_text(whatif_json(answer, written)))
    else:
        click.echo(text_lines(whatif_text(answer, case.name or case_path, written, Readings(kb.program.readings))))
    if not answer.flips:
        raise SystemExit(EXIT_FINDING)


def flip_sentence(flip: Flip, atom: str, held: bool, readings: Readings = NO_READINGS,
                  reading: str | None = None) -> str:
    """``had the case not stated level(3), grant would not hold``; with the atom's English ``reading``
    and the knowledge base's ``readings``: ``had the case not stated that …, it would no longer follow that …``."""
    parts = [("had " if i == 0 else "and had ") + describe_change(change, readings)
             for i, change in enumerate(flip.changes)]
    if reading is not None:
        verdict = f"it would no longer follow that {reading}" if held else f"it would follow that {reading}"
    else:
        verdict = f"{atom} would not hold" if held else f"{atom} would hold"
    return ", ".join(parts) + f", {verdict}"


def describe_change(change: Change, readings: Readings = NO_READINGS) -> str:
    """One change to the case, as the middle of a counterfactual (after "had")."""
    stated = change.fact.fact if change.fact is not None else None
    quote = f' ("{stated.quote.text}")' if stated is not None and stated.quote is not None else ""
    new = readings.positive(change.predicate, change.args)
    if new is not None:
        return _read_change(change, new, readings, quote)
    if change.kind == "remove":
        return f"the case not stated {format_ground_atom(change.predicate, change.args)}{quote}"
    if change.kind == "add":
        return f"the case also stated {format_ground_atom(change.predicate, change.args)}"
    assert change.fact is not None
    old = change.fact.args
    diffs = [f"{format_value(o)} → {format_value(n)}" for o, n in zip(old, change.args) if o != n]
    return f"{change.predicate} been {format_ground_atom(change.predicate, change.args)} instead of " \
           f"{format_ground_atom(change.predicate, old)} ({', '.join(diffs)}){quote}"


def _read_change(change: Change, new: str, readings: Readings, quote: str) -> str:
    """:func:`describe_change` in the knowledge base's English."""
    if change.kind == "remove":
        return f"the case not stated that {new}{quote}"
    if change.kind == "add":
        return f"the case also stated that {new}"
    assert change.fact is not None
    return f"the case stated that {new}, not that {readings.positive(change.predicate, change.fact.args)}{quote}"


def describe_range(change: Change, found: Range | None) -> str:
    """``any mandatory_minimum_months of 97 or less``: the values that flip as well, when there are others."""
    if found is None or len(found.values) < 2:
        return ""
    place = change.predicate if len(change.args) == 1 else f"{change.predicate} (argument {found.position + 1})"
    if found.direction:
        return f"any {place} of {format_value(found.boundary)} {found.direction}"
    shown = ", ".join(format_value(v) for v in found.values[:6]) + (", …" if len(found.values) > 6 else "")
    return f"{place} of any of {shown}"


def _changes(count: int) -> str:
    return f"{count} change{'' if count == 1 else 's'}"


def _proof(answer: WhatIf) -> str:
    """Why no smaller flip exists: the case as stated does not flip, and z3 proved every smaller size."""
    if answer.size == 1:
        return "the smallest, since the case as stated does not flip it"
    if answer.size is not None and answer.proved_above + 1 == answer.size:
        return f"proved the smallest: z3 proved that no {_changes(answer.proved_above)} or fewer flip it"
    return f"z3 proved that none of {_changes(answer.proved_above)} or fewer exists, not that this is the smallest"


def _how(answer: WhatIf) -> str:
    if answer.method == "optimise":
        return f"z3 and the engine: {answer.rounds} rounds, {answer.runs} engine runs, {answer.seconds:.1f} s"
    fallback = f"; fallback: {answer.fallback_reason}" if answer.fallback_reason else ""
    return f"breadth-first engine-run search: {answer.runs} runs{fallback}"


def whatif_text(answer: WhatIf, case_name: str, written: list[str], readings: Readings = NO_READINGS) -> list[str]:
    """The report as lines of text (atoms in the knowledge base's English where it gives ``readings``)."""
    reading = readings.positive(*read_atom(answer.atom)) if readings else None
    state = "holds" if answer.held else "does not hold"
    lines = [f"{answer.atom} {state} for {case_name}."]
    if answer.grounds:
        lines.append(f"Its grounds: {', '.join(answer.grounds)}.")
    if answer.flips:
        plural = "change" if answer.size == 1 else "changes"
        if answer.descended:
            proved = answer.size == answer.proved_above + 1
            lines.append(f"A flip of {answer.size} {plural}, confirmed by the engine, found by descent after z3's "
                         f"proposals ran out of time ({_how(answer)}); z3 proved that none of "
                         f"{_changes(answer.proved_above)} or fewer exists, so it is "
                         f"{'the smallest' if proved else 'not proved the smallest'}:")
        else:
            lines.append(f"Smallest flip: {answer.size} {plural} ({len(answer.flips)} distinct, each confirmed by "
                         f"the engine; {_how(answer)}); {_proof(answer)}:")
        for number, flip in enumerate(answer.flips, 1):
            lines.append(f"  {number}. {flip_sentence(flip, answer.atom, answer.held, readings, reading)}.")
            for change, broken, found in itertools.zip_longest(flip.changes, flip.breaks, flip.ranges):
                notes = [describe_range(change, found)]
                if answer.held:  # an atom that holds has grounds for a change to take away
                    notes.append(f"by itself takes away {', '.join(broken)}" if broken else
                                 "takes away no ground by itself (it answers a ground the other changes bring)")
                if any(notes):
                    lines.append(f"     {format_ground_atom(change.predicate, change.args)}: "
                                 f"{'; '.join(n for n in notes if n)}")
            line = f"     outcomes: {', '.join(flip.outcomes_before) or 'none'} → {', '.join(flip.outcomes_after) or 'none'}"
            if flip.rules_after:
                line += f"; {answer.atom} by {', '.join(flip.rules_after)}"
            lines.append(line)
    elif answer.method == "optimise":
        if answer.proved_none:
            lines.append(f"No flip exists among the candidate changes (proved by z3; {_how(answer)}).")
        else:
            lines.append(f"No flip found within the time ({_how(answer)}); z3 proved that none of "
                         f"{_changes(answer.proved_above)} or fewer exists."
                         + (" The search stopped at --time: raise it to look further." if answer.exhausted else ""))
    else:
        reason = "the search bound ran out" if answer.exhausted else "no single change or pair of changes"
        lines.append(f"No flip found ({reason}; {answer.runs} engine runs of at most {answer.max_runs})."
                     + (" The search stopped at --max-runs: raise it to look further." if answer.exhausted else ""))
    if answer.flips and answer.method == "optimise" and answer.exhausted:
        lines.append("(The time ran out before every answer of this size was found: raise --time to look for more.)")
    elif answer.descended and answer.size != answer.proved_above + 1:
        lines.append("(The time ran out before z3 could prove a smaller flip impossible: raise --time to look further.)")
    lines.extend(f"Wrote {path}" for path in written)
    return lines


def whatif_json(answer: WhatIf, written: list[str]) -> dict[str, object]:
    """The report as JSON."""
    search = ("z3 (minimal changes, lessons from engine derivations), each answer an engine run"
              if answer.method == "optimise" else "breadth-first over single, then paired changes; engine-run")
    return {
        "atom": answer.atom, "holds": answer.held, "size": answer.size, "runs": answer.runs,
        "max_runs": answer.max_runs, "search": search, "method": answer.method,
        "fallback": answer.fallback_reason, "grounds": answer.grounds, "proved_none": answer.proved_none,
        "proved_no_flip_up_to": answer.proved_above,
        "proved_smallest": answer.size is not None and answer.size == answer.proved_above + 1,
        "rounds": answer.rounds, "seconds": round(answer.seconds, 3),
        "timed_out": answer.exhausted, "descended": answer.descended, "witnesses": written,
        "flips": [{"changes": [{"kind": c.kind, "fact": format_ground_atom(c.predicate, c.args),
                                "was": format_ground_atom(c.fact.predicate, c.fact.args) if c.fact else None,
                                "args": [to_json(v) for v in c.args],
                                "breaks": broken or [],
                                "range": None if found is None else {
                                    "position": found.position, "boundary": to_json(found.boundary),
                                    "direction": found.direction, "values": [to_json(v) for v in found.values]}}
                               for c, broken, found in itertools.zip_longest(f.changes, f.breaks, f.ranges)],
                   "sentence": flip_sentence(f, answer.atom, answer.held),
                   "outcomes_before": f.outcomes_before, "outcomes_after": f.outcomes_after,
                   "rules": f.rules_after} for f in answer.flips],
    }


def changed_facts(case: Case, flip: Flip) -> list[tuple[str, tuple[Value, ...]]]:
    """The facts of the case with the flip's changes made, in the case's order, additions last."""
    by_fact = {id(c.fact): c for c in flip.changes if c.fact is not None}
    facts: list[tuple[str, tuple[Value, ...]]] = []
    for fact in case.facts:
        change = by_fact.get(id(fact))
        if change is None:
            facts.append((fact.predicate, fact.args))
        elif change.kind == "value":
            facts.append((change.predicate, change.args))
    facts += [(c.predicate, c.args) for c in flip.changes if c.kind == "add"]
    return facts


def write_witnesses(case: Case, answer: WhatIf, directory: str, kb_label: str, inputs: list[str]) -> list[str]:
    """Each answer as a ready-to-run .case file whose expectation passes: the atom flipped."""
    Path(directory).mkdir(parents=True, exist_ok=True)
    name = case.name or "case"
    written = []
    for number, flip in enumerate(answer.flips, 1):
        path = str(Path(directory) / f"{name}-flip-{number}.case")
        lines = [f"# Written by `lexkb whatif`: {flip_sentence(flip, answer.atom, answer.held)}.",
                 f"# Reproduce: lexkb run {kb_label} --case {path}"]
        lines += [f"# change: {describe_change(c)}" for c in flip.changes]
        lines = [" ".join(line.split()) for line in lines]  # a quote's line breaks must not end a comment
        lines += [f'case {name}_flip_{number} "{name}, with {len(flip.changes)} change(s) found by lexkb whatif"', ""]
        lines += [format_ground_atom(p, a) for p, a in changed_facts(case, flip)]
        lines += ["", f"expect {'not ' if answer.held else ''}{answer.atom}"]
        write_atomically(path, ("\n".join(lines) + "\n").encode("utf-8"), inputs=inputs)
        written.append(path)
    return written
