"""The bundled § 3582(c)(2) knowledge base: every decided case, and the doctrine at its edges.

The constructed cases are mappings ``{predicate: [argument tuples]}``; ``case()``
builds them from keyword arguments (a bare value is one fact with one argument,
``True`` a fact with no arguments).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import lexkb

from .conftest import KB, decide, meets_expectations

CASES = sorted((KB / "cases").glob("*.case"))
DECIDED = {
    "alcaraz": "deny", "baylor": "deny", "dunphy": "eligible", "gutierrez": "eligible", "koons": "deny",
    "martinez_gutierrez": "deny", "shelton": "deny", "smith": "deny", "tyner": "deny", "tynes": "eligible",
    # Amendment 821 motions (tests/kb/test_amendment_821.py checks their reasons)
    "cook": "deny", "vogel": "deny", "cervantes": "deny", "patterson": "deny", "hanson": "deny",
}
GROUNDS = [
    "no_listed_amendment_applies", "not_a_commission_amendment", "fast_track_limited_to_reentry",
    "change_predates_sentence", "amendment_in_force_at_sentencing", "amendment_not_covered",
    "amendment_listed_after_order", "order_precedes_permitted_date", "statutory_minimum_controls",
    "career_offender_range_controls", "statutory_maximum_controls", "range_not_lowered", "not_based_on_range",
    "sentence_at_or_below_floor",
]


def grounds(result) -> set[str]:
    return {g for g in GROUNDS if result.facts(g)} | ({"not lowers_range"} if not result.holds("lowers_range") else set())


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


# A drug defendant at 31/I (108-135) sentenced in 2016 on Amendment 782: the base
# fact pattern most edge tests vary.
BASE = dict(offense_category="drug", offense_level=31, criminal_history_category="I",
            sentenced_on=day("2013-05-01"), relies_on_amendment=782, sentence_months=120)


# ----------------------------------------------------------------- the decided cases

def test_every_decided_case_is_bundled() -> None:
    assert {p.stem for p in CASES} >= set(DECIDED)


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_bundled_case_meets_its_expectations(kb: lexkb.KnowledgeBase, path: Path) -> None:
    result = kb.run(str(path))
    meets_expectations(result, path.stem)
    if path.stem in DECIDED:
        assert result.outcomes == [DECIDED[path.stem]]
        assert any(not e.negated and e.atom.predicate == DECIDED[path.stem] for e in result.case.expects)


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_bundled_case_quotes_are_in_their_sources(request: pytest.FixtureRequest, path: Path) -> None:
    cli = request.getfixturevalue("lexkb")       # the CLI fixture of tests/conftest.py
    done = cli("check", str(KB), "--case", str(path))
    assert done.code == 0, done.out + done.err


def test_alcaraz_gives_all_three_grounds_of_the_order(kb: lexkb.KnowledgeBase) -> None:
    result = kb.run(str(KB / "cases" / "alcaraz.case"))
    assert result.holds("change_predates_sentence(fast_track_program)")   # program predated sentencing
    assert result.holds("fast_track_limited_to_reentry")                  # fast-track serves illegal reentry
    assert result.holds("statutory_minimum_controls")                     # the 120-month minimum controls
    assert not result.holds("lowers_range")
    # computed, not asserted: 120-135 read back to the 108-135 cells, minus 4 levels, § 5G1.1(b)
    assert result.facts("original_cell") == [(29, "III"), (30, "II"), (31, "I")]
    assert result.facts("amended_range") == [(120, 120)]
    assert result.facts("original_range") == [(120, 135)]


def test_dunphy_and_gutierrez_floors_are_the_courts(kb: lexkb.KnowledgeBase) -> None:
    assert kb.run(str(KB / "cases" / "dunphy.case")).facts("reduction_floor_months") == [(108,)]
    assert kb.run(str(KB / "cases" / "gutierrez.case")).facts("reduction_floor_months") == [(188,)]


def test_tynes_comparable_floor_is_the_term_the_court_imposed(kb: lexkb.KnowledgeBase) -> None:
    # 106 months in all = 22 on Count Four + 84 consecutive on Count Five.
    assert kb.run(str(KB / "cases" / "tynes.case")).facts("reduction_floor_months") == [(22,)]


def test_the_users_own_rule_is_in_the_kb_verbatim() -> None:
    assert "deny if not lowers_range because Baylor" in (KB / "sentence_reduction.rules").read_text(encoding="utf-8")


def test_sentencing_table_has_all_258_cells(kb: lexkb.KnowledgeBase) -> None:
    cells = kb.run({}).facts("table_range")
    assert len(cells) == 258
    assert (31, "I", 108, 135) in cells and (37, "VI", 360, "life") in cells and (43, "I", "life", "life") in cells


# ------------------------------------------------------------------ outcomes in general

def test_nothing_stated_is_a_denial(kb: lexkb.KnowledgeBase) -> None:
    result = decide(kb)
    assert result.outcomes == ["deny"]
    assert grounds(result) == {"no_listed_amendment_applies", "not lowers_range"}


def test_plain_eligible_case_with_its_floor(kb: lexkb.KnowledgeBase) -> None:
    result = decide(kb, **BASE)                          # 31/I 108-135 -> 29/I 87-108
    assert result.outcomes == ["eligible"]
    assert result.facts("reduction_floor_months") == [(87,)]
    assert grounds(result) == set()


def test_floor_only_when_eligible(kb: lexkb.KnowledgeBase) -> None:
    result = decide(kb, **{**BASE, "relies_on_amendment": 794})
    assert result.outcomes == ["deny"] and result.facts("reduction_floor_months") == []


# ------------------------------------------------------------------ the floor, (b)(2)

def test_sentence_exactly_at_the_floor_is_denied(kb: lexkb.KnowledgeBase) -> None:
    result = decide(kb, **{**BASE, "sentence_months": 87})
    assert result.outcomes == ["deny"] and grounds(result) == {"sentence_at_or_below_floor"}


def test_sentence_one_month_above_the_floor_is_eligible(kb: lexkb.KnowledgeBase) -> None:
    result = decide(kb, **{**BASE, "sentence_months": 88})
    assert result.outcomes == ["eligible"] and result.facts("reduction_floor_months") == [(87,)]


def test_variance_below_range_does_not_lower_the_floor(kb: lexkb.KnowledgeBase) -> None:
    # 100 months is below 108-135 by a variance: the floor is still 87 (comment n.3; Gutierrez).
    result = decide(kb, **{**BASE, "sentence_months": 100})
    assert result.facts("reduction_floor_months") == [(87,)]


def test_substantial_assistance_floor_is_comparably_less(kb: lexkb.KnowledgeBase) -> None:
    # 81 months is 25% below 108; 25% below 87 is 65.25, i.e. 65 months.
    result = decide(kb, **{**BASE, "sentence_months": 81, "substantial_assistance_motion": True})
    assert result.facts("reduction_floor_months") == [(65,)]


def test_commission_example_defendant_b(kb: lexkb.KnowledgeBase) -> None:
    # § 1B1.10 comment. (n.4): 108-135 restricted to 120-135 by a 120-month minimum,
    # 90 months on a substantial-assistance motion; amended 87-108 without § 5G1.1; about 65.
    result = decide(kb, offense_category="drug", original_range_months=(120, 135), mandatory_minimum_months=120,
                    substantial_assistance_motion=True, sentence_months=90, relies_on_amendment=782,
                    amended_range_months=(87, 108), order_on=day("2016-01-04"))
    assert result.outcomes == ["eligible"]
    assert result.facts("amended_range") == [(87, 108)]
    assert result.facts("reduction_floor_months") == [(65,)]


# -------------------------------------------------------- Sentencing Table edges, life

def test_level_above_43_still_life_after_two_levels(kb: lexkb.KnowledgeBase) -> None:
    # 46 - 2 = 44, still read as 43: life either way (levels clamped from the stated level).
    result = decide(kb, **{**BASE, "offense_level": 46, "sentence_months": 600})
    assert result.facts("original_range") == [("life", "life")]
    assert result.facts("amended_range") == [("life", "life")]
    assert result.outcomes == ["deny"] and grounds(result) == {"range_not_lowered", "not lowers_range"}


def test_level_44_minus_two_leaves_life(kb: lexkb.KnowledgeBase) -> None:
    # 44 - 2 = 42: 360-life, lower than life.
    result = decide(kb, **{**BASE, "offense_level": 44, "sentence_months": 600})
    assert result.facts("amended_range") == [(360, "life")]
    assert result.outcomes == ["eligible"] and result.facts("reduction_floor_months") == [(360,)]


def test_level_below_one_reads_as_one(kb: lexkb.KnowledgeBase) -> None:
    result = decide(kb, **{**BASE, "offense_level": 2, "claimed_level_reduction": 4, "sentence_months": 3})
    assert result.facts("amended_range") == [(0, 6)]
    assert result.outcomes == ["deny"]           # 0-6 -> 0-6: not lowered


def test_range_with_life_top_is_lowered_from_its_minimum(kb: lexkb.KnowledgeBase) -> None:
    result = decide(kb, **{**BASE, "offense_level": 38, "criminal_history_category": "VI", "sentence_months": 400})
    assert result.facts("original_range") == [(360, "life")]
    assert result.facts("amended_range") == [(324, 405)]
    assert result.facts("reduction_floor_months") == [(324,)]


# ----------------------------------------------------------- § 5G1.1 and the minimum

def test_minimum_equal_to_top_of_range(kb: lexkb.KnowledgeBase) -> None:
    # 29/II 97-121 with a 121-month minimum: § 5G1.1(c)(2) makes it 121-121; after two
    # levels (27/II 78-97) § 5G1.1(b) makes it 121 again: not lowered.
    result = decide(kb, **{**BASE, "offense_level": 29, "criminal_history_category": "II",
                           "mandatory_minimum_months": 121, "sentence_months": 121})
    assert result.facts("original_range") == [(121, 121)]
    assert result.facts("amended_range") == [(121, 121)]
    assert grounds(result) == {"statutory_minimum_controls", "not lowers_range"}


def test_minimum_inside_the_amended_range_still_lowers(kb: lexkb.KnowledgeBase) -> None:
    # 33/I 135-168, minimum 120: amended 31/I 108-135 becomes 120-135 under (c)(2): lowered to 120.
    result = decide(kb, **{**BASE, "offense_level": 33, "mandatory_minimum_months": 120, "sentence_months": 135})
    assert result.facts("amended_range") == [(120, 135)]
    assert result.outcomes == ["eligible"] and result.facts("reduction_floor_months") == [(120,)]


def test_minimum_below_the_range_changes_nothing(kb: lexkb.KnowledgeBase) -> None:
    result = decide(kb, **{**BASE, "mandatory_minimum_months": 60})
    assert result.facts("original_range") == [(108, 135)] and result.facts("amended_range") == [(87, 108)]
    assert result.outcomes == ["eligible"]


def test_stated_range_without_level_is_read_back_from_the_table(kb: lexkb.KnowledgeBase) -> None:
    # Alcaraz's arithmetic with an amendment instead of fast-track: still the minimum controls.
    result = decide(kb, offense_category="drug", original_range_months=(120, 135), mandatory_minimum_months=120,
                    relies_on_amendment=782, sentence_months=120, sentenced_on=day("2013-01-01"))
    assert result.facts("amended_range") == [(120, 120)]
    assert "statutory_minimum_controls" in grounds(result)


def test_ambiguous_readings_must_all_lower(kb: lexkb.KnowledgeBase) -> None:
    # 135-168 is 33/I, 32/II, 31/III or 30/IV; minus 2 levels: 108-135 (I-III) but 110-137 (IV).
    result = decide(kb, offense_category="drug", original_range_months=(135, 168), claimed_level_reduction=2,
                    relies_on_amendment=782, sentence_months=150)
    assert sorted(result.facts("amended_range")) == [(108, 135), (110, 137)]
    assert result.outcomes == ["eligible"]
    assert result.facts("reduction_floor_months") == [(110,)]   # the conservative (highest) floor


# --------------------------------------------------- covered amendments and their dates

def test_amendment_added_the_day_after_sentencing_is_subsequent(kb: lexkb.KnowledgeBase) -> None:
    result = decide(kb, **{**BASE, "sentenced_on": day("2014-10-31")})
    assert result.outcomes == ["eligible"]


def test_amendment_in_force_on_the_day_of_sentencing_lowers_nothing(kb: lexkb.KnowledgeBase) -> None:
    result = decide(kb, **{**BASE, "sentenced_on": day("2014-11-01")})
    assert result.outcomes == ["deny"]
    assert {"amendment_in_force_at_sentencing", "no_listed_amendment_applies"} <= grounds(result)


def test_amendment_not_listed(kb: lexkb.KnowledgeBase) -> None:
    result = decide(kb, **{**BASE, "relies_on_amendment": 742})
    assert result.facts("amendment_not_covered") == [(742,)]


def test_amendment_listed_only_after_the_order(kb: lexkb.KnowledgeBase) -> None:
    result = decide(kb, **{**BASE, "order_on": day("2014-10-31")})
    assert result.facts("amendment_listed_after_order") == [(782,)]
    assert result.outcomes == ["deny"]


def test_order_before_e1_date_for_782(kb: lexkb.KnowledgeBase) -> None:
    early = decide(kb, **{**BASE, "order_on": day("2015-10-31")})
    assert early.facts("order_precedes_permitted_date") == [(782,)] and early.outcomes == ["deny"]
    assert decide(kb, **{**BASE, "order_on": day("2015-11-01")}).outcomes == ["eligible"]


def test_order_before_e2_date_for_821(kb: lexkb.KnowledgeBase) -> None:
    facts = dict(offense_category="other", original_range_months=(37, 46), amended_range_months=(33, 41),
                 relies_on_amendment=821, sentenced_on=day("2020-01-01"), sentence_months=40)
    assert decide(kb, **facts, order_on=day("2024-01-31")).outcomes == ["deny"]
    assert decide(kb, **facts, order_on=day("2024-02-01")).outcomes == ["eligible"]


def test_one_good_amendment_among_bad_ones_is_enough(kb: lexkb.KnowledgeBase) -> None:
    result = decide(kb, **{**BASE, "relies_on_amendment": [782, 794]})
    assert result.facts("amendment_not_covered") == [(794,)]
    assert result.outcomes == ["eligible"]


def test_presumed_reduction_needs_a_drug_case(kb: lexkb.KnowledgeBase) -> None:
    result = decide(kb, **{**BASE, "offense_category": "firearm"})
    assert result.facts("level_reduction") == [] and result.outcomes == ["deny"]


# ------------------------------------------------------------ non-Commission changes

@pytest.mark.parametrize("change", ["fast_track_program", "fair_sentencing_act", "first_step_act", "doj_policy_memo"])
def test_changes_that_are_not_commission_amendments(kb: lexkb.KnowledgeBase, change: str) -> None:
    result = decide(kb, offense_category="illegal_reentry", offense_level=21, criminal_history_category="III",
                    relies_on_change=change, claimed_level_reduction=4, sentence_months=50)
    assert result.holds("lowers_range")            # the change would lower the range ...
    assert result.facts("not_a_commission_amendment") == [(change,)]
    assert result.outcomes == ["deny"]             # ... but it is not the Commission's
    assert not result.holds("fast_track_limited_to_reentry")


def test_change_in_effect_before_sentencing(kb: lexkb.KnowledgeBase) -> None:
    facts = dict(relies_on_change="fast_track_program", sentenced_on=day("2012-10-24"))
    assert decide(kb, **facts, change_effective_on=day("2012-10-24")).facts("change_predates_sentence")
    assert not decide(kb, **facts, change_effective_on=day("2012-10-25")).facts("change_predates_sentence")


# -------------------------------------------- career offenders; "based on" (Koons, Hughes)

def test_career_offender_range_controls(kb: lexkb.KnowledgeBase) -> None:
    result = decide(kb, **{**BASE, "offense_level": 34, "criminal_history_category": "VI",
                           "career_offender": True, "sentence_months": 262})
    assert result.facts("amended_range") == [(262, 327)]
    assert grounds(result) == {"career_offender_range_controls", "not lowers_range"}


KOONS = dict(offense_category="drug", offense_level=25, criminal_history_category="I",   # 57-71
             mandatory_minimum_months=120, substantial_assistance_motion=True, sentence_months=84,
             relies_on_amendment=782, sentenced_on=day("2013-01-01"))


def test_koons_range_superseded_by_minimum(kb: lexkb.KnowledgeBase) -> None:
    result = decide(kb, **KOONS, order_on=day("2018-06-04"))
    assert result.outcomes == ["deny"] and grounds(result) == {"not_based_on_range"}


def test_between_1B1_10c_and_koons_the_same_facts_were_eligible(kb: lexkb.KnowledgeBase) -> None:
    # § 1B1.10(c): amended range 23/I 46-57 without § 5G1.1; 84 months was 30% below 120,
    # and 30% below 46 is 32.2, so 32.
    result = decide(kb, **KOONS, order_on=day("2016-06-01"))
    assert result.facts("amended_range") == [(46, 57)]
    assert result.outcomes == ["eligible"] and result.facts("reduction_floor_months") == [(32,)]


def test_before_1B1_10c_the_minimum_controlled(kb: lexkb.KnowledgeBase) -> None:
    # (Amendment 782 was not yet listed then: Amendment 750, listed Nov. 1, 2011, instead.)
    facts = {**KOONS, "relies_on_amendment": 750, "claimed_level_reduction": 2, "sentenced_on": day("2010-06-01")}
    result = decide(kb, **facts, order_on=day("2014-10-31"))
    assert result.facts("amended_range") == [(120, 120)]
    assert grounds(result) == {"statutory_minimum_controls", "not lowers_range"}


def test_baylor_as_decided_in_2009(kb: lexkb.KnowledgeBase) -> None:
    facts = dict(offense_category="drug", original_range_months=(78, 97), mandatory_minimum_months=120,
                 substantial_assistance_motion=True, sentence_months=90, relies_on_amendment=706,
                 claimed_level_reduction=2)
    then = decide(kb, **facts, order_on=day("2008-06-01"))
    assert then.outcomes == ["deny"] and "statutory_minimum_controls" in grounds(then)
    now = decide(kb, **facts)
    assert now.outcomes == ["deny"] and "not_based_on_range" in grounds(now)


def test_type_c_plea_does_not_bar_eligibility(kb: lexkb.KnowledgeBase) -> None:
    result = decide(kb, **BASE, type_c_plea=True)
    assert result.outcomes == ["eligible"] and result.holds("type_c_sentence_based_on_range")


# ------------------------------------------------------------------ every ground denies

@pytest.mark.parametrize("facts", [
    dict(relies_on_change="fast_track_program", offense_category="drug"),
    dict(BASE, relies_on_amendment=709),
    dict(BASE, career_offender=True),
    dict(BASE, sentence_months=80),
    dict(KOONS),
    dict(BASE, claimed_level_reduction=0),
], ids=["fast-track", "not-covered", "career", "below-floor", "koons", "no-reduction"])
def test_each_ground_alone_yields_deny_not_eligible(kb: lexkb.KnowledgeBase, facts: dict) -> None:
    result = decide(kb, **facts)
    assert result.outcomes == ["deny"] and not result.holds("eligible")
    assert grounds(result)


# ------------------------------------------------- § 5G1.1(a) and (c)(1): statutory maximum

def test_capped_range_reveals_a_statutory_maximum(kb: lexkb.KnowledgeBase) -> None:
    # Shelton's range: 110-120 at level 25 is 25/VI (110-137) cut at a 120-month maximum.
    # Two levels lower, 23/VI is 92-115, under the cap: lowered to 92.
    result = decide(kb, offense_category="drug", offense_level=25, original_range_months=(110, 120),
                    claimed_level_reduction=2, relies_on_amendment=782, sentence_months=110)
    assert result.facts("original_cell") == [(25, "VI")]
    assert result.facts("inferred_statutory_maximum") == [(120,)]
    assert result.facts("amended_range") == [(92, 115)]
    assert result.facts("reduction_floor_months") == [(92,)]


def test_cap_cuts_the_amended_range_too(kb: lexkb.KnowledgeBase) -> None:
    # 31/VI 188-235 capped at 200; one level lower 30/VI 168-210 is cut to 168-200.
    result = decide(kb, offense_category="drug", offense_level=31, criminal_history_category="VI",
                    original_range_months=(188, 200), claimed_level_reduction=1, relies_on_amendment=782,
                    sentence_months=195)
    assert result.facts("amended_range") == [(168, 200)]
    assert result.outcomes == ["eligible"]


def test_statutory_maximum_below_the_range_controls(kb: lexkb.KnowledgeBase) -> None:
    # 30/I 97-121 with a 60-month maximum: § 5G1.1(a) makes the range 60; after two levels
    # (28/I 78-97) it is still 60.
    result = decide(kb, offense_category="drug", offense_level=30, criminal_history_category="I",
                    original_range_months=(60, 60), claimed_level_reduction=2, relies_on_amendment=782,
                    sentence_months=60)
    assert result.facts("amended_range") == [(60, 60)]
    assert grounds(result) == {"statutory_maximum_controls", "not lowers_range"}


def test_no_cap_when_the_stated_range_is_a_table_range(kb: lexkb.KnowledgeBase) -> None:
    assert decide(kb, **BASE, original_range_months=(108, 135)).facts("inferred_statutory_maximum") == []


# ------------------------------------------------ a fact pattern not in kb/cases: Dillon

def test_dillon_fact_pattern(kb: lexkb.KnowledgeBase) -> None:
    # Dillon v. United States, 560 U.S. 817 (2010) (research notes 1.2): a crack offense, "a Guidelines
    # range of 262-to-327 months", sentenced "at the bottom of the range for those counts"; after
    # Amendment 706 the district court reduced 322 -> 270 months in all (a 60-month difference on both
    # sides: 262 -> 210 on the crack counts) and refused to go lower; affirmed.  Every table cell that
    # reads 262-327 gives 210-262 two levels down, so the floor is 210 on every reading.
    result = decide(kb, offense_category="drug", original_range_months=(262, 327), relies_on_amendment=706,
                    sentence_months=262, sentenced_on=day("2007-06-01"))
    assert len(result.facts("original_cell")) == 6
    assert result.facts("amended_range") == [(210, 262)]
    assert result.outcomes == ["eligible"] and result.facts("reduction_floor_months") == [(210,)]


def test_held_out_case_file_written_against_the_vocabulary(kb: lexkb.KnowledgeBase) -> None:
    # tests/kb/held_out/dillon.case: a case file an analyst wrote from a decision not in kb/cases/,
    # quotes checked against its source, decided as the court decided it.
    from lexkb.compile.case_checks import validate_case
    from lexkb.language.cases import load_case, verify_quotes

    path = Path(__file__).parent / "held_out" / "dillon.case"
    case = load_case(path)
    assert validate_case(case, kb.program) == [] and verify_quotes(case) == []
    result = kb.run(case)
    assert all(ok for _, ok in result.expectations())
    assert result.outcomes == ["eligible"] and result.facts("reduction_floor_months") == [(210,)]
