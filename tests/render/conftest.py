"""Shared pieces of the renderer tests: the fixture case and hostile labels (golden files:
the ``golden`` fixture in tests/conftest.py, under tests/golden/explain/)."""

from __future__ import annotations

from pathlib import Path

import pytest

import lexkb

ROOT = Path(__file__).resolve().parent.parent.parent
FIXTURE_RULES = "tests/fixtures/explain/reduction.rules"
FIXTURE_CASE = "tests/fixtures/explain/cases/toy.case"
ALCARAZ_CASE = "kb/cases/alcaraz.case"

# Text that would break DOT, SVG or HTML if it were not escaped.
HOSTILE = '<script>alert("x")</script> ] { } & "quoted" \\ \u00ab'
HOSTILE_RULES = r'''
authority Evil "Evil v. \"Quoted\" <script>alert(1)</script> ] { } & \\ 1 U.S. 1"
    says "<b>bold</b> }]{ \"quote\" </svg><img src=x onerror=alert(2)>"
input name(string)
rule evil_rule: bad(?n) if name(?n) and ?n != "<script>" because Evil
'''


@pytest.fixture
def at_root(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from the repository root, so paths print as a user sees them."""
    monkeypatch.chdir(ROOT)
    return ROOT


@pytest.fixture
def toy(at_root: Path) -> lexkb.Result:
    return lexkb.load(FIXTURE_RULES).run(FIXTURE_CASE)


@pytest.fixture
def hostile() -> lexkb.Result:
    kb = lexkb.loads(HOSTILE_RULES, "evil.rules")
    return kb.run({"name": [(lexkb.Text(HOSTILE),)]})


@pytest.fixture
def alcaraz(at_root: Path) -> lexkb.Result:
    if not (at_root / ALCARAZ_CASE).exists():
        pytest.skip("the bundled knowledge base has no Alcaraz case yet")
    return lexkb.load("kb").run(ALCARAZ_CASE)
