"""`lexkb explain`: why a conclusion holds (or, with --why-not, why it does not)."""

from __future__ import annotations

from collections.abc import Callable

import click

from lexkb.api import Result
from lexkb.errors import UsageError, plural
from lexkb.explain.builder import DEFAULT_MAX_NODES, check_atom, check_pattern, matching_facts
from lexkb.explain.graph import Derivation
from lexkb.language import ast
from lexkb.language.format import format_atom, format_ground_atom
from lexkb.language.parser import parse_atom
from lexkb.language.source import Sources, read_atom
from lexkb.render.dot import IMAGE_FORMATS, render_dot, render_image
from lexkb.render.html import render_html
from lexkb.render.json import render_json
from lexkb.render.text import render_text
from lexkb.values import Value

from .common import EXIT_FINDING, load_kb, max_facts_option, one_line, printable, status_line, write_atomically

FORMATS = ("text", "dot", "svg", "png", "pdf", "json", "html")
BINARY = ("png", "pdf")
DRAWN = ("svg", "png", "pdf", "html")  # drawn by Graphviz's dot (the page holds each ground's graph)
# Graphviz takes seconds on the default node budget (2,000) and can take minutes on a few thousand
# nodes (a 5,700-node graph: 2 min 23 s): above this many it is not started, unless asked for.
DEFAULT_MAX_DRAW_NODES = 3_000


@click.command("explain")
@click.argument("arguments", nargs=-1, required=True, metavar="KB_PATHS... ATOM")
@click.option("--case", "case_path", type=click.Path(), metavar="FILE",
              help="The .case file stating the facts (optional: without it the rules run alone).")
@click.option("--why-not", is_flag=True,
              help="Explain why ATOM does NOT hold: each rule that could conclude it and the first of its "
                   "conditions that failed, with the values involved. (If ATOM holds, its derivation is shown.)")
@click.option("--depth", type=click.IntRange(min=1), metavar="N",
              help="Show only N rules deep below the outcome (default: all the way for an explanation, "
                   "3 for --why-not).")
@click.option("--ground", type=int, metavar="N",
              help="Draw (or write) only the N-th independent ground of the outcome, numbered as the text "
                   "format numbers them.")
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="text", show_default=True,
              help="text: an indented tree; dot: Graphviz source; svg/png/pdf: the drawn graph (needs "
                   "Graphviz's dot); json: for other tools (docs/explanation-json.md); html: one "
                   "self-contained page with the graph.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), metavar="OUT",
              help="Write to this file (atomically: never a half-written file). Required for png and pdf.")
@click.option("--max-nodes", type=click.IntRange(min=0), default=DEFAULT_MAX_NODES, show_default=True, metavar="N",
              help="Build at most about N nodes of the explanation: the steps beyond are left out, and the "
                   "output says how many (0: no limit; a huge graph takes minutes to draw).")
@click.option("--max-draw-nodes", type=click.IntRange(min=0), default=DEFAULT_MAX_DRAW_NODES, show_default=True,
              metavar="N", help="Refuse to draw (svg, png, pdf, html) an explanation of more than N nodes: Graphviz "
                                "can take minutes on one that large (0: no limit).")
@max_facts_option
def explain_command(arguments: tuple[str, ...], case_path: str | None, why_not: bool, depth: int | None,
                    ground: int | None, output_format: str, output: str | None, max_nodes: int,
                    max_draw_nodes: int, max_facts: int) -> None:
    """Explain a conclusion down to the rules, authorities and the words of the case.

    \b
    KB_PATHS are .rules files or folders; the LAST argument is the atom to
    explain, e.g. deny or reduction_floor_months(108) (quote it in the shell
    when it has parentheses). An atom with variables, such as
    reduction_floor_months(?f), explains each fact it matches.

    \b
    Examples:
      lexkb explain kb --case kb/cases/alcaraz.case deny
      lexkb explain kb --case kb/cases/alcaraz.case deny --format svg -o deny.svg
      lexkb explain kb --case kb/cases/alcaraz.case deny --format html -o alcaraz.html
      lexkb explain kb --case kb/cases/alcaraz.case deny --ground 3 --format png -o ground3.png
      lexkb explain kb --case kb/cases/alcaraz.case 'reduction_floor_months(120)' --depth 2
      lexkb explain kb --case kb/cases/alcaraz.case eligible --why-not
      lexkb explain kb --case kb/cases/alcaraz.case 'statutory_minimum(?m)'

    A conclusion reached on several independent grounds shows each ground.
    On a terminal, standard error shows each step (running the rules,
    building the explanation, drawing it) and the time it has taken.
    Exit codes: 0 explained; 1 the atom does not hold (ask --why-not), or
    no fact matches an atom with variables;
    2 bad usage or invalid rules (including svg/png/pdf/html without Graphviz,
    and a drawing over --max-draw-nodes).
    """
    if len(arguments) < 2:
        raise click.UsageError("name the knowledge base and then the atom to explain, "
                               "e.g. lexkb explain kb --case kb/cases/alcaraz.case deny")
    *kb_paths, atom_text = arguments
    if output_format in BINARY and output is None:
        raise click.UsageError(f"--format {output_format} writes binary data: name a file with -o OUT")
    pattern = _read_pattern(atom_text)
    inputs = [*arguments, *([case_path] if case_path else [])]
    budget = max_nodes or None
    try:
        with status_line("explain") as show:
            draw = Drawing(output_format, depth, max_draw_nodes, show)
            show("loading the knowledge base")
            kb = load_kb(kb_paths, max_facts)
            show("running the rules on the case")
            result = kb.run(case_path)
            if pattern is not None:
                data = _explain_matches(result, pattern, depth, ground, draw, budget)
            else:
                predicate, args = read_atom(atom_text)
                check_atom(result, predicate, args)
                derivation = _explained(result, predicate, args, why_not, depth, budget, show)
                if derivation is None:
                    raise NothingToExplain(f"{one_line(atom_text.strip())} does not hold for this case. "
                                           "To see why not, run again with --why-not.")
                data = draw(_one_ground(derivation, ground))
    except NothingToExplain as nothing:  # said once the status line is gone
        click.echo(str(nothing), err=True)
        raise SystemExit(EXIT_FINDING) from None
    _write(data, output, inputs)


