"""The language server (`lexkb lsp`): editor features over the same parser, checks and printer.

``workspace`` finds a document's knowledge base and reads it with the editor's unsaved
texts; ``symbols`` indexes every name written in it; ``diagnostics``, ``navigation`` and
``editing`` answer the editor's requests as plain functions of (texts, position), so
they are tested without an editor; ``server`` is the thin pygls adapter.
"""
