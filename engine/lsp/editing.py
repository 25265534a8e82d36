"""Writing in the editor: completion, formatting (the one printer) and quick fixes for check's hints."""

from __future__ import annotations

import re
from pathlib import Path

from lsprotocol import types

from lexkb.errors import LexkbError
from lexkb.language import ast
from lexkb.language.cases import kind_in_words
from lexkb.language.format import format_source
from lexkb.language.parser import KEYWORDS, parse_with_comments
from lexkb.lsp.symbols import Index
from lexkb.lsp.workspace import Document
from lexkb.values import kind_of

_AFTER_BECAUSE = re.compile(r"\bbecause\s+(?:\w+\s*,\s*)*\w*$")
_WORD = re.compile(r"\w+")


def _declared(decl: ast.InputDecl) -> str:
    return f"input {decl.predicate}({', '.join(t.text for t in decl.types)})" if decl.types else \
        f"input {decl.predicate}"


def completion(index: Index, path: Path, line: int, character: int) -> list[types.CompletionItem]:
    """What may be written at the cursor: after ``because``, the authorities; after ``?``, nothing
    (a variable is the rule's own); otherwise the keywords (the parser's own list), the declared
    inputs with their types, every other predicate, and the authorities."""
    document = index.snapshot.documents.get(path.resolve())
    lines = document.lines if document else [""]
    before = lines[line][:character] if line < len(lines) else ""
    if before.count('"') % 2 == 1 or re.search(r"\?\w*$", before) or "#" in before:
        return []
    authorities = [types.CompletionItem(label=a.name, kind=types.CompletionItemKind.Constant, detail=a.citation)
                   for a in index.statements(ast.Authority)]
    if _AFTER_BECAUSE.search(before):
        return authorities
    inputs = {decl.predicate: decl for decl in index.statements(ast.InputDecl)}
    items = [types.CompletionItem(label=word, kind=types.CompletionItemKind.Keyword) for word in KEYWORDS]
    for name, decl in sorted(inputs.items()):
        words = ", ".join(kind_in_words(t.text) for t in decl.types)
        items.append(types.CompletionItem(label=name, kind=types.CompletionItemKind.Field, detail=_declared(decl),
                                          documentation=f"a case input: {words}" if words else "a case input"))
    items.extend(types.CompletionItem(label=name, kind=types.CompletionItemKind.Function, detail="predicate")
                 for name in index.names("predicate") if name not in inputs)
    return items + authorities


def formatting(document: Document) -> list[types.TextEdit]:
    """The whole document in the canonical layout (what ``lexkb fmt`` writes), or no edit when it
    does not parse or is already formatted."""
    try:
        formatted = format_source(*parse_with_comments(document.text, str(document.path)), document.text)
    except LexkbError:
        return []
    if formatted == document.text:
        return []
    lines = document.lines
    end = types.Position(line=len(lines) - 1, character=len(lines[-1]))
    return [types.TextEdit(range=types.Range(start=types.Position(line=0, character=0), end=end),
                           new_text=formatted)]


_DID_YOU_MEAN = re.compile(r"did you mean '(\w+)'\?")


def code_actions(index: Index, path: Path, diagnostics: list[types.Diagnostic]) -> list[types.CodeAction]:
    """Quick fixes for check's hints: "did you mean 'X'?" writes X; "declare it … input" adds the
    input declaration, with the kinds of the values written, beside the knowledge base's other inputs."""
    document = index.snapshot.documents.get(path.resolve())
    if document is None:
        return []
    actions = []
    for diagnostic in diagnostics:
        hint = (diagnostic.data or {}).get("hint") if isinstance(diagnostic.data, dict) else None
        if not hint:
            continue
        start = diagnostic.range.start
        word = _WORD.match(document.lines[start.line], start.character) if start.line < len(document.lines) else None
        if word is None:
            continue
        suggested = _DID_YOU_MEAN.search(hint)
        if suggested:
            where = types.Range(start=start, end=types.Position(line=start.line, character=word.end()))
            edit = types.TextEdit(range=where, new_text=suggested.group(1))
            actions.append(_action(f"Change to '{suggested.group(1)}'", diagnostic, document.path, [edit]))
        elif hint.startswith("declare it") and "input" in hint:
            declaration = _input_for(index, path, start.line, start.character, word.group())
            target, edit = _where_inputs_go(index, document, declaration)
            actions.append(_action(f"Declare {word.group()} as an input", diagnostic, target, [edit]))
    return actions


def _action(title: str, diagnostic: types.Diagnostic, path: Path, edits: list[types.TextEdit]) -> types.CodeAction:
    return types.CodeAction(title=title, kind=types.CodeActionKind.QuickFix, diagnostics=[diagnostic],
                            is_preferred=True, edit=types.WorkspaceEdit(changes={path.as_uri(): edits}))


def _input_for(index: Index, path: Path, line: int, character: int, name: str) -> str:
    """``input NAME(kinds)``: each kind that of the value written there (a symbol for a variable)."""
    occurrence = index.at(path, line, character)
    atom = None
    if occurrence is not None:
        statement = occurrence.statement
        candidates = [statement.atom] if isinstance(statement, (ast.Fact, ast.Expect)) else []
        if isinstance(statement, ast.Rule):
            candidates = [statement.head, *ast.atoms_in(statement.condition),
                          *(a for c in statement.exceptions for a in ast.atoms_in(c))]
        atom = next((a for a in candidates if a.predicate == name and a.span.line == line + 1), None)
    if atom is None or not atom.args:
        return f"input {name}"
    kinds = [kind_of(a.value) if isinstance(a, ast.Constant) else "symbol" for a in atom.args]
    return f"input {name}({', '.join(kinds)})"


def _where_inputs_go(index: Index, document: Document, declaration: str) -> tuple[Path, types.TextEdit]:
    """After the last input declaration (of this rules file if it has one, else of the knowledge base),
    or at the top of this rules file (or the first rules file)."""
    decls: list[ast.InputDecl] = index.statements(ast.InputDecl)
    own = [d for d in decls if Path(d.span.file) == document.path]
    last = (own or decls)[-1] if own or decls else None
    if last is not None:
        position = types.Position(line=last.span.end_line, character=0)
        target = Path(last.span.file)
    else:
        position = types.Position(line=0, character=0)
        rules = index.snapshot.rules_files()
        target = document.path if not document.is_case or not rules else rules[0]
    return target, types.TextEdit(range=types.Range(start=position, end=position), new_text=declaration + "\n")
