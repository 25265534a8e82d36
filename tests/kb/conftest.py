"""The bundled knowledge base, loaded once for the doctrine tests, and the way they state a case."""

from __future__ import annotations

from pathlib import Path

import pytest

import lexkb

ROOT = Path(__file__).resolve().parents[2]
KB = ROOT / "kb"


@pytest.fixture(scope="module")
def kb() -> lexkb.KnowledgeBase:
    return lexkb.load([str(KB)])


def case(**facts: object) -> dict[str, list[tuple]]:
    """A case as keyword arguments: ``True`` a fact without values, a value or tuple one fact, a list several."""
    out: dict[str, list[tuple]] = {}
    for predicate, value in facts.items():
        if value is True:
            out[predicate] = [()]
        elif isinstance(value, list):
            out[predicate] = [v if isinstance(v, tuple) else (v,) for v in value]
        elif isinstance(value, tuple):
            out[predicate] = [value]
        else:
            out[predicate] = [(value,)]
    return out


def decide(kb: lexkb.KnowledgeBase, **facts: object) -> lexkb.Result:
    """Run a case; the knowledge base must decide it one way: exactly one outcome holds."""
    result = kb.run(case(**facts))
    assert result.holds("deny") != result.holds("eligible"), "exactly one outcome must hold"
    return result


def meets_expectations(result: lexkb.Result, name: str) -> None:
    """Every `expect` of a case file holds, and the knowledge base decides it one way."""
    missed = [e for e, ok in result.expectations() if not ok]
    assert not missed, f"{name}: missed {missed}"
    assert result.holds("deny") != result.holds("eligible")
