"""Check NamedGuards.definitions against a plain walk of every guard, on a knowledge base (kb/ by default).

``NamedGuards`` finds the names a guard reads from the parts recorded on its terms, each
shared term once; a missed name would leave a definition out of a question and weaken
its proof. This script compares it with the walk it replaced (below, frozen: every guard
walked term by term in z3, nothing shared between guards):

- what each definition reads, for every definition of the encoding verify makes;
- ``definitions(formula)`` for every formula verify asks about: each branch's guard, each
  outcome, each pair of outcomes (a conflict), all of them negated (a gap), each within the
  encoding's exact region too; and every formula a whole ``verify`` run asks.

Lists are compared as they are (the same definitions in the same order: the solver is
given them in that order). Run from the repository root::

    .venv/bin/python scripts/check_named_reads.py [kb]

Exits 1 on any difference, 2 when the rules or a case do not load.
"""

from __future__ import annotations

import argparse
import glob
import sys
import time
from itertools import combinations
from typing import Any

import z3

import lexkb
from lexkb.errors import LexkbError
from lexkb.language.cases import load_case
from lexkb.research import z3_calls
from lexkb.research.named import NamedGuards
from lexkb.research.symbolic_values import conj, disj, neg
from lexkb.research.verify import solver as solver_module
from lexkb.research.verify.verifier import DEFAULT_BOUND, DEFAULT_DEPTH, verify

_CONNECTIVES = frozenset({z3.Z3_OP_AND, z3.Z3_OP_OR, z3.Z3_OP_NOT})


class Reference:
    """The walk NamedGuards used before (commit 3b5c31b), over the same definitions."""

    def __init__(self, named: NamedGuards) -> None:
        self.named = named
        self.needs: dict[int, list[int]] = {}

    def definitions(self, *formulas: Any) -> list[z3.BoolRef]:
        definitions = self.named._definitions
        out: list[z3.BoolRef] = []
        seen: set[int] = set()
        todo = [key for formula in formulas for key in self.names_in(formula)]
        while todo:
            key = todo.pop()
            if key in seen:
                continue
            seen.add(key)
            definition, guard = definitions[key]
            out.append(definition)
            needs = self.needs.get(key)
            if needs is None:
                needs = self.needs[key] = self.names_in(guard)
            todo.extend(needs)
        return out

    def names_in(self, formula: Any) -> list[int]:
        if isinstance(formula, bool):
            return []
        definitions = self.named._definitions
        context = formula.ctx.ref()
        found: list[int] = []
        seen: set[int] = set()
        todo = [formula.as_ast()]
        while todo:
            term = todo.pop()
            key = z3_calls.get_ast_id(context, term)
            if key in seen:
                continue
            seen.add(key)
            if key in definitions:
                found.append(key)
                continue
            kind = z3_calls.get_ast_kind(context, term)
            if kind == z3.Z3_QUANTIFIER_AST:
                todo.append(z3_calls.get_quantifier_body(context, term))
            elif kind == z3.Z3_APP_AST and z3_calls.get_decl_kind(
                    context, z3_calls.get_app_decl(context, term)) in _CONNECTIVES:
                todo.extend(z3_calls.get_app_arg(context, term, i)
                            for i in range(z3_calls.get_app_num_args(context, term)))
        return found


def _ids(definitions: list[z3.BoolRef]) -> list[int]:
    return [z3_calls.term_id(d) for d in definitions]


def check_encoding(path: str) -> list[str]:
    """Every definition's reads, and definitions() of every formula verify asks about, on a fresh encoding."""
    kb = lexkb.load(path)
    solver = solver_module.BoundedSolver(kb, DEFAULT_BOUND, DEFAULT_DEPTH)
    encoding = solver.encoding
    named = encoding.named
    problems: list[str] = []
    formulas: list[tuple[str, Any]] = []
    for branch in kb.program.branches:
        if solver.is_exact(branch):
            formulas.append((f"branch {branch.id} ({branch.rule.label})",
                             disj(g for g, _ in encoding.branch_heads(branch))))
    holds = {o: encoding.holds(o, ()) for o in kb.program.outcomes}
    formulas += [(f"outcome {o}", h) for o, h in holds.items()]
    formulas += [(f"conflict {a} and {b}", conj(holds[a], holds[b])) for a, b in combinations(holds, 2)]
    formulas.append(("gap", conj(*(neg(h) for h in holds.values()))))
    formulas += [(f"{label}, within the exact region", conj(f, solver.region)) for label, f in list(formulas)]

    reference = Reference(named)
    start = time.perf_counter()
    for label, formula in formulas:  # the formulas' own order: the first reaches almost every definition
        got, expected = _ids(named.definitions(formula)), _ids(reference.definitions(formula))
        if got != expected:
            problems.append(f"{label}: {len(got)} definitions, {len(expected)} expected"
                            f" ({'same set, another order' if set(got) == set(expected) else 'not the same set'})")
    print(f"{len(formulas)} formulas checked ({time.perf_counter() - start:.1f} s)")
    # Then what each definition reads, on its own (the formulas above read them through the cache).
    for key, (_, guard) in named._definitions.items():
        got_needs, expected_needs = list(named._needs.get(key, ())), reference.names_in(guard)
        if key in named._needs and got_needs != expected_needs:
            problems.append(f"definition {key}: reads {got_needs}, expected {expected_needs}")
    for key, (_, guard) in named._definitions.items():  # each guard read alone, nothing found before
        alone = NamedGuards()
        alone._definitions = named._definitions
        if list(alone._reads(guard, {}, {})) != reference.names_in(guard):
            problems.append(f"definition {key}: read alone, not what the walk finds")
    print(f"{len(named._definitions)} definitions checked, {len(named._needs)} of them reached by the formulas")
    return problems


def check_verify(path: str) -> list[str]:
    """definitions() of every formula a whole verify run asks, against the walk."""
    kb = lexkb.load(path)
    problems: list[str] = []
    asked = [0]
    original = NamedGuards.definitions
    references: dict[int, Reference] = {}

    def checked(self: NamedGuards, *formulas: Any) -> list[z3.BoolRef]:
        got = original(self, *formulas)
        reference = references.setdefault(id(self), Reference(self))
        expected = reference.definitions(*formulas)
        asked[0] += 1
        if _ids(got) != _ids(expected):
            problems.append(f"verify's question {asked[0]}: {len(got)} definitions, {len(expected)} expected")
        return got

    NamedGuards.definitions = checked  # type: ignore[method-assign]
    try:
        examples = [kb.run(load_case(p)) for p in sorted(glob.glob(f"{path}/cases/*.case"))]
        report = verify(kb, examples=examples)
    finally:
        NamedGuards.definitions = original  # type: ignore[method-assign]
    print(f"verify: {asked[0]} questions checked, clean: {report.clean}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("kb", nargs="?", default="kb", help="the knowledge base (default: kb, the bundled one)")
    path = parser.parse_args(argv).kb
    try:
        problems = check_encoding(path) + check_verify(path)
    except LexkbError as error:  # rules or a case that do not load: said as lexkb says it, never a traceback
        print(f"check_named_reads: {error}", file=sys.stderr)
        return 2
    for problem in problems:
        print("DIFFERS:", problem)
    print("exact: the same definitions, in the same order" if not problems else f"{len(problems)} differences")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