class NothingToExplain(Exception):
    """The atom does not hold (and --why-not was not asked), or no fact matches the pattern: exit 1."""


def _explained(result: Result, predicate: str, args: tuple[Value, ...], why_not: bool, depth: int | None,
               budget: int | None, show: Callable[[str], None]) -> Derivation | None:
    """The derivation of an atom that holds; why it does not, when asked; else None."""
    if result.holds((predicate, args)):
        show(f"building the explanation ({_budget_words(budget)})")
        return result.explain((predicate, args), depth=depth, max_nodes=budget)
    if why_not:
        show(f"building the explanation of why not ({_budget_words(budget)})")
        return result.why_not((predicate, args), depth=depth if depth is not None else 3, max_nodes=budget)
    return None


def _budget_words(budget: int | None) -> str:
    return f"at most about {budget:,} nodes, --max-nodes" if budget else "no node limit"


def _read_pattern(text: str) -> ast.Atom | None:
    """The atom typed, when it holds variables (``reduction_floor_months(?f)``); None for a ground atom."""
    name = "<atom>"
    if text.strip().isidentifier():
        return None
    with Sources({name: text}).locating():
        atom = parse_atom(text, name)
        check_pattern(atom)
    return None if all(isinstance(term, ast.Constant) for term in atom.args) else atom


def _explain_matches(result: Result, pattern: ast.Atom, depth: int | None, ground: int | None, draw: Drawing,
                     max_nodes: int | None) -> bytes:
    """Explain every fact an atom with variables matches: text one after the other, JSON as a list."""
    matches = matching_facts(result, pattern)
    if not matches:
        raise NothingToExplain(f"No fact matches {format_atom(pattern)} for this case.")
    atoms = [format_ground_atom(pattern.predicate, args) for args in matches]
    if len(matches) > 1 and draw.format not in ("text", "json"):
        raise UsageError(f"{format_atom(pattern)} matches {len(matches)} facts ({', '.join(atoms[:5])}"
                         f"{', …' if len(atoms) > 5 else ''}): --format {draw.format} draws one",
                         hint="name one of them, or use --format text or json")
    draw.show(f"building the explanations of {plural(len(matches), 'fact')} ({_budget_words(max_nodes)})")
    derivations = [_one_ground(result.explain((pattern.predicate, args), depth=depth, max_nodes=max_nodes), ground)
                   for args in matches]
    if draw.format == "json":
        return b"[\n" + b",\n".join(draw(d).rstrip() for d in derivations) + b"\n]\n"
    return b"\n".join(draw(d) for d in derivations)


def _one_ground(derivation: Derivation, ground: int | None) -> Derivation:
    if ground is None:
        return derivation
    try:
        return derivation.ground(ground)
    except ValueError as error:
        raise UsageError(str(error)) from None


def _write(data: bytes, output: str | None, inputs: list[str]) -> None:
    if output is not None:
        write_atomically(output, data, inputs=inputs)
        return
    click.echo(data.decode("utf-8"), nl=False)


class Drawing:
    """An explanation written in the chosen format; one drawn by Graphviz only within --max-draw-nodes."""

    def __init__(self, output_format: str, depth: int | None, max_nodes: int, show: Callable[[str], None]) -> None:
        self.format, self.depth, self.max_nodes = output_format, depth, max_nodes
        self.show = show  # the terminal's status line (a no-op elsewhere)

    def __call__(self, derivation: Derivation) -> bytes:
        if self.format in DRAWN:
            self._check_size(len(derivation.nodes))
            self.show(f"drawing {len(derivation.nodes):,} nodes as {self.format} with Graphviz "
                      "(a large graph takes minutes; Ctrl-C stops)")
        else:
            self.show(f"writing the explanation as {self.format}")
        depth = self.depth
        if self.format == "text":
            return printable(render_text(derivation, depth=depth)).encode("utf-8")
        if self.format == "dot":
            return render_dot(derivation, depth=depth).encode("utf-8")
        if self.format == "json":
            return render_json(derivation, depth=depth).encode("utf-8")
        if self.format == "html":
            return render_html(derivation, depth=depth).encode("utf-8")
        if self.format in IMAGE_FORMATS:
            return render_image(derivation, self.format, depth=depth)
        raise UsageError(f"unknown format {self.format}")

    def _check_size(self, nodes: int) -> None:
        """Stop before drawing a graph Graphviz would take minutes over, saying how to get it anyway."""
        if not self.max_nodes or nodes <= self.max_nodes:
            return
        raise UsageError(f"not drawn: the explanation has {nodes:,} nodes, more than --max-draw-nodes "
                         f"({self.max_nodes:,}); Graphviz can take minutes on a graph that large, so nothing "
                         "was written",
                         hint=f"show fewer nodes with --max-nodes {self.max_nodes} or one ground with --ground N; "
                              "--format text, json or dot need no drawing; or raise the limit with "
                              f"--max-draw-nodes {nodes} (0: no limit)")
