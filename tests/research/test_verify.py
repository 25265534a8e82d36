"""lexkb verify: planted conflict, gap and dead rule; a consistent base; acknowledgements."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

import lexkb

pytest.importorskip("z3")

if TYPE_CHECKING:
    from conftest import Lexkb

FIX = Path(__file__).parents[1] / "fixtures" / "research"


def test_planted_conflict_and_gap_have_witnesses_the_engine_reproduces(tmp_path: Path, lexkb: Lexkb) -> None:
    rules = str(FIX / "planted.rules")
    code, out, _ = lexkb("verify", rules, "--witness-dir", str(tmp_path))
    assert code == 1, out
    assert "CONFLICT 1: grant and deny both hold" in out
    assert "GAP 1: no declared outcome holds" in out
    conflict, gap = tmp_path / "conflict-1.case", tmp_path / "gap-1.case"
    assert conflict.exists() and gap.exists()
    code, out, _ = lexkb("run", rules, "--case", str(conflict), "--format", "json")
    assert code == 0 and json.loads(out)["outcomes"] == ["grant", "deny"]
    code, out, _ = lexkb("run", rules, "--case", str(gap), "--format", "json")
    assert code == 0 and json.loads(out)["outcomes"] == []
    # the witnesses are ready-made tests: their expectations pass
    code, out, _ = lexkb("test", rules, str(conflict), str(gap))
    assert code == 0 and out.strip().endswith("2 passed, 0 failed")
    # the rules on each side are named
    text = conflict.read_text()
    assert "low_level_grants" in text and "drug_denies" in text


def test_dead_rule_is_named_by_file_and_line(lexkb: Lexkb) -> None:
    code, out, _ = lexkb("verify", str(FIX / "planted.rules"))
    assert code == 1
    assert "planted.rules:19:1: dead: rule impossible can never fire" in out
    assert "?x > 5" in out and "?x < 3" in out
    assert "repeat_denies" not in out.split("dead:")[1].split("\n")[0]


def test_consistent_rule_base_is_clean(lexkb: Lexkb) -> None:
    code, out, _ = lexkb("verify", str(FIX / "consistent.rules"))
    assert code == 0, out
    assert "Result: clean" in out
    assert "Proved" in out and "at most 2 facts" in out


def test_acknowledged_findings_are_listed_but_do_not_fail(lexkb: Lexkb) -> None:
    code, out, _ = lexkb("verify", str(FIX / "acknowledged.rules"), "--format", "json")
    assert code == 0, out
    data = json.loads(out)
    kinds = sorted(f["kind"] for f in data["findings"])
    assert kinds == ["conflict", "dead", "gap"]
    assert all(f["acknowledged"]["justification"] for f in data["findings"])


def test_narrowed_acknowledgement_leaves_other_gaps(lexkb: Lexkb) -> None:
    code, out, _ = lexkb("verify", str(FIX / "narrowed.rules"), "--format", "json")
    assert code == 1
    gap = next(f for f in json.loads(out)["findings"] if f["kind"] == "gap")
    assert gap["acknowledged"] is None
    assert gap["facts"] == ["level(10)"]  # the unacknowledged gap: exactly the boundary


def test_bad_acknowledgement_is_a_located_error(tmp_path: Path, lexkb: Lexkb) -> None:
    rules = tmp_path / "bad.rules"
    rules.write_text('input x\noutcomes a, b\na if x\nb if not x\n# lexkb: acknowledge conflict a c "typo"\n')
    code, _, err = lexkb("verify", str(rules))
    assert code == 2, err
    assert "bad.rules:5:" in err and "c is not a declared outcome" in err


def test_api_report_states_what_is_proved() -> None:
    from lexkb.research.verify import verify

    report = verify(lexkb.load(FIX / "consistent.rules"), bound=1)
    assert not report.findings
    assert any("at most 1 fact" in p for p in report.proved)


# ---------------------------------------------------------------- the parts, one by one

BASE = "input level(int)\ninput category(symbol)\noutcomes grant, deny\nrule low: grant if level(?l) and ?l < 10\n"


@pytest.mark.parametrize(("directive", "words"), [
    ('# lexkb: acknowledge gap', "needs a written justification"),
    ('# lexkb: acknowledge gap ""', "needs a written justification"),
    ('# lexkb: acknowledge gaps "x"', "names a gap, a conflict or a dead rule"),
    ('# lexkb: acknowledge gap grant "x"', "'acknowledge gap' takes no names"),
    ('# lexkb: acknowledge conflict grant "x"', "names the two outcomes"),
    ('# lexkb: acknowledge dead lwo "x"', "no rule is named lwo"),
    ('# lexkb: acknowledge dead "x"', "'acknowledge dead' names one rule"),
    ('# lexkb: acknowledge gap when not level( "x"', "cannot read the condition 'level\\('"),
])
def test_bad_directives_are_located_errors(directive: str, words: str) -> None:
    from lexkb.errors import CheckError
    from lexkb.research.verify import acknowledgements

    with pytest.raises(CheckError, match=words) as problem:
        acknowledgements(lexkb.loads(BASE + directive + "\n", "d.rules"))
    assert problem.value.span is not None and (problem.value.span.file, problem.value.span.line) == ("d.rules", 5)


def test_directives_are_read_with_their_conditions_and_justification() -> None:
    from lexkb.research.verify import acknowledgements

    acks = acknowledgements(lexkb.loads(BASE + '  #lexkb: acknowledge conflict grant deny "both \\"fine\\""\n'
                                        '# lexkb: acknowledge gap when not level(?l) and category(drug) "no level"\n'
                                        '# lexkb: acknowledge dead low "kept"\n', "d.rules"))
    assert [(a.kind, a.subject, a.justification) for a in acks] == [
        ("conflict", ("deny", "grant"), 'both "fine"'), ("gap", (), "no level"), ("dead", ("low",), "kept")]
    assert [(negated, atom.predicate) for negated, atom in acks[1].when] == [(True, "level"), (False, "category")]


def test_a_narrowed_acknowledgement_covers_only_witnesses_where_its_conditions_hold() -> None:
    from lexkb.research.verify import acknowledgements
    from lexkb.research.verify.acknowledgements import covers

    kb = lexkb.loads(BASE + '# lexkb: acknowledge gap when not level(?l) and category(?c) "x"\n', "d.rules")
    ack = acknowledgements(kb)[0]
    assert covers(ack, kb.run({"category": [("drug",)]}))
    assert not covers(ack, kb.run({"category": [("drug",)], "level": [(12,)]}))
    assert not covers(ack, kb.run({}))


def test_a_witness_case_reads_back_with_the_same_facts(tmp_path: Path) -> None:
    from lexkb import Text
    from lexkb.language.cases import load_case
    from lexkb.research.verify import Finding, witness_case

    facts = [("note", (Text('say "hi"\nand \\ go'),)), ("level", (3,))]
    finding = Finding("gap", "no declared outcome holds (grant)", outcomes=("grant",), facts=facts,
                      details=["grant: none of its rules fires (low)"])
    text = witness_case(finding, "gap_1", "kb", "w/gap-1.case")
    assert "# grant: none of its rules fires (low)" in text and text.endswith("expect not grant\n")
    (tmp_path / "gap-1.case").write_text(text, encoding="utf-8")
    case = load_case(tmp_path / "gap-1.case")
    assert [(f.predicate, f.args) for f in case.facts] == facts
    assert case.name == "gap_1" and [(e.atom.predicate, e.negated) for e in case.expects] == [("grant", True)]


def test_the_report_as_json_says_whether_it_is_clean() -> None:
    from lexkb.research.verify import Finding, Report

    dead = Finding("dead", "rule r can never fire")
    report = Report([dead], 2, 4, ["p"], ["s"], [], {"conflicts": 0, "gaps": 0, "dead": 1, "acknowledged": 0})
    data = report.to_json()
    assert list(data) == ["bound", "depth", "findings", "counts", "proved", "searched", "notes", "gave_up", "clean"]
    assert data["clean"] is False and report.failing == [dead]
    assert data["findings"] == [{"kind": "dead", "message": "rule r can never fire", "location": None,
                                 "acknowledged": None}]


def test_a_rule_joining_two_facts_of_an_input_is_not_proved_dead_with_one() -> None:
    from lexkb.research.verify import verify
    from lexkb.research.verify.dead import facts_needed

    kb = lexkb.loads("input level(int)\noutcomes two\n"
                     "rule two_levels: two if level(?a) and level(?b) and ?a > ?b + 5 and ?b > ?a + 5\n", "j.rules")
    assert list(facts_needed(kb.program).values()) == [{"level": 2}]
    report = verify(kb, bound=1)
    assert not [f for f in report.findings if f.kind == "dead"]
    assert any("can match up to 2 level facts" in note for note in report.notes)
    assert [f.kind for f in verify(kb, bound=2).findings].count("dead") == 1


def test_unknown_from_z3_is_gave_up_never_proved(lexkb: Lexkb) -> None:
    """z3 answers "unknown" on a conflict needing factoring: it is listed as gave up, and the run is not clean."""
    rules = str(Path(__file__).parents[1] / "hostile" / "verify-unknown-is-not-proved" / "factoring.rules")
    code, out, _ = lexkb("verify", rules, "--timeout", "0.5", "--format", "json")
    report = json.loads(out)
    assert code == 1 and report["clean"] is False
    assert report["counts"]["conflicts"] == 0
    assert any("grant and deny can both hold" in g and "z3 gave up" in g for g in report["gave_up"])
    assert not any("grant" in p for p in report["proved"])
