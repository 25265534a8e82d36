"""The pygls adapter: protocol messages in, the plain functions of this package called, results out.

Nothing is decided here: each handler turns a document URI into a path, brings the
editor's text into the :class:`Workspace`, and hands the cursor to a function of
``diagnostics``, ``navigation`` or ``editing``.
"""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from lexkb.lsp import editing, navigation
from lexkb.lsp.diagnostics import diagnose
from lexkb.lsp.symbols import Index
from lexkb.lsp.workspace import Workspace
from lexkb.version import __version__


def _path(uri: str) -> Path:
    return Path(to_fs_path(uri) or uri).resolve()


def build_server() -> LanguageServer:
    """A language server for ``.rules`` and ``.case`` files, ready for ``start_io()``."""
    server = LanguageServer("lexkb", __version__)
    state = Workspace()

    def sync(uri: str) -> Path:
        path = _path(uri)
        state.set_text(path, server.workspace.get_text_document(uri).source)
        return path

    def publish(uri: str, path: Path) -> None:
        for file, diagnostics in diagnose(state, path).items():
            server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
                uri=uri if file == path else file.as_uri(), diagnostics=diagnostics))

    def index(uri: str) -> tuple[Index, Path]:
        path = _path(uri)
        return Index(state.snapshot(path)), path

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(params: types.DidOpenTextDocumentParams) -> None:
        publish(params.text_document.uri, sync(params.text_document.uri))

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(params: types.DidChangeTextDocumentParams) -> None:
        publish(params.text_document.uri, sync(params.text_document.uri))

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(params: types.DidSaveTextDocumentParams) -> None:
        publish(params.text_document.uri, _path(params.text_document.uri))

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(params: types.DidCloseTextDocumentParams) -> None:
        state.close(_path(params.text_document.uri))

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(params: types.HoverParams) -> types.Hover | None:
        found, path = index(params.text_document.uri)
        return navigation.hover(found, path, params.position.line, params.position.character)

    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    def definition(params: types.DefinitionParams) -> list[types.Location]:
        found, path = index(params.text_document.uri)
        return navigation.definition(found, path, params.position.line, params.position.character)

    @server.feature(types.TEXT_DOCUMENT_REFERENCES)
    def references(params: types.ReferenceParams) -> list[types.Location]:
        found, path = index(params.text_document.uri)
        return navigation.references(found, path, params.position.line, params.position.character,
                                     params.context.include_declaration)

    @server.feature(types.TEXT_DOCUMENT_RENAME)
    def rename(params: types.RenameParams) -> types.WorkspaceEdit | None:
        found, path = index(params.text_document.uri)
        return navigation.rename(found, path, params.position.line, params.position.character, params.new_name)

    @server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    def document_symbol(params: types.DocumentSymbolParams) -> list[types.DocumentSymbol]:
        found, path = index(params.text_document.uri)
        return navigation.document_symbols(found, path)

    @server.feature(types.TEXT_DOCUMENT_COMPLETION)
    def completion(params: types.CompletionParams) -> types.CompletionList:
        found, path = index(params.text_document.uri)
        items = editing.completion(found, path, params.position.line, params.position.character)
        return types.CompletionList(is_incomplete=False, items=items)

    @server.feature(types.TEXT_DOCUMENT_FORMATTING)
    def formatting(params: types.DocumentFormattingParams) -> list[types.TextEdit]:
        document = state.document(_path(params.text_document.uri))
        return editing.formatting(document) if document else []

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION,
                    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]))
    def code_action(params: types.CodeActionParams) -> list[types.CodeAction]:
        found, path = index(params.text_document.uri)
        return editing.code_actions(found, path, list(params.context.diagnostics))

    return server
