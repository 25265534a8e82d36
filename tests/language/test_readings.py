"""English readings (``reads``) and internal helpers (``internal``): checked where they are written,
used wherever a reader meets an atom (explanations, run, what-if), and absent readings change nothing."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest

from lexkb import loads
from lexkb.errors import CheckError
from lexkb.language.readings import Readings, english_value
from lexkb.render.text import render_text
from lexkb.values import Text

RULES = """input offense_level(int)
input lowers
outcomes deny, grant
deny if not lowers
grant if lowers and level_ok(?l)
level_ok(?l) if offense_level(?l) and ?l > 3
internal level_ok
offense_level(?l) reads "the total offense level was ?l"
lowers reads "the amendment lowers the range" not "the amendment does not lower the range"
deny reads "the motion is denied"
grant reads "the motion is granted"
"""


def test_a_reading_replaces_the_atom_in_explanations_and_folds_internal_helpers() -> None:
    kb = loads(RULES)
    granted = kb.run({"offense_level": [(31,)], "lowers": [()]})
    text = render_text(granted.explain("grant"))
    assert text.startswith("The motion is granted, on one ground.")
    assert "the total offense level was 31 — given" in text
    assert "level_ok" not in text.replace("with the conditions of rule", "")  # folded into grant's rule
    assert "with the conditions of rule" in text
    denied = kb.run({"offense_level": [(31,)]})
    assert ("the amendment does not lower the range (nothing established that the amendment lowers the range)"
            in " ".join(render_text(denied.explain("deny")).split()))
    assert render_text(denied.why_not("grant")).startswith("It is not established that the motion is granted.")


def test_without_readings_nothing_changes() -> None:
    plain = "\n".join(line for line in RULES.splitlines() if " reads " not in line and "internal" not in line)
    result = loads(plain).run({"offense_level": [(31,)]})
    assert "Nothing established lowers, so not lowers holds" not in render_text(result.explain("deny"))
    assert render_text(result.explain("deny")).startswith("deny holds, on one ground.")
    assert loads(plain).program.warnings == ()


@pytest.mark.parametrize(("declaration", "message"), [
    ('offense_level(?x) reads "was ?l"', "the reading uses ?l, which is not a value of offense_level"),
    ('offense_level(?l) reads "was"', "the reading leaves out ?l"),
    ('offense_level reads "x"', "offense_level takes 1 value, but the reading names 0"),
    ('offense_level(3) reads "x"', "each value of a reading is named by a variable of its own"),
    ('offense_leve(?l) reads "?l"', "a reading for offense_leve, which no rule concludes"),
    ('offense_level(?l) reads "?l" offense_level(?m) reads "?m"', "offense_level already has a reading"),
    ("internal deny", "deny is an outcome, so it cannot be internal"),
    ("internal nothing_here", "internal nothing_here, which no rule concludes"),
])
def test_mistakes_in_readings_are_located_errors(declaration: str, message: str) -> None:
    with pytest.raises(CheckError, match=re.escape(message)) as caught:
        loads("input offense_level(int)\noutcomes deny\ndeny if offense_level(_)\n" + declaration)
    assert caught.value.span.line == 4


def test_once_there_are_readings_a_predicate_reaching_an_outcome_without_one_is_a_warning() -> None:
    program = loads("input a\ninput b\noutcomes deny\ndeny if a and b\nunused if a\n"
                    'a reads "A holds"\n').program
    warned = sorted(w.message.split()[0] for w in program.warnings)
    assert warned == ["b", "deny"]  # not `unused`, which leads to no outcome


def test_values_read_as_a_sentence_shows_them() -> None:
    assert english_value(datetime.date(2012, 10, 24)) == "October 24, 2012"
    assert english_value("crack_offense") == "crack offense"
    assert english_value(Text("a b")) == "a b"
    assert english_value(None) == "some value"
    program = loads(RULES).program
    assert Readings(program.readings).negative("grant", ()) == "it is not established that the motion is granted"


def test_run_lists_no_internal_helper_and_reads_its_conclusions(lexkb, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "r.rules").write_text(RULES)
    (tmp_path / "c.case").write_text("case c\noffense_level(31)\nlowers\n")
    code, out, _ = lexkb("run", "r.rules", "--case", "c.case", cwd=tmp_path)
    assert code == 0
    assert "holds     grant: the motion is granted" in out
    assert "level_ok" not in out
