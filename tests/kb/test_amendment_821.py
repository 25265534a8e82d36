"""Amendment 821 (status points; zero-point offenders) in the bundled knowledge base, at the doctrine's edges.

Constructed cases in the style of ``test_kb.py``: ``{predicate: [argument tuples]}`` built from keyword
arguments.  The five decided motions (Cook, Vogel, Cervantes, Patterson, Hanson) are in ``kb/cases/`` and
run by ``test_kb.py`` with every other bundled case; the tests here check the reasons they are decided for.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import lexkb

from .conftest import KB, decide, meets_expectations

DECIDED_821 = {"cook": "deny", "vogel": "deny", "cervantes": "deny", "patterson": "deny", "hanson": "deny"}
DISQUALIFIERS = [
    "terrorism", "violence", "death_or_serious_injury", "sex_offense", "substantial_financial_hardship",
    "firearm_or_weapon", "individual_rights_offense", "hate_crime_or_vulnerable_victim", "human_rights_offense",
    "aggravating_role", "continuing_criminal_enterprise",
]


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


# A firearm defendant at offense level 20 sentenced in 2020, moving on Amendment 821 after Feb. 1, 2024,
# serving a term above every level-20 range.  Level 20: I 33-41, II 37-46, III 41-51, IV 51-63, V 63-78,
# VI 70-87.  No category is stated: it is read from the points.
PART_A = dict(offense_category="firearm", offense_level=20, relies_on_amendment=821,
              sentenced_on=day("2020-01-01"), order_on=day("2024-06-01"), sentence_months=100)

# A fraud defendant with zero points at level 22 (I 41-51; two levels lower, 20/I 33-41).
ZERO = dict(offense_category="other", offense_level=22, criminal_history_points=0, relies_on_amendment=821,
            sentenced_on=day("2022-05-01"), sentence_months=46)


# ------------------------------------------------------- Part A: status points, § 4A1.1(e) as amended

@pytest.mark.parametrize(
    ("points", "status", "amended_points", "before", "after", "floor"),
    [
        (6, 2, 4, "III", "III", None),    # 4 points without status: both III
        (6, 0, 6, "III", "III", None),
        (7, 2, 5, "IV", "III", 41),       # below the 7-point threshold once status points are taken out
        (7, 0, 7, "IV", "IV", None),
        (8, 2, 6, "IV", "III", 41),       # 6 without status: still below 7, so no point added
        (8, 0, 8, "IV", "IV", None),
        (9, 2, 8, "IV", "IV", None),      # 7 without status: 7 or more, one point back: 8, still IV
        (9, 0, 9, "IV", "IV", None),
        (13, 2, 12, "VI", "V", 63),       # 11 + 1 = 12: V
        (13, 0, 13, "VI", "VI", None),
    ],
    ids=lambda v: str(v),
)
def test_status_point_arithmetic_and_category(kb: lexkb.KnowledgeBase, points: int, status: int,
                                              amended_points: int, before: str, after: str,
                                              floor: int | None) -> None:
    result = decide(kb, **PART_A, criminal_history_points=points, status_points=status)
    assert result.facts("amended_criminal_history_points") == [(amended_points,)]
    assert result.facts("original_cell") == [(20, before)]
    assert result.facts("amended_category") == [(after,)]
    if floor is None:
        assert result.outcomes == ["deny"]
        assert result.facts("criminal_history_category_unchanged") == [(before,)]
        assert not result.holds("range_not_lowered")          # the 821 ground stands in for the general one
    else:
        assert result.outcomes == ["eligible"]
        assert result.facts("reduction_floor_months") == [(floor,)]


def test_threshold_is_measured_without_the_status_points(kb: lexkb.KnowledgeBase) -> None:
    # 9 points with 2 status points is 7 under (a)-(d): one point comes back.  8 with 2 is 6: none does.
    nine = decide(kb, **PART_A, criminal_history_points=9, status_points=2)
    eight = decide(kb, **PART_A, criminal_history_points=8, status_points=2)
    assert nine.facts("points_before_status") == [(7,)] and nine.facts("amended_criminal_history_points") == [(8,)]
    assert eight.facts("points_before_status") == [(6,)] and eight.facts("amended_criminal_history_points") == [(6,)]


def test_status_points_not_stated_are_none(kb: lexkb.KnowledgeBase) -> None:
    unstated = decide(kb, **PART_A, criminal_history_points=8)
    zero = decide(kb, **PART_A, criminal_history_points=8, status_points=0)
    assert unstated.facts("amended_category") == zero.facts("amended_category") == [("IV",)]
    assert unstated.outcomes == zero.outcomes == ["deny"]


def test_stated_category_is_used_and_points_still_move_it(kb: lexkb.KnowledgeBase) -> None:
    result = decide(kb, **PART_A, criminal_history_points=13, status_points=2, criminal_history_category="VI")
    assert result.facts("category_read_from_points") == []
    assert result.facts("original_range") == [(70, 87)] and result.facts("amended_range") == [(63, 78)]
    assert result.outcomes == ["eligible"]


def test_stated_amended_category_is_used(kb: lexkb.KnowledgeBase) -> None:
    result = decide(kb, **PART_A, criminal_history_category="IV", amended_criminal_history_category="III")
    assert result.facts("amended_range") == [(41, 51)]
    assert result.outcomes == ["eligible"] and result.facts("reduction_floor_months") == [(41,)]


def test_points_only_without_a_level_reads_the_stated_range(kb: lexkb.KnowledgeBase) -> None:
    # 51-63 is IV at level 20 (and other cells); 8 points fixes the category to IV, so only 20/IV is read.
    facts = {k: v for k, v in PART_A.items() if k != "offense_level"}
    result = decide(kb, **facts, original_range_months=(51, 63), criminal_history_points=8, status_points=2)
    assert result.facts("original_cell") == [(20, "IV")]
    assert result.facts("amended_range") == [(41, 51)] and result.outcomes == ["eligible"]


def test_only_status_points_gives_category_I_but_not_a_zero_point_offender(kb: lexkb.KnowledgeBase) -> None:
    # Open question (notes 1.8(1)): the knowledge base measures § 4C1.1(a)(1) on the points at sentencing.
    result = decide(kb, **PART_A, criminal_history_points=2, status_points=2)
    assert result.facts("amended_criminal_history_points") == [(0,)]
    assert result.facts("amended_range") == [(33, 41)]            # II 37-46 -> I 33-41
    assert not result.holds("zero_point_offender") and result.outcomes == ["eligible"]


def test_substantial_assistance_floor_is_comparably_less(kb: lexkb.KnowledgeBase) -> None:
    # 20/IV 51-63 -> 20/III 41-51; 40 months on a substantial-assistance motion is 40/51 of 51, and
    # 40/51 of 41 is 32.2: 32 months (§ 1B1.10(b)(2)(B)).
    result = decide(kb, **{**PART_A, "sentence_months": 40}, criminal_history_points=7, status_points=2,
                    substantial_assistance_motion=True)
    assert result.facts("reduction_floor_months") == [(32,)]


def test_variance_does_not_lower_the_floor_and_at_the_floor_is_denied(kb: lexkb.KnowledgeBase) -> None:
    below = decide(kb, **{**PART_A, "sentence_months": 45}, criminal_history_points=7, status_points=2)
    assert below.outcomes == ["eligible"] and below.facts("reduction_floor_months") == [(41,)]
    at = decide(kb, **{**PART_A, "sentence_months": 41}, criminal_history_points=7, status_points=2)
    assert at.outcomes == ["deny"] and at.holds("sentence_at_or_below_floor")


def test_type_c_plea_does_not_bar_an_821_motion(kb: lexkb.KnowledgeBase) -> None:
    result = decide(kb, **PART_A, criminal_history_points=7, status_points=2, type_c_plea=True)
    assert result.outcomes == ["eligible"] and result.holds("type_c_sentence_based_on_range")


def test_sentenced_after_amendment_821_took_effect(kb: lexkb.KnowledgeBase) -> None:
    result = decide(kb, **{**PART_A, "sentenced_on": day("2023-11-01")}, criminal_history_points=7, status_points=2)
    assert result.outcomes == ["deny"] and result.facts("amendment_in_force_at_sentencing") == [(821,)]
    assert decide(kb, **{**PART_A, "sentenced_on": day("2023-10-31")}, criminal_history_points=7,
                  status_points=2).outcomes == ["eligible"]


# --------------------------------------------------- career offenders (§ 4B1.1(b)) with status points

def test_career_offender_with_status_points_stays_in_VI(kb: lexkb.KnowledgeBase) -> None:
    # 9 points, 2 of them status points, would be IV on points alone; § 4B1.1(b) makes it VI before and after.
    result = decide(kb, **{**PART_A, "offense_level": 34, "sentence_months": 262}, criminal_history_points=9,
                    status_points=2, career_offender=True)
    assert result.facts("original_cell") == [(34, "VI")]
    assert result.facts("amended_category") == [("VI",)]
    assert result.facts("amended_range") == [(262, 327)]
    assert result.outcomes == ["deny"] and result.holds("career_offender_range_controls")
    assert not result.holds("criminal_history_category_unchanged(VI)")


def test_career_offender_with_13_points_is_not_moved_to_V(kb: lexkb.KnowledgeBase) -> None:
    result = decide(kb, **{**PART_A, "offense_level": 34, "sentence_months": 262}, criminal_history_points=13,
                    status_points=2, career_offender=True, criminal_history_category="VI")
    assert result.facts("amended_criminal_history_points") == [(12,)]   # the points move ...
    assert result.facts("amended_category") == [("VI",)]                # ... the category does not
    assert result.outcomes == ["deny"] and result.holds("career_offender_range_controls")


# ------------------------------------------------------ § 5G1.1 on both ranges: minimum and maximum

def test_statutory_minimum_holds_both_ranges(kb: lexkb.KnowledgeBase) -> None:
    # 25/IV 84-105 and 25/III 70-87 are both below a 120-month minimum: 120 before and after (§ 5G1.1(b)).
    result = decide(kb, **{**PART_A, "offense_category": "drug", "offense_level": 25, "sentence_months": 120},
                    criminal_history_points=8, status_points=2, mandatory_minimum_months=120)
    assert result.facts("amended_category") == [("III",)]
    assert result.facts("original_range") == [(120, 120)] and result.facts("amended_range") == [(120, 120)]
    assert result.outcomes == ["deny"] and result.holds("statutory_minimum_controls")


def test_koons_applies_to_821_motions(kb: lexkb.KnowledgeBase) -> None:
    # The same facts on a substantial-assistance motion: the sentence was based on the minimum and the
    # assistance, not on the range the minimum superseded.
    result = decide(kb, **{**PART_A, "offense_category": "drug", "offense_level": 25, "sentence_months": 90},
                    criminal_history_points=8, status_points=2, mandatory_minimum_months=120,
                    substantial_assistance_motion=True)
    assert result.outcomes == ["deny"] and result.holds("not_based_on_range")


def test_statutory_maximum_holds_both_ranges(kb: lexkb.KnowledgeBase) -> None:
    # Vogel's figures with the range computed, not stated: 29/VI 151-188 and 29/V 140-175 are both above a
    # 120-month maximum, which § 5G1.1(a) makes the guideline sentence before and after.
    result = decide(kb, **{**PART_A, "offense_level": 29, "sentence_months": 93}, criminal_history_points=13,
                    status_points=2, statutory_maximum_months=120, substantial_assistance_motion=True)
    assert result.facts("original_range") == [(120, 120)] and result.facts("amended_range") == [(120, 120)]
    assert result.outcomes == ["deny"] and result.holds("statutory_maximum_controls")


def test_statutory_maximum_inside_the_range_cuts_both(kb: lexkb.KnowledgeBase) -> None:
    # 25/VI 110-137 cut at 120 is 110-120; 25/V 100-125 cut at 120 is 100-120: lowered to 100.
    result = decide(kb, **{**PART_A, "offense_level": 25, "sentence_months": 115}, criminal_history_points=13,
                    status_points=2, statutory_maximum_months=120)
    assert result.facts("original_range") == [(110, 120)] and result.facts("amended_range") == [(100, 120)]
    assert result.outcomes == ["eligible"] and result.facts("reduction_floor_months") == [(100,)]


def test_statutory_maximum_above_both_ranges_changes_nothing(kb: lexkb.KnowledgeBase) -> None:
    result = decide(kb, **PART_A, criminal_history_points=13, status_points=2, statutory_maximum_months=120)
    assert result.facts("original_range") == [(70, 87)] and result.facts("amended_range") == [(63, 78)]
    assert result.outcomes == ["eligible"]


# ------------------------------------------------------------- § 1B1.10(e)(2): the order date

def test_order_on_jan_31_2024_is_too_early(kb: lexkb.KnowledgeBase) -> None:
    facts = {**PART_A, "criminal_history_points": 7, "status_points": 2}
    early = decide(kb, **{**facts, "order_on": day("2024-01-31")})
    assert early.outcomes == ["deny"] and early.facts("order_precedes_permitted_date") == [(821,)]
    assert early.holds("lowers_range")                 # the range is lowered; the order may not yet say so
    on_time = decide(kb, **{**facts, "order_on": day("2024-02-01")})
    assert on_time.outcomes == ["eligible"] and on_time.facts("order_precedes_permitted_date") == []


def test_order_before_821_was_listed(kb: lexkb.KnowledgeBase) -> None:
    result = decide(kb, **{**PART_A, "order_on": day("2023-10-31")}, criminal_history_points=7, status_points=2)
    assert result.outcomes == ["deny"] and result.facts("amendment_listed_after_order") == [(821,)]


# ---------------------------------------------------------- § 1B1.10(d): the parts that are covered

@pytest.mark.parametrize("part", ["part_c", "part_b_subpart_2"])
def test_uncovered_part_invoked_alone(kb: lexkb.KnowledgeBase, part: str) -> None:
    result = decide(kb, **PART_A, criminal_history_points=7, status_points=2, relies_on_amendment_part=part)
    assert result.outcomes == ["deny"]
    assert result.facts("amendment_part_not_covered") == [(part,)]
    assert result.holds("no_listed_amendment_applies") and not result.holds("lowers_range")


def test_uncovered_part_beside_a_covered_one(kb: lexkb.KnowledgeBase) -> None:
    result = decide(kb, **PART_A, criminal_history_points=7, status_points=2,
                    relies_on_amendment_part=["part_a", "part_c"])
    assert result.facts("amendment_part_not_covered") == [("part_c",)]
    assert result.outcomes == ["eligible"]


def test_named_part_limits_the_computation(kb: lexkb.KnowledgeBase) -> None:
    # Status points lower the category, but the motion names only Part B, Subpart 1.
    facts = {**PART_A, "criminal_history_points": 7, "status_points": 2}
    assert decide(kb, **facts, relies_on_amendment_part="part_a").outcomes == ["eligible"]
    only_b = decide(kb, **facts, relies_on_amendment_part="part_b_subpart_1")
    assert only_b.outcomes == ["deny"] and only_b.facts("amended_criminal_history_points") == []


def test_part_a_needs_a_motion_on_821(kb: lexkb.KnowledgeBase) -> None:
    result = decide(kb, **{**PART_A, "relies_on_amendment": 782}, criminal_history_points=7, status_points=2)
    assert result.facts("amended_criminal_history_points") == [] and result.outcomes == ["deny"]


# -------------------------------------------------- Part B, Subpart 1: zero-point offenders, § 4C1.1

def test_zero_points_gives_two_levels(kb: lexkb.KnowledgeBase) -> None:
    result = decide(kb, **ZERO)
    assert result.holds("zero_point_offender") and result.facts("level_reduction") == [(2,)]
    assert result.facts("original_cell") == [(22, "I")] and result.facts("amended_range") == [(33, 41)]
    assert result.outcomes == ["eligible"] and result.facts("reduction_floor_months") == [(33,)]


def test_one_point_is_not_zero(kb: lexkb.KnowledgeBase) -> None:
    result = decide(kb, **{**ZERO, "criminal_history_points": 1})
    assert not result.holds("zero_point_offender") and result.facts("level_reduction") == []
    assert result.facts("original_cell") == [(22, "I")]          # 0-1 points: category I all the same
    assert result.outcomes == ["deny"] and result.facts("criminal_history_category_unchanged") == [("I",)]


def test_category_I_without_points_is_not_shown_to_be_zero_point(kb: lexkb.KnowledgeBase) -> None:
    facts = {k: v for k, v in ZERO.items() if k != "criminal_history_points"}
    result = decide(kb, **facts, criminal_history_category="I")
    assert not result.holds("zero_point_offender") and result.outcomes == ["deny"]


@pytest.mark.parametrize("disqualifier", DISQUALIFIERS)
def test_each_disqualifier_alone_denies(kb: lexkb.KnowledgeBase, disqualifier: str) -> None:
    result = decide(kb, **ZERO, zero_point_disqualifier=disqualifier)
    assert not result.holds("zero_point_offender") and result.facts("level_reduction") == []
    assert result.outcomes == ["deny"]
    assert result.facts("zero_point_disqualifier_found") == [(disqualifier,)]
    assert not result.holds("range_not_lowered")


@pytest.mark.parametrize("levels", [2, 3, 4])
def test_any_aggravating_role_adjustment_disqualifies(kb: lexkb.KnowledgeBase, levels: int) -> None:
    result = decide(kb, **ZERO, aggravating_role_levels=levels)
    assert result.outcomes == ["deny"]
    assert result.facts("zero_point_disqualifier_found") == [("aggravating_role",)]


def test_zero_point_decrease_with_a_minimum_and_the_floor(kb: lexkb.KnowledgeBase) -> None:
    # 22/I 41-51 with a 60-month minimum: 60 before and after.  With a 36-month minimum: 41-51 -> 36-41.
    held = decide(kb, **{**ZERO, "sentence_months": 60}, mandatory_minimum_months=60)
    assert held.outcomes == ["deny"] and held.holds("statutory_minimum_controls")
    inside = decide(kb, **ZERO, mandatory_minimum_months=36)
    assert inside.facts("amended_range") == [(36, 41)] and inside.facts("reduction_floor_months") == [(36,)]


def test_part_b_named_alone_with_points_above_zero(kb: lexkb.KnowledgeBase) -> None:
    result = decide(kb, **{**ZERO, "criminal_history_points": 3}, relies_on_amendment_part="part_b_subpart_1")
    assert result.outcomes == ["deny"] and not result.holds("zero_point_offender")


def test_stated_amended_figures_take_precedence(kb: lexkb.KnowledgeBase) -> None:
    result = decide(kb, **ZERO, amended_offense_level=20)
    assert result.facts("level_reduction") == [] and result.facts("amended_range") == [(33, 41)]
    assert result.outcomes == ["eligible"]


# -------------------------------------------------------------------- the five decided motions

@pytest.mark.parametrize("name", sorted(DECIDED_821))
def test_decided_motion_is_decided_as_the_court_did(kb: lexkb.KnowledgeBase, name: str) -> None:
    result = kb.run(str(KB / "cases" / f"{name}.case"))
    assert result.outcomes == [DECIDED_821[name]]
    assert all(ok for _, ok in result.expectations())
    assert (KB / "sources" / f"{name}-821-excerpts.txt").exists()


def test_cook_status_points_leave_category_VI(kb: lexkb.KnowledgeBase) -> None:
    result = kb.run(str(KB / "cases" / "cook.case"))
    assert result.facts("amended_criminal_history_points") == [(21,)]       # 22 - 2 = 20 >= 7, + 1
    assert result.facts("amended_range") == result.facts("original_range") == [(41, 51)]
    assert result.facts("criminal_history_category_unchanged") == [("VI",)]


def test_vogel_statutory_maximum_holds_the_range(kb: lexkb.KnowledgeBase) -> None:
    result = kb.run(str(KB / "cases" / "vogel.case"))
    assert result.facts("amended_cell") == [(29, "V")]                        # 140-175, above the 120 maximum
    assert result.facts("amended_range") == [(120, 120)]
    assert result.holds("statutory_maximum_controls") and result.facts("reduction_floor_months") == []


def test_cervantes_and_hanson_disqualifiers(kb: lexkb.KnowledgeBase) -> None:
    cervantes = kb.run(str(KB / "cases" / "cervantes.case"))
    assert cervantes.facts("zero_point_disqualifier_found") == [("aggravating_role",)]
    hanson = kb.run(str(KB / "cases" / "hanson.case"))
    assert hanson.facts("zero_point_disqualifier_found") == [("substantial_financial_hardship",)]
    assert not hanson.holds("sentence_at_or_below_floor")          # the disqualifier is the only ground


def test_patterson_is_already_at_the_amended_minimum(kb: lexkb.KnowledgeBase) -> None:
    result = kb.run(str(KB / "cases" / "patterson.case"))
    assert result.facts("amended_minimum") == [(33,)] and result.facts("sentence_months") == [(33,)]
    assert result.holds("sentence_at_or_below_floor") and result.holds("lowers_range")


def test_explanation_cites_the_amended_guideline(kb: lexkb.KnowledgeBase) -> None:
    derivation = kb.run(str(KB / "cases" / "cook.case")).explain("deny")
    cited = {a["name"] for g in derivation.grounds for a in g.detail["authorities"]}
    assert "USSG_1B1_10a2B" in cited
    text = (KB / "authorities.rules").read_text(encoding="utf-8")
    assert "Add 1 point if the defendant (1) receives 7 or more points under subsections (a) through (d)" in text


# ------------------------------------------- hypothetical case files at the edges (tests/kb/edge_821)

EDGE_CASES = sorted((Path(__file__).parent / "edge_821").glob("*.case"))


def test_there_are_hypothetical_edge_cases() -> None:
    assert len(EDGE_CASES) >= 9


@pytest.mark.parametrize("path", EDGE_CASES, ids=lambda p: p.stem)
def test_hypothetical_edge_case_meets_its_expectations(kb: lexkb.KnowledgeBase, path: Path) -> None:
    result = kb.run(str(path))
    meets_expectations(result, path.stem)
