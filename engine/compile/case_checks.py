"""A case checked against the program: only declared inputs, with the declared number and kinds of values."""

from __future__ import annotations

from lexkb.compile.program import Program
from lexkb.errors import did_you_mean
from lexkb.language.cases import (
    PLAIN_VALUE_TYPES,
    TYPE_OF_KIND,
    Case,
    Finding,
    allowed_kinds,
    check_value_types,
    count_of_values,
    kind_example,
    kind_in_words,
)
from lexkb.language.format import format_ground_atom
from lexkb.values import kind_of


def validate_case(case: Case, program: Program) -> list[Finding]:
    """Facts that are not declared inputs, or have the wrong number or kinds of values."""
    findings = _validate_table(case, program)
    declared = program.inputs
    for fact in case.stated:
        span = fact.fact.atom.span if fact.fact else None
        decl = declared.get(fact.predicate)
        if decl is None:
            if not declared and fact.predicate in program.arities:
                continue  # a program without input declarations accepts any known predicate
            hint = did_you_mean(fact.predicate, declared)
            findings.append(Finding(f"the case states {fact.predicate}, which is not a declared input",
                                    span, hint or "declare it in the rules with: input "
                                    f"{fact.predicate}(…)"))
            continue
        if len(decl.types) != len(fact.args):
            findings.append(Finding(
                f"{fact.predicate} takes {count_of_values(len(decl.types))} (declared at {decl.span}), "
                f"but the case gives {len(fact.args)}", span))
            continue
        for position, (value, type_name) in enumerate(zip(fact.args, decl.types)):
            if kind_of(value) not in allowed_kinds(type_name.text):
                arg_span = fact.fact.atom.args[position].span if fact.fact else None
                findings.append(Finding(
                    f"value {position + 1} of {fact.predicate} must be {kind_in_words(type_name.text)}, "
                    f"not {kind_in_words(kind_of(value))}", arg_span,
                    kind_example(type_name.text)))
    for expect in case.expects:
        if expect.atom.predicate not in program.arities:
            if expect.negated:
                continue  # `expect not X` where nothing concludes X: the very claim, and it holds
            findings.append(Finding(f"the case expects {expect.atom.predicate}, which nothing in the rules concludes",
                                    expect.atom.span, did_you_mean(expect.atom.predicate, program.arities)))
        elif program.arities[expect.atom.predicate] != expect.atom.arity:
            findings.append(Finding(
                f"{expect.atom.predicate} takes {count_of_values(program.arities[expect.atom.predicate])}, "
                f"but the expectation gives {expect.atom.arity}", expect.atom.span))
    return findings


def _validate_table(case: Case, program: Program) -> list[Finding]:
    """The checks of validate_case for facts given as a table: one pass per predicate and column."""
    findings: list[Finding] = []
    for predicate, rows in (case.table or {}).items():
        decl = program.inputs.get(predicate)
        if decl is None:
            if not program.inputs and predicate in program.arities:
                if not {type(value) for row in rows for value in row} <= PLAIN_VALUE_TYPES:
                    check_value_types(predicate, rows)  # no declared kinds: only lexkb values are accepted
                continue
            findings.append(Finding(f"the case states {predicate}, which is not a declared input", None,
                                    did_you_mean(predicate, program.inputs)))
            continue
        width = len(decl.types)
        wrong_width = next((args for args in rows if len(args) != width), None)
        if wrong_width is not None:
            findings.append(Finding(f"{predicate} takes {count_of_values(width)}, but the case gives {len(wrong_width)}: "
                                    f"{format_ground_atom(predicate, wrong_width)}", None))
            continue
        for position, type_name in enumerate(decl.types):
            allowed = {TYPE_OF_KIND[kind] for kind in allowed_kinds(type_name.text)}
            if {type(args[position]) for args in rows} <= allowed:  # one set per column: tables are large
                continue
            check_value_types(predicate, rows)  # a value that is no lexkb value at all: a TypeError, not a finding
            args = next(args for args in rows if type(args[position]) not in allowed)
            findings.append(Finding(
                f"value {position + 1} of {format_ground_atom(predicate, args)} must be "
                f"{kind_in_words(type_name.text)}, not {kind_in_words(kind_of(args[position]))}", None,
                kind_example(type_name.text)))
            break
    return findings
