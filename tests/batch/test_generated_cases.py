"""The case generator (tests/fixtures/batch/make_cases.py) and its tables run on the bundled knowledge base."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from .conftest import FIXTURES, rows

if TYPE_CHECKING:
    from conftest import Lexkb

BUNDLED_KB = Path(__file__).parents[2] / "kb"


def make_cases() -> Any:
    """The case generator, tests/fixtures/batch/make_cases.py, as a module."""
    spec = importlib.util.spec_from_file_location("make_cases", FIXTURES / "make_cases.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def test_generator_writes_a_table_the_bundled_vocabulary_accepts(tmp_path: Path) -> None:
    module = make_cases()
    module.main(["30", str(tmp_path / "c.csv"), "--seed", "3"])
    first = (tmp_path / "c.csv").read_bytes()
    module.main(["30", str(tmp_path / "c.csv"), "--seed", "3"])
    assert (tmp_path / "c.csv").read_bytes() == first
    assert len(first.splitlines()) == 31
    vocabulary = BUNDLED_KB / "vocabulary.rules"
    if vocabulary.exists():  # the bundled knowledge base declares every column the generator writes
        declared = {line.split()[1].split("(")[0] for line in vocabulary.read_text().splitlines()
                    if line.startswith("input ")}
        assert set(module.COLUMNS) - {"case"} <= declared


@pytest.mark.skipif(not BUNDLED_KB.is_dir(), reason="the bundled knowledge base is not there")
def test_generated_cases_run_on_the_bundled_knowledge_base(tmp_path: Path, lexkb: Lexkb) -> None:
    with open(tmp_path / "c.csv", "w", encoding="utf-8", newline="") as handle:
        make_cases().write(200, handle, seed=7)
    done = lexkb("batch", str(BUNDLED_KB), "c.csv", "-o", "out.jsonl", "--jobs", "2", cwd=tmp_path)
    assert done.code == 0, done.err
    got = rows(tmp_path / "out.jsonl")
    assert [r["case"] for r in got] == [f"c{n}" for n in range(1, 201)]
    assert all(r["error"] is None for r in got)
    for r in got:  # every outcome that holds has the rules that decided it
        assert set(r["deciding_rules"]) == set(r["outcomes"]) and all(r["deciding_rules"].values())
