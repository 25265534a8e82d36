"""Every name written in a knowledge base, where it is written, and whether that place defines it.

Go to definition, find references, rename, hover and document highlights all start
from the name under the cursor: one :class:`Occurrence` list, built from the AST (so a
symbol value that happens to share a predicate's name is never mistaken for it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from lexkb.errors import Span
from lexkb.language import ast
from lexkb.lsp.workspace import Document, Snapshot

Kind = Literal["predicate", "authority", "rule", "file"]


@dataclass(frozen=True)
class Occurrence:
    """A name as written: ``span`` covers the name alone (for a file, the whole statement naming it)."""

    kind: Kind
    name: str  # for a file: its resolved path
    span: Span  # its ``file`` is the document's absolute path
    definition: bool
    statement: ast.Statement


def _offset(lines: list[str], line: int, column: int) -> int:
    return sum(len(text) + 1 for text in lines[: line - 1]) + column - 1


def name_span(document: Document, within: Span, name: str) -> Span:
    """Where ``name`` is first written as a whole word inside a statement (after its keyword)."""
    lines = document.lines
    start = _offset(lines, within.line, within.column)
    found = re.compile(rf"(?<![\w?]){re.escape(name)}(?!\w)").search(document.text, start)
    if found is None:
        return within
    line = document.text.count("\n", 0, found.start()) + 1
    column = found.start() - (document.text.rfind("\n", 0, found.start()) + 1) + 1
    return Span(within.file, line, column, line, column + len(name))


def _atom(atom: ast.Atom, definition: bool, statement: ast.Statement) -> Occurrence:
    span = atom.span
    return Occurrence("predicate", atom.predicate,
                      Span(span.file, span.line, span.column, span.line, span.column + len(atom.predicate)),
                      definition, statement)


def document_occurrences(document: Document) -> list[Occurrence]:
    """The names written in one parsed document, in reading order."""
    out: list[Occurrence] = []
    for statement in document.module.statements if document.module else ():
        if isinstance(statement, ast.Authority):
            out.append(Occurrence("authority", statement.name, name_span(document, statement.span, statement.name),
                                  True, statement))
        elif isinstance(statement, ast.Rule):
            if statement.name:
                out.append(Occurrence("rule", statement.name, name_span(document, statement.span, statement.name),
                                      True, statement))
            out.append(_atom(statement.head, True, statement))
            for condition in (statement.condition, *statement.exceptions):
                out.extend(_atom(atom, False, statement) for atom in ast.atoms_in(condition))
            out.extend(Occurrence("authority", ref.text, ref.span, False, statement) for ref in statement.authorities)
        elif isinstance(statement, ast.Fact):
            out.append(_atom(statement.atom, not document.is_case, statement))
        elif isinstance(statement, ast.Expect):
            out.append(_atom(statement.atom, False, statement))
        elif isinstance(statement, ast.InputDecl):
            out.append(Occurrence("predicate", statement.predicate,
                                  name_span(document, statement.span, statement.predicate), True, statement))
        elif isinstance(statement, ast.Outcomes):
            out.extend(Occurrence("predicate", n.text, n.span, False, statement) for n in statement.names)
        elif isinstance(statement, ast.Reading):
            out.append(_atom(statement.atom, False, statement))
        elif isinstance(statement, ast.InternalDecl):
            out.extend(Occurrence("predicate", n.text, n.span, False, statement) for n in statement.names)
        elif isinstance(statement, (ast.Include, ast.SourceDecl)):
            target = str((document.path.parent / statement.path).resolve())
            out.append(Occurrence("file", target, statement.span, False, statement))
    return out


class Index:
    """The occurrences of every document of a snapshot."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.occurrences = [o for document, _ in snapshot.parsed() for o in document_occurrences(document)]

    def at(self, path: Path, line: int, character: int) -> Occurrence | None:
        """The occurrence under a cursor (0-based line and character, as the editor counts them)."""
        file, line, column = str(path.resolve()), line + 1, character + 1
        for occurrence in self.occurrences:
            span = occurrence.span
            if span.file != file or not span.line <= line <= span.end_line:
                continue
            if (line, column) >= (span.line, span.column) and (line, column) <= (span.end_line, span.end_column):
                return occurrence
        return None

    def same(self, occurrence: Occurrence) -> list[Occurrence]:
        """Every occurrence of the same name of the same kind."""
        return [o for o in self.occurrences if o.kind == occurrence.kind and o.name == occurrence.name]

    def definitions(self, kind: Kind, name: str) -> list[Occurrence]:
        return [o for o in self.occurrences if o.kind == kind and o.name == name and o.definition]

    def names(self, kind: Kind) -> list[str]:
        return sorted({o.name for o in self.occurrences if o.kind == kind})

    def statements(self, kind: type) -> list:  # type: ignore[type-arg]
        """Every statement of one AST class in the knowledge base's rules files."""
        return [s for module in self.snapshot.rules_modules() for s in module.statements if isinstance(s, kind)]
