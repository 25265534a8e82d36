"""The engine's model equals clingo's answer set, on generated stratified programs.

The programs come from the strategy of :mod:`programs` (integers
only: clingo orders integers before symbols, lexkb makes cross-kind `<` false,
so mixed kinds are compared with the interpreter and z3 instead) and are
written here in clingo's language: disjunctions split into rules, a negated
conjunction through an auxiliary predicate, min/max through ``(A+B-|A-B|)/2``.
"""

from __future__ import annotations

import re

import clingo
import pytest
from hypothesis import given, settings

import lexkb

from .programs import Pred, Program, programs, to_lexkb

pytestmark = pytest.mark.clingo

# ---------------------------------------------------------------- writing clingo


def cl_term(term: tuple) -> str:
    if term[0] == "anon":
        return "_"
    if term[0] == "var":
        return term[1]
    if term[0] == "const":
        return f"({term[1]})"
    op, a, b = term
    x, y = cl_term(a), cl_term(b)
    if op == "min":
        return f"(({x})+({y})-|({x})-({y})|)/2"
    if op == "max":
        return f"(({x})+({y})+|({x})-({y})|)/2"
    return f"({x}{op}{y})"


def cl_atom(pred: Pred, args: tuple) -> str:
    return pred.name + (f"({','.join(cl_term(a) for a in args)})" if args else "")


def variables(node: object) -> list[str]:
    if isinstance(node, tuple) and node and node[0] == "var":
        return [node[1]]
    if isinstance(node, (tuple, list)):
        return [v for item in node for v in variables(item)]
    return []


def to_clingo(program: Program) -> str:
    lines = [f"{cl_atom(p, tuple(('const', v) for v in row))}." for p in program.base
             for row in program.facts[p.name]]
    aux = 0
    for head, args, body in program.rules:
        bodies: list[list[str]] = [[]]
        for lit in body:
            kind = lit[0]
            if kind == "or":
                options = [[cl_literal(x) for x in alt] for alt in lit[1:]]
                bodies = [b + option for b in bodies for option in options]
                continue
            if kind == "notand":
                aux += 1
                outside = {v for other in body if other is not lit for v in variables(other)} | set(variables(args))
                shared = sorted({v for v in variables(lit[1]) if v in outside})
                name = f"aux{aux}" + (f"({','.join(shared)})" if shared else "")
                lines.append(f"{name} :- {', '.join(cl_literal(x) for x in lit[1])}.")
                text = f"not {name}"
            else:
                text = cl_literal(lit)
            bodies = [b + [text] for b in bodies]
        for items in bodies:
            lines.append(f"{cl_atom(head, args)} :- {', '.join(items) if items else '#true'}.")
    for pred in program.base + program.derived:  # declare every predicate, even if nothing derives it
        lines.append(f"#defined {pred.name}/{pred.arity}.")
    return "\n".join(lines) + "\n"


def cl_literal(lit: tuple) -> str:
    kind = lit[0]
    if kind == "pos":
        return cl_atom(lit[1], lit[2])
    if kind in ("neg", "unless"):
        return "not " + cl_atom(lit[1], lit[2])
    if kind == "cmp":
        return f"{cl_term(lit[2])} {lit[1]} {cl_term(lit[3])}"
    if kind == "bind":
        return f"{cl_term(lit[1])} = {cl_term(lit[2])}"
    raise AssertionError(kind)


# ---------------------------------------------------------------- solving and comparing


def clingo_model(text: str, names: set[str]) -> dict[str, set[tuple]]:
    control = clingo.Control(["--warn=none"])
    control.add("base", [], text)
    control.ground([("base", [])])
    models: list[dict[str, set[tuple]]] = []

    def on_model(model: clingo.Model) -> None:
        out: dict[str, set[tuple]] = {n: set() for n in names}
        for symbol in model.symbols(atoms=True):
            if symbol.name in names:
                out[symbol.name].add(tuple(a.number for a in symbol.arguments))
        models.append(out)

    control.solve(on_model=on_model)
    assert len(models) == 1, "a stratified program has exactly one answer set"
    return models[0]


def lexkb_model(program: Program) -> dict[str, set[tuple]]:
    result = lexkb.loads(to_lexkb(program), "generated.rules").run(program.case())
    return {p.name: set(result.facts(p.name)) for p in program.predicates}


@settings(max_examples=150, deadline=None)
@given(programs())
def test_engine_agrees_with_clingo(program: Program) -> None:
    names = {p.name for p in program.predicates}
    expected = clingo_model(to_clingo(program), names)
    assert lexkb_model(program) == expected, f"--- lexkb\n{to_lexkb(program)}\n--- clingo\n{to_clingo(program)}"


def test_the_generator_covers_the_language() -> None:
    """The generated programs do use every construct the comparison is meant to test."""
    seen: set[str] = set()

    @settings(max_examples=150, derandomize=True, database=None, deadline=None)
    @given(programs())
    def collect(program: Program) -> None:
        text = to_lexkb(program)
        seen.update(word for word in (" or ", "not (", " unless ", "min(", "max(", " * ", " - ", " + ", " != ",
                                      " <= ", " >= ", "tc(", " = ") if word in text)
        if re.search(r"\b_\b", text):
            seen.add("_")
        if re.search(r"(not|unless) \w+\([^()]*\b_\b", text):
            seen.add("not ... _")
        try:
            kb = lexkb.loads(text, "g.rules")
        except lexkb.LexkbError:
            return
        if kb.program.recursive:
            seen.add("recursion")
        if any(len(stratum) > 1 for stratum in kb.program.strata):
            seen.add("mutual recursion")
        if any(b.hidden for b in kb.program.branches):
            seen.add("auxiliary")

    collect()
    assert {"recursion", "mutual recursion", "auxiliary", " or ", "not (", " unless ", "min(", "max(", " * ",
            "tc(", "_", "not ... _"} <= seen, seen


@settings(max_examples=20, deadline=None)
@given(programs())
def test_only_integers_reach_clingo(program: Program) -> None:
    assert all(type(v) is int for rows in program.facts.values() for row in rows for v in row)
