"""lexkb whatif: the smallest change that flips an atom, confirmed by the engine."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import lexkb
from lexkb.research.whatif import whatif

if TYPE_CHECKING:
    from conftest import Lexkb

FIX = Path(__file__).parents[1] / "fixtures" / "research"


def test_threshold_is_found_on_the_boundary() -> None:
    kb = lexkb.load(FIX / "cov.rules")
    case = kb.case(FIX / "low.case")
    answer = whatif(kb, case, "grant", ())
    assert answer.held and answer.size == 1
    changed = [f.changes[0].args for f in answer.flips if f.changes[0].kind == "value"]
    assert (10,) in changed  # the smallest level at which grant stops holding
    assert (9,) not in changed
    for flip in answer.flips:  # each flip is real
        facts: dict = {}
        for fact in case.facts:
            if fact is not flip.changes[0].fact:
                facts.setdefault(fact.predicate, []).append(fact.args)
        if flip.changes[0].kind != "remove":
            facts.setdefault(flip.changes[0].predicate, []).append(flip.changes[0].args)
        assert not kb.run(facts).holds("grant")


def test_adding_a_flag_flips_and_cli_explains(lexkb: Lexkb) -> None:
    code, out, err = lexkb("whatif", str(FIX / "cov.rules"), "--case", str(FIX / "low.case"), "grant",
                           "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    sentences = [f["sentence"] for f in data["flips"]]
    assert "had the case not stated level(3), grant would not hold" in sentences


def test_no_flip_within_bound_exits_1(lexkb: Lexkb) -> None:
    code, out, _ = lexkb("whatif", str(FIX / "cov.rules"), "--case", str(FIX / "low.case"), "deny",
                         "--method", "engine-runs", "--max-runs", "1")
    assert code == 1
    assert "No flip found" in out


def test_unknown_atom_is_a_usage_error(lexkb: Lexkb) -> None:
    code, out, err = lexkb("whatif", str(FIX / "cov.rules"), "--case", str(FIX / "low.case"), "gant")
    assert code == 2 and out == ""
    assert "did you mean 'grant'" in err


def test_symbol_candidates_are_those_the_rules_tell_apart() -> None:
    from lexkb.research.whatif import symbol_domains

    kb = lexkb.loads("""
input offense_category(symbol)
input criminal_history_category(symbol)
table_range(31, I, 108, 135)
table_range(31, II, 121, 151)
reentry if offense_category(illegal_reentry)
not_drug if offense_category(?o) and ?o != drug
cell(?lo) if criminal_history_category(?c) and table_range(31, ?c, ?lo, ?hi)
""", "domains.rules")
    domains = symbol_domains(kb.program)
    assert domains[("offense_category", 0)] == {"illegal_reentry", "drug"}
    assert domains[("criminal_history_category", 0)] == {"I", "II"}


def test_a_case_given_as_a_mapping_flips_as_its_file_does() -> None:
    """A caller's case (``case_from_mapping``) must change like a case file: its facts are made once,
    so the change that names a fact finds it again (made anew at each read, every change was a no-op)."""
    from lexkb.language.cases import case_from_mapping
    kb = lexkb.load(FIX / "cov.rules")
    from_file = kb.case(FIX / "low.case")
    mapping = case_from_mapping({f.predicate: [f.args] for f in from_file.facts})
    assert mapping.facts is mapping.facts
    by_file = whatif(kb, from_file, "grant", ())
    by_mapping = whatif(kb, mapping, "grant", ())
    assert by_mapping.held and by_mapping.size == by_file.size == 1
    assert sorted(str(f.changes[0].args) for f in by_mapping.flips) == sorted(
        str(f.changes[0].args) for f in by_file.flips)
