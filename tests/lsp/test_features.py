"""The server's features as plain functions of (texts, cursor), without an editor."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types

from lexkb.lsp import editing, navigation
from lexkb.lsp.diagnostics import diagnose
from lexkb.lsp.symbols import Index
from lexkb.lsp.workspace import Workspace, kb_root

ROOT = Path(__file__).resolve().parents[2]
KB = ROOT / "kb"


def test_a_document_belongs_to_the_highest_folder_of_rules_above_it() -> None:
    assert kb_root(KB / "cases" / "alcaraz.case") == KB
    assert kb_root(KB / "ussg" / "sentencing_table.rules") == KB
    assert kb_root(KB / "vocabulary.rules") == KB


def test_the_bundled_kb_has_no_problems_and_a_rename_reaches_every_file() -> None:
    workspace = Workspace()
    rules = KB / "sentence_reduction.rules"
    assert {p.name: d for p, d in diagnose(workspace, rules).items() if d} == {}
    index = Index(workspace.snapshot(rules))
    decl = next(o for o in index.occurrences if o.kind == "predicate" and o.name == "offense_category" and o.definition)
    edit = navigation.rename(index, Path(decl.span.file), decl.span.line - 1, decl.span.column - 1, "level")
    assert edit is not None and edit.changes is not None
    touched = {Path(uri).name for uri in edit.changes}
    assert "vocabulary.rules" in touched and "alcaraz.case" in touched
    with pytest.raises(ValueError):
        navigation.rename(index, Path(decl.span.file), decl.span.line - 1, decl.span.column - 1, "2level")


def test_a_warning_is_a_warning_with_its_quick_fix(tmp_path: Path) -> None:
    rules = tmp_path / "a.rules"
    rules.write_text("input level(int)\ndeny if level(?l) and not barred(?l, old)\n")
    workspace = Workspace()
    [warning] = diagnose(workspace, rules)[rules]
    assert warning.severity == types.DiagnosticSeverity.Warning
    assert warning.message.startswith("nothing establishes barred")
    [fix] = editing.code_actions(Index(workspace.snapshot(rules)), rules, [warning])
    assert fix.title == "Declare barred as an input"
    assert fix.edit is not None and fix.edit.changes is not None
    [edit] = fix.edit.changes[rules.as_uri()]
    assert edit.new_text == "input barred(symbol, symbol)\n" and edit.range.start.line == 1


def test_nothing_is_offered_inside_quotes_comments_or_variables(tmp_path: Path) -> None:
    rules = tmp_path / "a.rules"
    rules.write_text('authority A "x y"\ndeny if p(?l) # note\n')
    index = Index(Workspace().snapshot(rules))
    assert editing.completion(index, rules, 0, 14) == []
    assert editing.completion(index, rules, 1, 12) == []
    assert editing.completion(index, rules, 1, 17) == []
    assert "A" in {item.label for item in editing.completion(index, rules, 1, 5)}


def test_formatting_leaves_a_document_that_does_not_parse_alone(tmp_path: Path) -> None:
    rules = tmp_path / "a.rules"
    rules.write_text("deny if (\n")
    workspace = Workspace()
    document = workspace.document(rules)
    assert document is not None and editing.formatting(document) == []
    [problem] = diagnose(workspace, rules)[rules]
    assert problem.severity == types.DiagnosticSeverity.Error
