"""`lexkb lsp` driven as an editor drives it: a subprocess spoken to in JSON-RPC over its stdio."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from .client import Client

if TYPE_CHECKING:
    from tests.conftest import Lexkb

RULES = """\
authority Baylor "United States v. Baylor, 556 F.3d 672, 673 (8th Cir. 2009)"
    says "No authority to reduce if the range is not lowered."
input offense_level(int)
outcomes deny, eligible

rule lowered:
    lowers_range if offense_level(?l) and ?l > 30
deny if not lowers_range because Baylor
eligible if lowers_range
"""

CASE = """\
case c "United States v. C"
source "c.txt"
offense_level(31) from "at level 31"
"""


@pytest.fixture()
def kb(tmp_path: Path) -> Path:
    (tmp_path / "kb" / "cases").mkdir(parents=True)
    (tmp_path / "kb" / "reduction.rules").write_text(RULES, encoding="utf-8")
    (tmp_path / "kb" / "cases" / "c.case").write_text(CASE, encoding="utf-8")
    (tmp_path / "kb" / "cases" / "c.txt").write_text("He was sentenced at level 31.\n", encoding="utf-8")
    return tmp_path / "kb"


@pytest.fixture()
def client(kb: Path) -> Iterator[Client]:
    editor = Client(kb.parent)
    editor.request("initialize", {"processId": None, "rootUri": kb.as_uri(), "capabilities": {}})
    editor.notify("initialized")
    yield editor
    if editor.process.poll() is None:
        editor.process.kill()


def _open(client: Client, path: Path, text: str | None = None) -> str:
    uri = path.as_uri()
    client.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": "lexkb", "version": 1, "text": path.read_text() if text is None else text}})
    return uri


def _at(uri: str, line: int, character: int) -> dict[str, Any]:
    return {"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}


def test_diagnostics_are_checks_own_message_and_span_while_typing(client: Client, kb: Path, lexkb: Lexkb) -> None:
    rules = kb / "reduction.rules"
    broken = RULES.replace("because Baylor", "because Baylr")
    uri = _open(client, rules, broken)
    published = client.notification("textDocument/publishDiagnostics", uri)
    [diagnostic] = published["diagnostics"]
    assert diagnostic["range"] == {"start": {"line": 7, "character": 33}, "end": {"line": 7, "character": 38}}
    rules.write_text(broken)  # what `lexkb check` says about the same text, as a user sees it
    code, _, err = lexkb("check", "kb", cwd=kb.parent)
    assert code == 2
    message, hint = diagnostic["message"].split("\nhint: ")
    assert f"reduction.rules:8:34: error: {message}" in err and f"hint: {hint}" in err
    assert hint == "did you mean 'Baylor'?"

    [fix] = client.request("textDocument/codeAction", {"textDocument": {"uri": uri}, "range": diagnostic["range"],
                                                       "context": {"diagnostics": [diagnostic]}})
    assert fix["title"] == "Change to 'Baylor'" and fix["edit"]["changes"][uri][0]["newText"] == "Baylor"

    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2},
                                             "contentChanges": [{"text": RULES}]})
    assert client.notification("textDocument/publishDiagnostics", uri)["diagnostics"] == []


def test_a_case_is_checked_against_its_rules_and_its_source(client: Client, kb: Path) -> None:
    case = kb / "cases" / "c.case"
    uri = _open(client, case, CASE.replace("at level 31", "at level 32") + "career_offender(yes)\n")
    diagnostics = client.notification("textDocument/publishDiagnostics", uri)["diagnostics"]
    messages = [d["message"].split("\n")[0] for d in diagnostics]
    assert messages == ["the case states career_offender, which is not a declared input",
                        "the quote for offense_level(31) is not in kb/cases/c.txt"]
    actions = client.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": diagnostics[0]["range"], "context": {"diagnostics": diagnostics}})
    [declare] = [a for a in actions if a["title"] == "Declare career_offender as an input"]
    [edit] = declare["edit"]["changes"][(kb / "reduction.rules").as_uri()]
    assert edit["newText"] == "input career_offender(symbol)\n" and edit["range"]["start"]["line"] == 3


def test_hover_definition_references_rename(client: Client, kb: Path) -> None:
    rules, case = kb / "reduction.rules", kb / "cases" / "c.case"
    uri, case_uri = _open(client, rules), _open(client, case)

    hover = client.request("textDocument/hover", _at(uri, 7, 36))["contents"]["value"]  # because Baylor
    assert "556 F.3d 672" in hover and "No authority to reduce" in hover
    assert "reporter F.3d" in hover and "court ca8" in hover and "year 2009" in hover  # read by eyecite
    hover = client.request("textDocument/hover", _at(case_uri, 2, 3))["contents"]["value"]  # offense_level in the case
    assert "`input offense_level(int)`" in hover and "a whole number" in hover
    hover = client.request("textDocument/hover", _at(uri, 7, 15))["contents"]["value"]  # not lowers_range
    assert "lowered `lowers_range`" in hover

    [definition] = client.request("textDocument/definition", _at(uri, 7, 15))
    assert definition["uri"] == uri and definition["range"]["start"] == {"line": 6, "character": 4}
    [source] = client.request("textDocument/definition", _at(case_uri, 1, 3))
    assert source["uri"] == (kb / "cases" / "c.txt").as_uri()

    found = client.request("textDocument/references", {**_at(uri, 2, 8), "context": {"includeDeclaration": True}})
    assert sorted((Path(r["uri"]).name, r["range"]["start"]["line"]) for r in found) == [
        ("c.case", 2), ("reduction.rules", 2), ("reduction.rules", 6)]

    edit = client.request("textDocument/rename", {**_at(uri, 2, 8), "newName": "level"})["changes"]
    assert sorted(Path(u).name for u in edit) == ["c.case", "reduction.rules"]
    assert all(e["newText"] == "level" for edits in edit.values() for e in edits)
    with pytest.raises(RuntimeError):
        client.request("textDocument/rename", {**_at(uri, 2, 8), "newName": "unless"})


def test_completion_outline_formatting_and_shutdown(client: Client, kb: Path) -> None:
    rules = kb / "reduction.rules"
    uri = _open(client, rules)
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2},  # half-typed: no parse
                                             "contentChanges": [{"text": RULES + "grant if eligible and  \n"}]})
    items = client.request("textDocument/completion", _at(uri, 9, 22))["items"]
    by_label = {item["label"]: item for item in items}
    assert {"unless", "because", "min"} <= set(by_label)
    assert by_label["offense_level"]["detail"] == "input offense_level(int)"
    assert by_label["Baylor"]["detail"].startswith("United States v. Baylor")
    after_because = client.request("textDocument/completion", _at(uri, 7, 38))["items"]
    assert [item["label"] for item in after_because] == ["Baylor"]

    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 3},
                                             "contentChanges": [{"text": RULES}]})
    symbols = client.request("textDocument/documentSymbol", {"textDocument": {"uri": uri}})
    assert [s["name"] for s in symbols][:5] == ["Baylor", "offense_level", "outcomes", "lowered", "deny"]

    messy = "deny   if not lowers_range\n\n\n\nlowers_range if   offense_level(?l)   and ?l>30 # why\n"
    edits = client.request("textDocument/formatting", {"textDocument": {"uri": _open(client, kb / "x.rules", messy)},
                                                       "options": {"tabSize": 4, "insertSpaces": True}})
    assert [e["newText"] for e in edits] == ["deny if not lowers_range\n\nlowers_range if offense_level(?l) and ?l > 30  # why\n"]
    assert client.close() == 0
