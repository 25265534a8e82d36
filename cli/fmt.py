"""`lexkb fmt`: rewrite rules and case files in the canonical layout, every comment kept."""

from __future__ import annotations

from pathlib import Path

import click

from lexkb.errors import plural
from lexkb.language.format import format_source
from lexkb.language.parser import parse_with_comments
from lexkb.language.source import Sources, display_path, expand

from .common import EXIT_FINDING, one_line, write_atomically

SUFFIXES = (".rules", ".case")


@click.command("fmt")
@click.argument("paths", nargs=-1, required=True, type=click.Path(), metavar="PATHS...")
@click.option("--check", is_flag=True,
              help="Write nothing: list the files that would change and exit 1 if there are any.")
def fmt_command(paths: tuple[str, ...], check: bool) -> None:
    """Rewrite .rules and .case files in the canonical layout, every comment kept.

    \b
    PATHS are files or folders (every *.rules and *.case below a folder).
    Example:
      lexkb fmt kb
      lexkb fmt --check kb        in CI: exit 1 if a file is not formatted

    One statement per line (a long rule wrapped at its top-level and/or), a
    comment stays where it was, a blank line where the author left one or more.
    Formatting twice changes nothing, and the rules mean what they meant.
    Every file is read first: if one cannot be read, none is written.
    """
    files = list(dict.fromkeys(expand(paths, SUFFIXES)))  # a file named twice is formatted once
    changed = _reformatted(files)
    unchanged = len(files) - len(changed)
    if check:
        for file, _ in changed:
            click.echo(one_line(f"would reformat {display_path(file)}"))  # a file name may hold anything
        click.echo(f"{plural(len(changed), 'file')} would be reformatted, {unchanged} already formatted")
        if changed:
            raise SystemExit(EXIT_FINDING)
        return
    for file, data in changed:
        write_atomically(str(file), data)
        click.echo(one_line(f"reformatted {display_path(file)}"))
    click.echo(f"{plural(len(changed), 'file')} reformatted, {unchanged} left unchanged")


def _reformatted(files: list[Path]) -> list[tuple[Path, bytes]]:
    """The files whose formatted text differs from what is on disk, with that text.

    All are parsed before any is written: a syntax error anywhere leaves every file as it was.
    """
    out: list[tuple[Path, bytes]] = []
    sources = Sources()
    with sources.locating():
        for file in files:
            name = display_path(file)
            text = sources.read(file, name)
            module, comments = parse_with_comments(text, name)
            formatted = format_source(module, comments, text).encode("utf-8")
            if formatted != file.read_bytes():  # a byte-order mark or CRLF line ends count as a change
                out.append((file, formatted))
    return out
