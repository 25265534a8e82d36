"""`_`, the anonymous variable: a fresh variable at each occurrence; "for no value" under `not`/`unless`."""

from __future__ import annotations

import pytest

import lexkb
from lexkb.language.format import format_module
from lexkb.language.parser import parse

RULES = """
drug(crack)
drug(heroin)
modified(crack, section_2)
pair(a, b)
not_covered(?d) if drug(?d) unless modified(?d, _)
has_modification(?d) if modified(?d, _)
any_pair if pair(_, _)
unmodified_drug_exists if drug(?d) and not modified(?d, _)
"""


def test_unless_with_anonymous_means_for_no_value() -> None:
    result = lexkb.loads(RULES, "anon.rules").run()
    assert set(result.facts("not_covered")) == {("heroin",)}
    assert set(result.facts("has_modification")) == {("crack",)}
    assert result.holds("unmodified_drug_exists")


def test_each_anonymous_is_its_own_variable() -> None:
    assert lexkb.loads(RULES, "anon.rules").run().holds("any_pair")  # pair(a, b): two different values


def test_negated_anonymous_becomes_a_hidden_projection() -> None:
    program = lexkb.loads(RULES, "anon.rules").program
    hidden = [b for b in program.branches if b.hidden]
    assert hidden and all(len(b.head.args) == 1 for b in hidden)  # projected onto ?d alone


@pytest.mark.parametrize("text", ["p if q(?_)", "p if q(?_x)", "p(_) if q(?x)", "p(_)", "p if q(?x) and ?x < _",
                                  "p if q(_ * 2)"])
def test_anonymous_outside_a_conditions_atom_is_refused(text: str) -> None:
    with pytest.raises(lexkb.LexkbError):
        lexkb.loads("input q(int)\n" + text, "bad.rules")


def test_the_printer_writes_anonymous_back_as_underscore() -> None:
    module = parse("p(?d) if q(?d, _) unless r(_, ?d)\n", "a.rules")
    assert format_module(module).strip() == "p(?d) if q(?d, _) unless r(_, ?d)"
