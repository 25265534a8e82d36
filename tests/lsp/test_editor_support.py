"""editors/vscode: the extension's files are valid, name each other, and highlight the language the parser reads."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from lexkb.compile.checks import TYPE_NAMES
from lexkb.language.parser import KEYWORDS

VSCODE = Path(__file__).resolve().parents[2] / "editors" / "vscode"


def _json(name: str) -> Any:
    return json.loads((VSCODE / name).read_text(encoding="utf-8"))


def _alternatives(pattern: str) -> set[str]:
    """The words of a ``\\b(?:a|b|c)\\b`` pattern."""
    found = re.fullmatch(r"\\b\(\?:([\w|]+)\)\\b", pattern)
    assert found, pattern
    return set(found.group(1).split("|"))


def test_the_grammars_keywords_are_the_parsers() -> None:
    repository = _json("syntaxes/lexkb.tmLanguage.json")["repository"]
    assert _alternatives(repository["keywords"]["match"]) == set(KEYWORDS)
    [types] = [p["match"] for p in repository["input"]["patterns"]]
    assert set(TYPE_NAMES) <= _alternatives(types)


def test_every_pattern_compiles_and_marks_what_it_should() -> None:
    grammar = _json("syntaxes/lexkb.tmLanguage.json")
    repository = grammar["repository"]
    for rule in repository.values():
        for key in ("match", "begin", "end"):
            if key in rule:
                re.compile(rule[key])  # Oniguruma's syntax, as far as these patterns go, is Python's
    line = 'deny if not lowers(?lo, _, 2012-10-24, -4) unless barred because Baylor  # unlessx'
    keywords = re.compile(repository["keywords"]["match"])
    assert [m.group() for m in keywords.finditer(line)] == ["if", "not", "unless", "because"]  # not the comment's unlessx
    assert re.findall(repository["variable"]["match"], line) == ["?lo", "_"]
    assert re.findall(repository["date"]["match"], line) == ["2012-10-24"]
    assert re.findall(repository["predicate"]["match"], line) == ["lowers"]
    assert {p["include"] for p in grammar["patterns"]} == {f"#{name}" for name in repository}


def test_the_extension_names_its_files() -> None:
    package = _json("package.json")
    [language] = package["contributes"]["languages"]
    assert language["extensions"] == [".rules", ".case"]
    [grammar] = package["contributes"]["grammars"]
    assert grammar["scopeName"] == _json("syntaxes/lexkb.tmLanguage.json")["scopeName"]
    for path in (grammar["path"], language["configuration"], package["main"]):
        assert (VSCODE / path).is_file(), path
    assert _json("language-configuration.json")["comments"] == {"lineComment": "#"}
    assert "lsp" in (VSCODE / "extension.js").read_text() and "vscode-languageclient" in package["dependencies"]


def test_decimals_are_numbers_marked_whole() -> None:
    """``3.90`` is one number (the language's exact decimals), not ``3``, a dot and ``90``."""
    repository = _json("syntaxes/lexkb.tmLanguage.json")["repository"]
    line = "high if level(3.90) and ?x > -0.25 and ?y = 1122805.74 + 120 and ?d = 2012-10-24"
    date = re.compile(repository["date"]["match"])
    rest = date.sub("", line)  # the grammar tries dates first
    assert re.findall(repository["number"]["match"], rest) == ["3.90", "-0.25", "1122805.74", "120"]
    assert date.findall(line) == ["2012-10-24"]
