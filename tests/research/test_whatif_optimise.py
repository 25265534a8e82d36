"""What-if by z3 and the engine: every answer a real flip, and minimal — checked by enumerating every change.

Small rule bases are generated (Hypothesis, so a failure shrinks to a small
program): flags, negation, an integer compared with a reference table and with
constants, a symbol compared with constants. For each, every set of changes
smaller than the answer is tried by the engine, and none may flip the atom;
what z3 proved (no flip of k changes or fewer, or none at all) is checked the
same way.
"""

from __future__ import annotations

import itertools
import json
import time
from pathlib import Path
from typing import TYPE_CHECKING

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lexkb
from lexkb.cli.whatif import changed_facts
from lexkb.research.descent import descend
from lexkb.research.optimise import Optimiser, apply, slots_of
from lexkb.research.whatif import WhatIf, changes_of, whatif

if TYPE_CHECKING:
    from conftest import Lexkb

    from lexkb.api import KnowledgeBase
    from lexkb.language.cases import Case

HEADER = """input a
input b
input n(int)
input k(symbol)
limit(2)
limit(4)
mid if n(?x) and ?x >= 3
"""
CONDITIONS = ["a", "not b", "b", "n(?x) and limit(?t) and ?x > ?t", "n(?x) and ?x <= 1", "k(red)",
              "k(?s) and ?s != blue", "not mid", "mid", "not a"]
EXHAUSTIVE_SIZE = 3  # sets of changes up to this size are enumerated


@st.composite
def rule_bases(draw: st.DrawFn) -> tuple[str, str]:
    """A rule base concluding ``goal`` in one to three rules, and a case for it."""
    rules = draw(st.lists(st.lists(st.sampled_from(CONDITIONS), min_size=1, max_size=3, unique=True),
                          min_size=1, max_size=3))
    text = HEADER + "".join(f"goal if {' and '.join(conditions)}\n" for conditions in rules)
    facts = []
    if draw(st.booleans()):
        facts.append("a")
    if draw(st.booleans()):
        facts.append("b")
    if draw(st.booleans()):
        facts.append(f"n({draw(st.integers(0, 6))})")
    if draw(st.booleans()):
        facts.append(f"k({draw(st.sampled_from(['red', 'blue', 'green']))})")
    return text, "case generated\n" + "".join(f"{fact}\n" for fact in facts)


def _load(tmp: Path, rules: str, case_text: str) -> tuple[KnowledgeBase, Case]:
    (tmp / "g.rules").write_text(rules)
    (tmp / "g.case").write_text(case_text)
    kb = lexkb.load(tmp / "g.rules")
    return kb, kb.case(tmp / "g.case")


def _flips_up_to(kb: KnowledgeBase, case: Case, size: int, held: bool) -> list[dict[int, int]]:
    """Every assignment of at most ``size`` changes (over the same candidates) under which goal flips."""
    slots = slots_of(case, changes_of(kb, case))
    found = []
    for count in range(size + 1):
        for chosen in itertools.combinations(range(len(slots)), count):
            for numbers in itertools.product(*(range(1, len(slots[s].choices) + 1) for s in chosen)):
                assignment = dict(zip(chosen, numbers))
                facts, _ = apply(case, slots, assignment)
                if kb.run(facts, validate=False).holds("goal") != held:
                    found.append(assignment)
    return found


def _confirm(kb: KnowledgeBase, case: Case, answer: WhatIf) -> None:
    """Each flip, applied to the case, flips the atom in a fresh engine run."""
    if answer.flips:
        _confirm_predicate(kb, case, answer, "goal")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rule_bases())
def test_every_answer_is_a_real_flip_and_minimal(tmp_path: Path, generated: tuple[str, str]) -> None:
    kb, case = _load(tmp_path, *generated)
    answer = whatif(kb, case, "goal", (), budget=20.0)
    assert answer.method == "optimise"
    _confirm(kb, case, answer)
    if answer.flips:
        assert answer.size is not None and all(len(f.changes) == answer.size for f in answer.flips)
        smaller = _flips_up_to(kb, case, min(answer.size - 1, EXHAUSTIVE_SIZE), answer.held)
        assert not smaller, f"a smaller flip exists: {smaller[0]}"
    else:
        assert not answer.exhausted, "small rule bases are searched to the end"
        assert not _flips_up_to(kb, case, EXHAUSTIVE_SIZE, answer.held)
    assert not _flips_up_to(kb, case, min(answer.proved_above, EXHAUSTIVE_SIZE), answer.held)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rule_bases())
def test_the_answers_of_one_size_are_distinct(tmp_path: Path, generated: tuple[str, str]) -> None:
    kb, case = _load(tmp_path, *generated)
    answer = whatif(kb, case, "goal", (), budget=20.0)
    shapes = [frozenset((id(c.fact), c.predicate, c.kind) for c in flip.changes) for flip in answer.flips]
    assert len(shapes) == len(set(shapes))


def test_an_integer_in_a_reference_table_is_a_candidate(tmp_path: Path) -> None:
    """threshold(b1A, 280) in a table: the flip is found at 279, as it is with 280 written in the rule."""
    kb, case = _load(tmp_path, """input quantity(int)
threshold(b1A, 280)
covered if quantity(?q) and threshold(b1A, ?t) and ?q >= ?t
""", "case heavy\nquantity(300)\n")
    answer = whatif(kb, case, "covered", ())
    values = [(flip.changes[0].args, flip.ranges[0]) for flip in answer.flips if flip.changes[0].kind == "value"]
    assert values and values[0][0] == (279,)
    found = values[0][1]
    assert found is not None and found.direction == "or less"


