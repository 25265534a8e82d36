"""Reading a knowledge base in the editor: hover, go to definition, references, rename, outline.

Each is a function of the knowledge base as the editor sees it (a :class:`Snapshot`'s
:class:`Index`) and a cursor, returning the protocol's own types.
"""

from __future__ import annotations

import re
from pathlib import Path

from lsprotocol import types

from lexkb.errors import Span
from lexkb.language import ast
from lexkb.language.cases import kind_in_words
from lexkb.language.format import format_atom, format_statement
from lexkb.language.parser import KEYWORDS
from lexkb.language.source import display_path
from lexkb.lsp.citations import describe_citation
from lexkb.lsp.diagnostics import to_range
from lexkb.lsp.symbols import Index, Occurrence

NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def location(span_file: str, span_range: types.Range) -> types.Location:
    return types.Location(uri=Path(span_file).as_uri(), range=span_range)


def _where(span: Span, root: Path) -> str:
    path = Path(span.file)
    shown = path.relative_to(root) if root in path.parents else path
    return f"{shown}:{span.line}"


def hover(index: Index, path: Path, line: int, character: int) -> types.Hover | None:
    """What the name under the cursor is: an authority's citation and words, a predicate's declared
    input and the rules concluding it, a rule as written, the file an include or source names."""
    occurrence = index.at(path, line, character)
    if occurrence is None:
        return None
    text = _describe(index, occurrence)
    if text is None:
        return None
    return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text),
                       range=to_range(occurrence.span))


def _describe(index: Index, occurrence: Occurrence) -> str | None:
    root = index.snapshot.root
    if occurrence.kind == "authority":
        found = [s for s in index.statements(ast.Authority) if s.name == occurrence.name]
        if not found:
            return f"authority **{occurrence.name}** — not declared"
        authority = found[0]
        parts = [f"authority **{authority.name}**", authority.citation]
        parsed = describe_citation(authority.citation)
        if parsed:
            parts.append(parsed)
        if authority.says:
            parts.append("> " + authority.says)
        return "\n\n".join(parts)
    if occurrence.kind == "predicate":
        return _describe_predicate(index, occurrence.name, root)
    if occurrence.kind == "rule":
        rule = occurrence.statement
        return f"```lexkb\n{format_statement(rule)}\n```\n\n{_where(rule.span, root)}"
    target = Path(occurrence.name)
    return f"`{display_path(target)}`" + ("" if target.exists() else " — no such file")


def _describe_predicate(index: Index, name: str, root: Path) -> str:
    parts = [f"predicate **{name}**"]
    for decl in index.statements(ast.InputDecl):
        if decl.predicate == name:
            written = f"input {name}({', '.join(t.text for t in decl.types)})" if decl.types else f"input {name}"
            words = "; ".join(f"value {i + 1}: {kind_in_words(t.text)}" for i, t in enumerate(decl.types))
            parts.append(f"a case input: `{written}`" + (f" — {words}" if words else ""))
    if any(name in (n.text for n in o.names) for o in index.statements(ast.Outcomes)):
        parts.append("a declared outcome")
    for reading in index.statements(ast.Reading):
        if reading.atom.predicate == name:
            denied = f"; denied: \u201c{reading.negative.text}\u201d" if reading.negative else ""
            parts.append(f"reads: \u201c{reading.text.text}\u201d{denied}")
    if any(name in (n.text for n in d.names) for d in index.statements(ast.InternalDecl)):
        parts.append("internal: folded into the rule that uses it; not listed by run")
    concluding = [r for r in index.statements(ast.Rule) if r.head.predicate == name]
    if concluding:
        parts.append("concluded by:\n" + "\n".join(
            f"- {r.name or 'the rule'} `{format_atom(r.head)}` ({_where(r.span, root)})" for r in concluding))
    facts = [f for f in index.statements(ast.Fact) if f.atom.predicate == name]
    if facts:
        parts.append(f"{len(facts)} fact{'s' if len(facts) != 1 else ''} in the rules")
    return "\n\n".join(parts)


