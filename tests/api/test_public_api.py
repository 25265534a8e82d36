"""The public API is a boundary: ``lexkb.__all__`` is exactly what ``import lexkb`` offers,
every name the docs use exists, and the signatures say what they return."""

from __future__ import annotations

import inspect
import json
import types
import typing
from pathlib import Path

import pytest

import lexkb
from lexkb import api

RULES = """
input level(int)
outcomes grant, deny
rule low: grant if level(?l) and ?l < 10
rule high: deny if level(?l) and ?l >= 10
"""

# The names README.md and docs/ use as `lexkb.NAME`, and those a user of `Result` meets.
DOCUMENTED = {"load", "loads", "bundled_kb", "KnowledgeBase", "Result", "Derivation", "Sources", "Case",
              "LexkbError", "CheckError", "SyntaxProblem", "Span", "__version__"}


def public_names(module: types.ModuleType) -> set[str]:
    """What ``dir`` shows, less private names and the submodules that importing lexkb loads as a side effect."""
    return {name for name in dir(module)
            if (not name.startswith("_") or name == "__version__")
            and not (isinstance(getattr(module, name), types.ModuleType)
                     and getattr(module, name).__name__.startswith("lexkb."))}


def test_all_is_exactly_what_is_public() -> None:
    assert len(lexkb.__all__) == len(set(lexkb.__all__)), "a name is listed twice"
    assert set(lexkb.__all__) == public_names(lexkb)


def test_documented_names_exist() -> None:
    assert DOCUMENTED <= set(lexkb.__all__)
    for name in lexkb.__all__:
        assert getattr(lexkb, name) is not None


def test_no_any_in_public_signatures() -> None:
    for owner in (api, api.KnowledgeBase, api.Result):
        for name, function in inspect.getmembers(owner, inspect.isfunction):
            if name.startswith("_") or function.__module__ != "lexkb.api":
                continue
            hints = typing.get_type_hints(function)
            assert "return" in hints or name == "__init__", f"{name} has no return type"
            for what, hint in hints.items():
                assert "Any" not in str(hint), f"{owner.__name__}.{name}: {what} is {hint}"


def test_explain_and_why_not_return_derivations() -> None:
    result = lexkb.loads(RULES, "levels.rules").run({"level": [(12,)]})
    why = result.explain("deny")
    why_not = result.why_not("grant", depth=1)
    assert isinstance(why, lexkb.Derivation) and why.mode == "why"
    assert isinstance(why_not, lexkb.Derivation) and why_not.mode == "why_not"
    assert typing.get_type_hints(api.Result.explain)["return"] is lexkb.Derivation
    assert typing.get_type_hints(api.Result.why_not)["return"] is lexkb.Derivation


def test_result_to_json_is_plain_data() -> None:
    result = lexkb.loads(RULES, "levels.rules").run({"level": [(3,)]})
    data = result.to_json()
    assert data == {"facts": {"deny": [], "grant": [[]], "level": [[3]]}, "outcomes": ["grant"]}
    assert json.loads(json.dumps(data)) == data


def test_a_finding_to_json(tmp_path: Path) -> None:
    (tmp_path / "c.case").write_text("levle(3)\n", encoding="utf-8")
    kb = lexkb.loads(RULES, "levels.rules")
    [finding] = lexkb.validate_case(lexkb.load_case(tmp_path / "c.case"), kb.program)
    data = finding.to_json()
    assert data["location"] is not None and data["location"].endswith("c.case:1:1")
    assert data["message"] == "the case states levle, which is not a declared input"
    assert data["hint"] == "did you mean 'level'?"
    assert lexkb.Finding("no place", None).to_json() == {"message": "no place", "location": None, "hint": None}


def test_the_knowledge_base_holds_its_sources(tmp_path: Path) -> None:
    (tmp_path / "a.rules").write_text("include \"b.rules\"\np if q\n", encoding="utf-8")
    (tmp_path / "b.rules").write_text("q\n", encoding="utf-8")
    kb = lexkb.load(tmp_path / "a.rules")
    assert isinstance(kb.sources, lexkb.Sources)
    assert sorted(Path(name).name for name in kb.sources) == ["a.rules", "b.rules"]
    assert [kb.sources[m.path] for m in kb.program.modules] == ["include \"b.rules\"\np if q\n", "q\n"]


def test_an_atom_that_does_not_parse_carries_its_text() -> None:
    result = lexkb.loads(RULES, "levels.rules").run({"level": [(3,)]})
    with pytest.raises(lexkb.SyntaxProblem) as caught:
        result.holds("grant(")
    assert caught.value.line == "grant("


@pytest.mark.parametrize("case", [42, ["level(3)"], b"c.case"])
def test_a_case_of_another_type_is_a_type_error(case: object) -> None:
    with pytest.raises(TypeError, match="a case is a .case path, a Case or a mapping of facts"):
        lexkb.loads(RULES, "levels.rules").run(case)  # type: ignore[arg-type]


def test_an_atom_of_another_type_is_a_type_error() -> None:
    result = lexkb.loads(RULES, "levels.rules").run()
    with pytest.raises(TypeError, match="an atom is text, \\(predicate, values\\) or an ast.Atom, not int"):
        result.holds(3)  # type: ignore[arg-type]
