"""lexkb verify: defects planted behind a reference-table join (issue 10, deliverables 2 and 4).

tests/fixtures/research/table_planted.rules reads a range from a 33-cell slice of the
Sentencing Table (table_sentencing.rules) by offense level x category and decides by
that range; its conflict, gap and dead rule exist only because of the table's values,
and table_fixed.rules is proved free of them only through those values.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

import lexkb
from lexkb import Symbol

pytest.importorskip("z3")

if TYPE_CHECKING:
    from conftest import Lexkb

FIX = Path(__file__).parents[1] / "fixtures" / "research"
PLANTED, FIXED, TABLE = FIX / "table_planted.rules", FIX / "table_fixed.rules", FIX / "table_sentencing.rules"

# Verify takes about 2 s on either fixture; the limit only catches an encoding
# that falls back to enumerating the table's rows (minutes), not a loaded machine.
SECONDS = 20.0


def verify_json(lexkb: Lexkb, rules: Path) -> dict[str, Any]:
    started = time.perf_counter()
    code, out, err = lexkb("verify", str(rules), "--format", "json")
    elapsed = time.perf_counter() - started
    assert code in (0, 1), err
    assert elapsed < SECONDS, f"verify {rules.name} took {elapsed:.1f} s"
    report: dict[str, Any] = json.loads(out)
    assert not report["gave_up"], report["gave_up"]
    assert not any("too large to encode" in line for line in report["searched"] + report["notes"]), report
    return report


def test_verify_finds_exactly_the_three_planted_defects(lexkb: Lexkb) -> None:
    report = verify_json(lexkb, PLANTED)
    assert [f["kind"] for f in report["findings"]] == ["conflict", "gap", "dead"]
    conflict, gap, dead = report["findings"]
    # the conflict: grant_short_range grants level 23, I (46-57) and deny_high_level denies level 23
    assert conflict["facts"] == ["criminal_history_category(I)", "offense_level(23)"]
    assert {side: [r["rule"] for r in conflict["sides"][side]["rules"]] for side in ("grant", "deny")} == {
        "grant": ["grant_short_range"], "deny": ["deny_high_level"]}
    # the gap: 22, III (51-63) is above 60 at the top and below 55 at the bottom
    assert gap["facts"] == ["criminal_history_category(III)", "offense_level(22)"]
    assert gap["details"][0] == "grant: none of its rules fires (grant_short_range)"
    # the dead rule: no cell's minimum reaches 360 months
    assert dead["message"] == "rule deny_thirty_years can never fire"
    assert dead["location"].endswith("table_planted.rules:59")
    assert "?lo >= 360" in dead["details"][0]
    assert report["counts"] == {"conflicts": 1, "gaps": 1, "dead": 1, "acknowledged": 0}
    assert report["clean"] is False


def test_witnesses_run_through_the_engine_and_reproduce(tmp_path: Path, lexkb: Lexkb) -> None:
    code, out, _ = lexkb("verify", str(PLANTED), "--witness-dir", str(tmp_path))
    assert code == 1, out
    conflict, gap = tmp_path / "conflict-1.case", tmp_path / "gap-1.case"
    assert sorted(p.name for p in tmp_path.iterdir()) == [conflict.name, gap.name]
    code, out, _ = lexkb("run", str(PLANTED), "--case", str(conflict), "--format", "json")
    assert code == 0 and json.loads(out)["outcomes"] == ["grant", "deny"]
    code, out, _ = lexkb("run", str(PLANTED), "--case", str(gap), "--format", "json")
    assert code == 0 and json.loads(out)["outcomes"] == []
    code, out, _ = lexkb("test", str(PLANTED), str(conflict), str(gap))
    assert code == 0 and out.strip().endswith("2 passed, 0 failed"), out
    # the same cases under the corrected rules decide exactly one outcome each
    code, out, _ = lexkb("test", str(FIXED), str(conflict), str(gap))
    assert code == 1 and out.strip().endswith("0 passed, 2 failed"), out


def test_the_report_says_proved_only_within_its_bound(lexkb: Lexkb) -> None:
    code, out, _ = lexkb("verify", str(PLANTED))
    assert code == 1
    proved = out.split("Proved (z3, confirmed by the engine), for:\n", 1)[1].split("Result:", 1)[0]
    assert "every case with at most 2 facts of each input predicate" in proved
    assert "cases with more than 2 facts of one input predicate are outside this proof (raise --bound)" in proved
    assert "reference facts as finite tables" in proved
    assert "Searched, not proved" not in out  # nothing through the table join is left to search
    assert "Gave up" not in out and out.rstrip().endswith("Result: 3 findings")


def test_the_corrected_rules_are_proved_clean_with_nothing_searched(lexkb: Lexkb) -> None:
    report = verify_json(lexkb, FIXED)
    assert report["clean"] is True and report["findings"] == []
    assert report["searched"] == []


def test_the_findings_come_from_the_table_values(tmp_path: Path, lexkb: Lexkb) -> None:
    """The corrected rules with two cells changed: verify finds a conflict and a gap at exactly those cells."""
    table = TABLE.read_text(encoding="utf-8")
    for old, new in [("table_range(21, I, 37, 46)", "table_range(21, I, 48, 60)"),     # granted and denied
                     ("table_range(22, II, 46, 57)", "table_range(22, II, 47, 61)")]:  # neither
        assert old in table
        table = table.replace(old, new)
    (tmp_path / TABLE.name).write_text(table, encoding="utf-8")
    (tmp_path / FIXED.name).write_text(FIXED.read_text(encoding="utf-8"), encoding="utf-8")
    report = verify_json(lexkb, tmp_path / FIXED.name)
    assert [(f["kind"], f.get("facts")) for f in report["findings"]] == [
        ("conflict", ["criminal_history_category(I)", "offense_level(21)"]),
        ("gap", ["criminal_history_category(II)", "offense_level(22)"])]


# ---------------------------------------------------------------- the claims, by enumeration

LEVELS = range(19, 32)  # the table's levels 20..30, one below and one above
CATEGORIES = [Symbol(c) for c in ("I", "II", "III", "IV")]  # IV: a category the table never pairs


def at_most_two(values: list[Any]) -> list[list[Any]]:
    return [list(subset) for size in range(3) for subset in itertools.combinations(values, size)]


def cases() -> Iterator[dict[str, list[tuple[Any, ...]]]]:
    """Every case of at most two facts of each input (verify's bound) over a domain that is exhaustive for
    these rules: a level matters only through the table (20..30) and `>= 23`/`>= 24`, a category only by
    equality, and the minimums only through `?mm > ?hi` for some stated minimum, so the largest one
    decides; the candidates are each maximum of the table and one above it."""
    rows = lexkb.load(TABLE).run().facts("table_range")
    minimums = sorted({m for _, _, _, hi in rows for m in (hi, hi + 1)})
    for levels, categories, minimum in itertools.product(
            at_most_two(list(LEVELS)), at_most_two(CATEGORIES), [[]] + [[m] for m in minimums]):
        yield {"offense_level": [(v,) for v in levels], "criminal_history_category": [(c,) for c in categories],
               "mandatory_minimum_months": [(m,) for m in minimum]}


def single_cell(case: dict[str, list[tuple[Any, ...]]]) -> tuple[int, str] | None:
    levels, categories = case["offense_level"], case["criminal_history_category"]
    if len(levels) == 1 and len(categories) == 1:
        return levels[0][0], str(categories[0][0])
    return None


def test_enumeration_agrees_with_verify() -> None:
    """Exhaustive over the bound: the planted conflict and gap are exactly the cells verify named, the dead
    rule never fires, and the corrected rules decide exactly one outcome in every case."""
    planted, fixed = lexkb.load(PLANTED), lexkb.load(FIXED)
    conflicts: set[tuple[int, str] | None] = set()
    gaps: set[tuple[int, str] | None] = set()
    counted = 0
    for case in cases():
        counted += 1
        result = planted.run(case)
        outcomes = result.outcomes
        if len(outcomes) != 1:
            (conflicts if outcomes else gaps).add(single_cell(case))
        assert all(lo < 360 for lo, _ in result.facts("cell_range"))
        assert len(fixed.run(case).outcomes) == 1, case
    assert counted == 92 * 11 * 27
    assert conflicts == {(23, "I")} and gaps == {(22, "III")}