def test_a_stated_minimum_is_given_as_a_boundary(lexkb: Lexkb) -> None:
    """Baylor: the statutory minimum controls down to 98 months; any of 97 or less lets the motion through."""
    code, out, err = lexkb("whatif", "kb", "--case", "kb/cases/baylor.case", "deny", "--keep", "3", "--time", "60",
                           cwd=Path(__file__).parents[2])
    assert code == 0, err
    assert "any mandatory_minimum_months of 97 or less" in out
    assert "mandatory_minimum_months(120): by itself takes away deny_not_based_on_range" in out
    assert "z3 and the engine" in out
    assert "the smallest, since the case as stated does not flip it" in out


def test_witnesses_are_ready_to_run_cases(lexkb: Lexkb, tmp_path: Path) -> None:
    root = Path(__file__).parents[2]
    code, out, err = lexkb("whatif", "kb", "--case", "kb/cases/baylor.case", "deny", "--keep", "3", "--time", "60", "--witness-dir",
                           str(tmp_path / "flips"), cwd=root)
    assert code == 0, err
    written = sorted((tmp_path / "flips").glob("*.case"))
    assert written and all(f"Wrote {path}" in out for path in written)
    code, out, err = lexkb("test", "kb", *map(str, written), cwd=root)
    assert code == 0, out + err
    assert f"{len(written)} passed, 0 failed" in out


def test_the_fallback_is_named(lexkb: Lexkb) -> None:
    fixtures = Path(__file__).parents[1] / "fixtures" / "research"
    code, out, _ = lexkb("whatif", str(fixtures / "cov.rules"), "--case", str(fixtures / "low.case"), "grant",
                         "--method", "engine-runs")
    assert code == 0
    assert "breadth-first engine-run search" in out


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rule_bases())
def test_a_descent_flip_is_real_and_needs_every_change(tmp_path: Path, generated: tuple[str, str]) -> None:
    """The descent (used when z3 runs out of time) returns a real flip from which no change can be dropped."""
    kb, case = _load(tmp_path, *generated)
    slots = slots_of(case, changes_of(kb, case))
    held = kb.run(case).holds("goal")
    found = descend(Optimiser(kb, case, slots, "goal", (), held), time.monotonic() + 20)
    if found is None:
        return
    assignment, _ = found
    assert kb.run(apply(case, slots, assignment)[0], validate=False).holds("goal") != held
    for dropped in assignment:
        rest = {s: n for s, n in assignment.items() if s != dropped}
        assert kb.run(apply(case, slots, rest)[0], validate=False).holds("goal") == held


def _bundled(name: str) -> tuple[KnowledgeBase, Case]:
    root = Path(__file__).parents[2]
    kb = lexkb.load(root / "kb")
    return kb, kb.case(root / "kb" / "cases" / f"{name}.case")


def test_martinez_gutierrez_is_flipped_by_three_changes_proved_the_fewest() -> None:
    """Denied on four grounds and stating no range: no two changes flip it (z3 proves), three do — a viable
    amendment, an offense level and a criminal history. (The search before lessons by value found none.)"""
    kb, case = _bundled("martinez_gutierrez")
    answer = whatif(kb, case, "deny", (), budget=60.0)
    assert answer.size == 3 and answer.proved_above == 2
    for flip in answer.flips:
        assert {c.predicate for c in flip.changes} >= {"relies_on_amendment", "offense_level"}
    _confirm_predicate(kb, case, answer, "deny")


def test_alcaraz_is_flipped_by_three_changes_proved_the_fewest_both_ways() -> None:
    """Six grounds: z3 proves that no two changes end the denial, or make the motion eligible; three do.
    (The search before lessons by value proved only that one change does not.)"""
    kb, case = _bundled("alcaraz")
    for atom in ("deny", "eligible"):
        answer = whatif(kb, case, atom, (), budget=60.0)
        assert answer.size == 3 and answer.proved_above == 2, atom
        _confirm_predicate(kb, case, answer, atom)


def _confirm_predicate(kb: KnowledgeBase, case: Case, answer: WhatIf, predicate: str) -> None:
    """Each flip, applied to the case, flips ``predicate`` in a fresh engine run."""
    assert answer.flips
    for flip in answer.flips:
        facts: dict = {}
        for name, values in changed_facts(case, flip):
            facts.setdefault(name, []).append(values)
        assert kb.run(facts, validate=False).holds(predicate) != answer.held


def test_alcaraz_made_eligible_says_it_is_proved_and_writes_cases_that_pass(lexkb: Lexkb, tmp_path: Path) -> None:
    root = Path(__file__).parents[2]
    code, out, err = lexkb("whatif", "kb", "--case", "kb/cases/alcaraz.case", "eligible", "--time", "60",
                           "--witness-dir", str(tmp_path / "flips"), cwd=root)
    assert code == 0, err
    assert "Smallest flip: 3 changes" in out
    assert "proved the smallest: z3 proved that no 2 changes or fewer flip it" in out
    written = sorted((tmp_path / "flips").glob("*.case"))
    code, out, err = lexkb("test", "kb", *map(str, written), cwd=root)
    assert code == 0 and f"{len(written)} passed, 0 failed" in out, out + err


def test_koons_needs_a_level_and_a_history_proved_in_json(lexkb: Lexkb) -> None:
    """Koons states no range: no single change lowers it (proved); a level with a category or points does."""
    code, out, err = lexkb("whatif", "kb", "--case", "kb/cases/koons.case", "deny", "--format", "json", "--time", "60",
                           cwd=Path(__file__).parents[2])
    assert code == 0, err
    report = json.loads(out)
    assert report["size"] == 2 and report["proved_no_flip_up_to"] == 1 and report["proved_smallest"] is True
    assert all("offense_level" in {c["fact"].split("(")[0] for c in f["changes"]} for f in report["flips"])
