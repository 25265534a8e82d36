"""The checks of ``reads`` and ``internal`` declarations, and the hint where a reading is missing.

A reading is a sentence a judge's clerk reads in place of a predicate, so a
mistake in it is an error, located: a placeholder the predicate does not have
(``?lvl`` for ``offense_level(?l)``), an argument the sentence leaves out, a
wrong number of arguments, a second reading of the same predicate. Once a
knowledge base uses readings at all, a predicate that reaches an outcome
without one is a warning (a clerk would meet its bare name); a knowledge base
without readings is left as it is.
"""

from __future__ import annotations

from collections.abc import Sequence

from lexkb.compile.program import BaseFact, Branch
from lexkb.errors import CheckError, Span, did_you_mean, plural
from lexkb.language import ast
from lexkb.language.cases import Finding
from lexkb.language.readings import placeholders

Declaration = ast.Reading | ast.InternalDecl


def check_readings(declarations: Sequence[Declaration], arities: dict[str, int],
                   outcomes: Sequence[str]) -> tuple[dict[str, ast.Reading], frozenset[str]]:
    """The readings by predicate and the internal predicates, or a located CheckError."""
    readings: dict[str, ast.Reading] = {}
    internal: set[str] = set()
    known = [p for p in arities if not p.startswith("_")]
    for declaration in declarations:
        if isinstance(declaration, ast.InternalDecl):
            for name in declaration.names:
                _known(name.text, name.span, known, "internal")
                if name.text in outcomes:
                    raise CheckError(f"{name.text} is an outcome, so it cannot be internal", name.span,
                                     hint="internal is for helper conclusions that lead to an outcome")
                internal.add(name.text)
            continue
        atom = declaration.atom
        _known(atom.predicate, atom.span, known, "a reading for")
        if atom.predicate in readings:
            raise CheckError(f"{atom.predicate} already has a reading (at {readings[atom.predicate].span})",
                             declaration.span, hint="a predicate has one reading; keep the one that reads best")
        if arities[atom.predicate] != atom.arity:
            raise CheckError(f"{atom.predicate} takes {plural(arities[atom.predicate], 'value')}, but the reading "
                             f"names {atom.arity}", atom.span,
                             hint="name each value with a variable, e.g. offense_level(?l) reads \"… ?l\"")
        _check_placeholders(declaration)
        readings[atom.predicate] = declaration
    return readings, frozenset(internal)


def _known(predicate: str, span: Span, known: list[str], what: str) -> None:
    if predicate not in known:
        raise CheckError(f"{what} {predicate}, which no rule concludes, no fact states and no input declares",
                         span, hint=did_you_mean(predicate, known))


def _check_placeholders(reading: ast.Reading) -> None:
    parameters: list[str] = []
    for term in reading.atom.args:
        if not isinstance(term, ast.Variable) or term.anonymous or term.name in parameters:
            raise CheckError("each value of a reading is named by a variable of its own", term.span,
                             hint="e.g. table_range(?level, ?category, ?low, ?high) reads \"…\"")
        parameters.append(term.name)
    for quote in (reading.text, reading.negative):
        if quote is None:
            continue
        for match in placeholders(quote.text):
            if match.group(1) not in parameters:
                named = ", ".join(f"?{p}" for p in parameters) or "none"
                raise CheckError(f"the reading uses ?{match.group(1)}, which is not a value of "
                                 f"{reading.atom.predicate} (its values: {named})", _within(quote, match.start(),
                                                                                           match.end()),
                                 hint=did_you_mean(match.group(1), parameters))
    used = {m.group(1) for m in placeholders(reading.text.text)}
    for name, term in zip(parameters, reading.atom.args):
        if name not in used:
            raise CheckError(f"the reading leaves out ?{name}: a clerk would not see that value", term.span,
                             hint=f"put ?{name} in the sentence where the value belongs")


def _within(quote: ast.Quote, start: int, end: int) -> Span:
    """The span of characters ``start:end`` of a quote's text (exact when nothing before them is escaped)."""
    span = quote.span
    if span.line != span.end_line:
        return span
    return Span(span.file, span.line, span.column + 1 + start, span.line, span.column + 1 + end)


def unread(readings: dict[str, ast.Reading], internal: frozenset[str], outcomes: Sequence[str],
           arities: dict[str, int], dependencies: dict[str, frozenset[str]], branches: Sequence[Branch], facts: Sequence[BaseFact],
           inputs: dict[str, ast.InputDecl]) -> list[Finding]:
    """Warnings, once the knowledge base has readings, for each predicate reaching an outcome without one."""
    if not readings:
        return []
    reaching: list[str] = []
    todo = list(outcomes)
    while todo:
        predicate = todo.pop(0)
        if predicate in reaching:
            continue
        reaching.append(predicate)
        todo.extend(sorted(dependencies.get(predicate, ())))
    where: dict[str, Span] = {}
    for decl in inputs.values():
        where.setdefault(decl.predicate, decl.span)
    for branch in branches:
        where.setdefault(branch.head.predicate, branch.head.span)
    for fact in facts:
        where.setdefault(fact.predicate, fact.fact.span)
    out = []
    for predicate in reaching:
        if predicate in readings or predicate in internal or predicate.startswith("_") or predicate not in where:
            continue
        out.append(Finding(f"{predicate} leads to an outcome but has no reading: explanations will show its name",
                           where[predicate], f"add a reading, e.g. {_example(predicate, arities[predicate])}"))
    return out


def _example(predicate: str, arity: int) -> str:
    """``deny reads "…"``, ``table_range(?a, ?b) reads "… ?a … ?b"``: the shape of the reading to write."""
    names = [f"?{chr(ord('a') + i)}" for i in range(min(arity, 26))]
    if not names:
        return f'{predicate} reads "…"'
    return f'{predicate}({", ".join(names)}) reads "{" … ".join(["…", *names])}"'