def definition(index: Index, path: Path, line: int, character: int) -> list[types.Location]:
    """Where the name under the cursor is defined: an authority's or rule's declaration, a predicate's
    input declaration, the rules concluding it and the facts stating it; the file an include or source names."""
    occurrence = index.at(path, line, character)
    if occurrence is None:
        return []
    if occurrence.kind == "file":
        start = types.Position(line=0, character=0)
        return [types.Location(uri=Path(occurrence.name).as_uri(), range=types.Range(start=start, end=start))]
    return [location(o.span.file, to_range(o.span)) for o in index.definitions(occurrence.kind, occurrence.name)]


def references(index: Index, path: Path, line: int, character: int,
               include_declaration: bool = True) -> list[types.Location]:
    """Every place the name under the cursor is written, in the rules and in the cases."""
    occurrence = index.at(path, line, character)
    if occurrence is None:
        return []
    return [location(o.span.file, to_range(o.span)) for o in index.same(occurrence)
            if include_declaration or not o.definition]


def rename(index: Index, path: Path, line: int, character: int, new_name: str) -> types.WorkspaceEdit | None:
    """Rename a predicate, authority or rule everywhere it is written in the knowledge base and its cases.

    A new name must be a name of the language (a letter, then letters, digits and ``_``), not a keyword.
    """
    occurrence = index.at(path, line, character)
    if occurrence is None or occurrence.kind == "file":
        return None
    if not NAME.fullmatch(new_name) or new_name in KEYWORDS:
        raise ValueError(f"'{new_name}' is not a name: a letter, then letters, digits and _, not a keyword")
    changes: dict[str, list[types.TextEdit]] = {}
    for o in index.same(occurrence):
        changes.setdefault(Path(o.span.file).as_uri(), []).append(
            types.TextEdit(range=to_range(o.span), new_text=new_name))
    return types.WorkspaceEdit(changes=changes)


_SYMBOL_KINDS: dict[type, types.SymbolKind] = {
    ast.Authority: types.SymbolKind.Constant, ast.Rule: types.SymbolKind.Function,
    ast.Fact: types.SymbolKind.Variable, ast.InputDecl: types.SymbolKind.Interface,
    ast.Outcomes: types.SymbolKind.Enum, ast.Include: types.SymbolKind.File,
    ast.CaseDecl: types.SymbolKind.Class, ast.SourceDecl: types.SymbolKind.File, ast.Expect: types.SymbolKind.Event,
}


def _symbol_name(statement: ast.Statement) -> tuple[str, str]:
    """The outline's name and detail for a statement."""
    if isinstance(statement, ast.Authority):
        return statement.name, statement.citation
    if isinstance(statement, ast.Rule):
        return statement.name or format_atom(statement.head), format_atom(statement.head)
    if isinstance(statement, ast.Fact):
        return format_atom(statement.atom), "fact"
    if isinstance(statement, ast.InputDecl):
        return statement.predicate, "input " + ", ".join(t.text for t in statement.types)
    if isinstance(statement, ast.Outcomes):
        return "outcomes", ", ".join(n.text for n in statement.names)
    if isinstance(statement, (ast.Include, ast.SourceDecl)):
        return statement.path, "include" if isinstance(statement, ast.Include) else "source"
    if isinstance(statement, ast.CaseDecl):
        return statement.name, statement.citation or "case"
    if isinstance(statement, ast.Reading):
        return format_atom(statement.atom), "reads " + statement.text.text
    if isinstance(statement, ast.InternalDecl):
        return "internal", ", ".join(n.text for n in statement.names)
    return ("expect not " if statement.negated else "expect ") + format_atom(statement.atom), "expect"


def document_symbols(index: Index, path: Path) -> list[types.DocumentSymbol]:
    """The outline of one document: each statement, named as an analyst would look for it."""
    document = index.snapshot.documents.get(path.resolve())
    if document is None or document.module is None:
        return []
    symbols = []
    for statement in document.module.statements:
        name, detail = _symbol_name(statement)
        whole = to_range(statement.span)
        symbols.append(types.DocumentSymbol(name=name, detail=detail, kind=_SYMBOL_KINDS[type(statement)],
                                            range=whole, selection_range=whole))
    return symbols
