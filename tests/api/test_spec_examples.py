"""The examples the product sketch marks "must work", run as written (../shared/spec/language.md)."""

from __future__ import annotations

import shutil
from pathlib import Path

import lexkb
from lexkb.compile.case_checks import validate_case
from lexkb.language.cases import load_case, verify_quotes

KB_SOURCES = Path(__file__).resolve().parents[2] / "kb" / "sources"

AUTHORITIES = '''
authority Baylor "United States v. Baylor, 556 F.3d 672, 673 (8th Cir. 2009)"
    says "A district court does not have the authority to grant a § 3582(c)(2) sentencing reduction if the relevant Guidelines amendment does not have the effect of lowering the defendant's applicable Guidelines range."
authority USSG_5G1_1b "U.S.S.G. § 5G1.1(b)"
authority USC_3582c2 "18 U.S.C. § 3582(c)(2)"
'''

# The user's own example, verbatim.
USERS_RULE = "deny if not lowers_range because Baylor\n"

# The rules example of §4, verbatim.
RULES = '''
rule amended_level:
    amended_offense_level(?l2) if offense_level(?l) and claimed_level_reduction(?r) and ?l2 = ?l - ?r

rule statutory_minimum_trumps_range:
    applicable_range(?mm, ?mm)
        if table_range(?lvl, ?chc, ?lo, ?hi) and offense_level(?lvl)
           and criminal_history_category(?chc)
           and mandatory_minimum_months(?mm) and ?mm > ?hi
    because USSG_5G1_1b

grant if eligible and lowers_range unless barred because USC_3582c2
'''

DECLARATIONS = '''
input lowers_range
input eligible
input barred
input offense_level(int)
input claimed_level_reduction(int)
input criminal_history_category(symbol)
input mandatory_minimum_months(int)
input offense_category(symbol)
input sentenced_on(date)
outcomes grant, deny
table_range(31, I, 108, 135)
'''

# The case file of §7, verbatim.
CASE = '''case alcaraz "United States v. Alcaraz, No. 12-CR-0016 (PJS/JJK) (D. Minn. June 28, 2013)"
source "../sources/alcaraz-order.txt"

offense_category(drug)       from "Alcaraz pleaded guilty to a drug offense, not an illegal-reentry offense."
sentenced_on(2012-10-24)     from "On October 24, 2012, he was sentenced to a 120-month term of imprisonment."
mandatory_minimum_months(120) from "his offense carries a mandatory-minimum sentence of 120 months"

expect deny
expect not grant
'''


def kb() -> lexkb.KnowledgeBase:
    return lexkb.loads(AUTHORITIES + USERS_RULE + RULES + DECLARATIONS, "spec.rules")


def test_the_users_rule_runs_as_written() -> None:
    assert kb().run().outcomes == ["deny"]
    assert kb().run({"lowers_range": [()]}).outcomes == []
    only = lexkb.loads(AUTHORITIES + "input lowers_range\n" + USERS_RULE, "users.rules")
    assert only.run().holds("deny") and not only.run({"lowers_range": [()]}).holds("deny")


def test_the_rules_example_derives_what_it_says() -> None:
    result = kb().run({"offense_level": [(31,)], "claimed_level_reduction": [(4,)],
                       "criminal_history_category": [("I",)], "mandatory_minimum_months": [(140,)],
                       "eligible": [()], "lowers_range": [()]})
    assert result.facts("amended_offense_level") == [(27,)]
    assert result.facts("applicable_range") == [(140, 140)]  # the minimum is above the table's 135
    assert result.outcomes == ["grant"]
    barred = kb().run({"eligible": [()], "lowers_range": [()], "barred": [()]})
    assert barred.outcomes == []  # `unless barred` is `and not barred`


def test_the_case_file_example_checks_its_quotes_and_expectations(tmp_path: Path) -> None:
    (tmp_path / "sources").mkdir()
    (tmp_path / "cases").mkdir()
    shutil.copy(KB_SOURCES / "alcaraz-order.txt", tmp_path / "sources" / "alcaraz-order.txt")
    path = tmp_path / "cases" / "alcaraz.case"
    path.write_text(CASE, encoding="utf-8")
    case = load_case(path)
    knowledge = kb()
    assert validate_case(case, knowledge.program) == [] and verify_quotes(case) == []
    result = knowledge.run(case)
    assert [ok for _, ok in result.expectations()] == [True, True]
