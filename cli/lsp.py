"""`lexkb lsp`: the language server, for editors (docs/editor.md)."""

from __future__ import annotations

import click


@click.command("lsp")
def lsp_command() -> None:
    """Run the language server over standard input and output (for editors).

    \b
    An editor starts it; it is not meant to be typed. It reports what
    `lexkb check` reports while you type, and offers hover, go to definition,
    references, rename, completion, outline, formatting and quick fixes for
    .rules and .case files. Setting up VS Code, Neovim, Emacs or Helix:
    docs/editor.md.
    """
    from lexkb.lsp.server import build_server

    build_server().start_io()
