"""Which knowledge base a document belongs to, read with the texts the editor has not saved yet.

A knowledge base is a folder of ``.rules`` files (sub-folders included, as ``lexkb check
FOLDER`` reads it). A document belongs to the nearest folder holding ``.rules`` files —
for a ``.case`` file in ``kb/cases/``, that is ``kb/`` — and then to the highest folder
above it that still holds ``.rules`` files directly, so that ``kb/ussg/table.rules`` is
read with the rest of ``kb/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from lexkb.errors import LexkbError, SourceError
from lexkb.language import ast
from lexkb.language.parser import parse
from lexkb.language.source import expand, read_text

SUFFIXES = (".rules", ".case")


def _holds_rules(folder: Path) -> bool:
    return any(p.is_file() for p in folder.glob("*.rules"))


def kb_root(path: Path) -> Path:
    """The folder of the knowledge base a ``.rules`` or ``.case`` file belongs to (see the module's doc)."""
    folder = path.parent
    start = next((f for f in (folder, *folder.parents) if _holds_rules(f)), folder)
    root = start
    while root.parent != root and _holds_rules(root.parent):
        root = root.parent
    return root


@dataclass(frozen=True)
class Document:
    """One file as the editor sees it: its text, and its statements when it parses."""

    path: Path
    text: str
    module: ast.Module | None
    error: LexkbError | None  # why it does not parse
    last_parsed: ast.Module | None = None  # while it does not, its last text that did: names to complete

    @property
    def is_case(self) -> bool:
        return self.path.suffix == ".case"

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")


class Workspace:
    """The documents the editor has open (their unsaved texts win over the disk) and a parse cache."""

    def __init__(self) -> None:
        self.open: dict[Path, str] = {}
        self._parsed: dict[Path, Document] = {}

    def set_text(self, path: Path, text: str) -> None:
        self.open[path.resolve()] = text

    def close(self, path: Path) -> None:
        self.open.pop(path.resolve(), None)

    def document(self, path: Path) -> Document | None:
        """The file parsed (each text once), or None when it cannot be read."""
        path = path.resolve()
        text = self.open.get(path)
        if text is None:
            try:
                text = read_text(path, str(path))
            except SourceError:
                return None
        cached = self._parsed.get(path)
        if cached is not None and cached.text == text:
            return cached
        try:
            document = Document(path, text, parse(text, str(path)), None)
        except LexkbError as error:
            document = Document(path, text, None, error, cached.module or cached.last_parsed if cached else None)
        self._parsed[path] = document
        return document

    def snapshot(self, path: Path) -> Snapshot:
        """Every rules and case file of the knowledge base ``path`` belongs to, each parsed if it can be."""
        path = path.resolve()
        root = kb_root(path)
        files = dict.fromkeys([path, *(p for p in self.open if root in p.parents)])
        try:
            files.update(dict.fromkeys(p.resolve() for p in expand([root], SUFFIXES)))
        except SourceError:
            pass  # a new file in a folder of its own
        documents: dict[Path, Document] = {}
        pending = list(files)
        while pending:
            file = pending.pop(0)
            if file in documents:
                continue
            document = self.document(file)
            if document is None:
                continue
            documents[file] = document
            for statement in document.module.statements if document.module else ():
                if isinstance(statement, ast.Include):
                    pending.append((file.parent / statement.path).resolve())
        return Snapshot(root, path, documents)


@dataclass(frozen=True)
class Snapshot:
    """A knowledge base (and the cases below its folder) as the editor sees it now."""

    root: Path
    focus: Path  # the document the request is about
    documents: dict[Path, Document]

    @property
    def current(self) -> Document:
        return self.documents[self.focus]

    def parsed(self) -> Iterator[tuple[Document, ast.Module]]:
        """The documents that parse, with their statements (whose spans are where the text is now)."""
        for document in self.documents.values():
            if document.module is not None:
                yield document, document.module

    def rules_modules(self) -> list[ast.Module]:
        """The statements of every rules file; for one being typed that does not parse yet, those
        of its last text that did (what was declared is still worth offering)."""
        modules = (d.module or d.last_parsed for d in self.documents.values() if not d.is_case)
        return [module for module in modules if module is not None]

    def rules_files(self) -> list[Path]:
        return [path for path in self.documents if path.suffix == ".rules"]
