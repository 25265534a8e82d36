"""Time budgets on the command line are finite numbers of seconds: a budget of nan would never run out."""

from __future__ import annotations

import pytest
from conftest import ROOT, Lexkb

FACTORING = str(ROOT / "tests/hostile/verify-unknown-is-not-proved/factoring.rules")
BAYLOR = ["whatif", str(ROOT / "kb"), "--case", str(ROOT / "kb/cases/baylor.case"), "deny", "--time"]


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "0", "abc"])
def test_whatif_refuses_a_budget_that_is_not_a_number_of_seconds(lexkb: Lexkb, value: str) -> None:
    code, out, err = lexkb(*BAYLOR, value)
    assert code == 2 and out == "" and "--time" in err, err


@pytest.mark.parametrize("value", ["nan", "inf", "-1", "abc"])
def test_verify_refuses_a_timeout_that_is_not_a_number_of_seconds(lexkb: Lexkb, value: str) -> None:
    code, out, err = lexkb("verify", FACTORING, "--timeout", value)
    assert code == 2 and out == "" and "--timeout" in err, err
