"""Shared pieces of the commands: error formatting, KB and case loading, atomic output."""

from __future__ import annotations

import contextlib
import glob
import json
import math
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, NoReturn

import click

from lexkb.api import KnowledgeBase, bundled_kb, load
from lexkb.errors import LexkbError, Span
from lexkb.evaluate.engine import DEFAULT_FACT_LIMIT

EXIT_FINDING, EXIT_USAGE = 1, 2  # and 0 for success


_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff"
                          "\ud800-\udfff]")
"""Characters a terminal acts on or hides: controls (not tab or newline), C1 controls, bidi and zero-width marks."""


def printable(text: str) -> str:
    """Text from a file, safe to show on a terminal: each control or invisible character written as an escape.

    ``\x1b[2J`` (clear the screen) or a title-setting sequence in a rule or
    case file is shown as ``\x1b[2J``, never obeyed. Every message and text
    output of the CLI passes through here.
    """
    return _UNPRINTABLE.sub(_escape, text)


def one_line(text: str) -> str:
    """Text from a file shown within one line of output: its line breaks too written as ``\\n``.

    A case's citation holding ``\\nOutcome: grant`` cannot forge a line of ``run``'s report.
    """
    return printable(text).replace("\n", "\\n")


def text_lines(lines: Iterable[str]) -> str:
    """The lines of a text report, joined: each shown through :func:`one_line`.

    A line break inside a line (a quote, a reading, a file name, a saved rule
    name holding ``\\n``) is written as ``\\n``: no file can forge a line such
    as ``Outcome: grant`` or ``PASS``. A block of several lines is passed as
    its lines (``block.splitlines()``).
    """
    return "\n".join(one_line(line) for line in lines)


def json_text(data: object) -> str:
    """JSON for standard output, as ``json.dumps`` writes it (indented, UTF-8), with the characters
    :func:`printable` escapes written as ``\\uXXXX``: the same JSON value, nothing a terminal acts on.

    ``json.dumps`` already escapes C0 controls; C1 controls (``\\x9b`` starts a
    sequence on some terminals), bidi marks and a file name's undecodable
    bytes (lone surrogates, which could not even be written as UTF-8) are left
    to here. They only occur inside strings, where ``\\u`` is always valid.
    """
    return _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(data, indent=2, ensure_ascii=False))


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def format_location(span: Span | None, message: str, hint: str | None = None, severity: str = "error",
                    line: str | None = None) -> str:
    """`file:line:col: error: message`, the line (when given), a caret under the span, and the hint.

    ``line`` is the text of the span's first line: an error carries it (:attr:`LexkbError.line`);
    for a finding, the caller takes it from the sources of the case or the knowledge base.
    """
    message, hint = one_line(message), hint and one_line(hint)  # a quote's line break cannot start a line
    if span is None:
        out = f"{severity}: {message}"
        return out + (f"\n  hint: {hint}" if hint else "")
    lines = [f"{one_line(span.file)}:{span.line}:{span.column}: {severity}: {message}"]
    if line is not None:
        gutter = f"{span.line:>4} | "
        width = span.end_column - span.column if span.end_line == span.line else len(line) - span.column + 1
        width = max(1, min(width, len(line) - span.column + 1))
        line, start = _window(line.expandtabs(1), span.column - 1)
        width = min(width, len(line) - start) if len(line) > start else 1
        before, marked = printable(line[:start]), printable(line[start:start + width])
        lines.append(gutter + printable(line))
        lines.append(" " * (len(gutter) - 2) + "| " + " " * len(before) + "^" * max(1, len(marked)))
    if hint:
        lines.append(f"  hint: {hint}")
    return "\n".join(lines)


WHOLE_LINE, SHOWN_LINE = 240, 120
"""A line under an error is shown whole up to WHOLE_LINE characters, else SHOWN_LINE of them around the caret:
a 6 MB line of facts is not printed whole."""


def _window(line: str, start: int) -> tuple[str, int]:
    """The part of ``line`` shown under an error (``…`` where it is cut) and where ``start`` falls in it."""
    if len(line) <= WHOLE_LINE:
        return line, start
    first = max(0, min(start - SHOWN_LINE // 3, len(line) - SHOWN_LINE))
    last = first + SHOWN_LINE
    prefix = "\u2026" if first else ""
    return prefix + line[first:last] + ("\u2026" if last < len(line) else ""), start - first + len(prefix)


def format_error(error: LexkbError) -> str:
    return format_location(error.span, error.message, error.hint, line=error.line)


def output_failed(error: OSError) -> NoReturn:
    """Writing failed (standard output on a full disk, a closed pipe): a plain message, exit 2, no traceback.

    Standard output is pointed at the null device first, so the text still
    buffered cannot fail a second time when Python flushes it on the way out.
    """
    _discard_stdout()
    if not isinstance(error, BrokenPipeError):  # the reader stopped reading (`| head`): nothing to say
        where = printable(error.filename) if isinstance(error.filename, str) else "the output"
        click.echo(f"error: cannot write {where}: {error.strerror or error}", err=True)
    sys.exit(EXIT_USAGE)


def flush_output() -> None:
    """Flush standard output while a failure can still be reported (see :func:`output_failed`)."""
    if sys.stdout is None or sys.stdout.closed:  # the language server closes it on exit
        return
    try:
        sys.stdout.flush()
    except OSError as error:
        output_failed(error)


def _discard_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # no file descriptor behind it (tests capture into memory)
        pass


def kb_paths_argument(function):  # type: ignore[no-untyped-def]
    return click.argument("kb_paths", nargs=-1, required=True, type=click.Path(), metavar="KB_PATHS...")(function)


def max_facts_option(function):  # type: ignore[no-untyped-def]
    return click.option("--max-facts", type=click.IntRange(min=1), default=DEFAULT_FACT_LIMIT, show_default=True,
                        help="Stop with an error when evaluation produces more facts than this "
                             "(guards against runaway arithmetic).")(function)


class Seconds(click.FloatRange):
    """A time budget in seconds: a finite number of at least ``min`` (click's FloatRange lets ``nan`` and
    ``inf`` through, and a budget of nan would never run out)."""

    name = "number of seconds"

    def __init__(self, min: float) -> None:
        super().__init__(min=min)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        seconds = float(super().convert(value, param, ctx))
        if not math.isfinite(seconds):
            self.fail(f"{value} is not a number of seconds", param, ctx)
        return seconds


BUNDLED = ":bundled"


def load_kb(paths: Sequence[str], max_facts: int = DEFAULT_FACT_LIMIT) -> KnowledgeBase:
    """Load the knowledge base named on the command line; ``:bundled`` is the one lexkb ships."""
    if not paths:
        raise click.UsageError("name at least one .rules file or folder")
    return load([kb_path(p) for p in paths], fact_limit=max_facts)


def kb_path(path: str) -> str:
    """A knowledge-base path as named on the command line, ``:bundled`` being the folder lexkb ships."""
    return str(bundled_kb()) if path == BUNDLED else path


@contextmanager
def status_line(command: str) -> Iterator[Callable[[str], None]]:
    """What a long command is doing, on standard error while it works, when that is a terminal.

    A spinner, ``command: message`` and the time elapsed (rich, redrawn as the
    message changes and every tenth of a second so the clock moves during one
    long solver call or drawing), erased when the block ends: nothing is left
    between the command's output lines. Not a terminal (a pipe, a file, the
    tests): nothing at all, so output stays byte-identical. Messages may name
    files and rules, so they are shown through :func:`one_line`, and rich's
    markup in them (``[bold]``) is shown, not obeyed.
    """
    if not sys.stderr.isatty():
        yield lambda message: None
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True, refresh_per_second=10,
                  redirect_stdout=False, redirect_stderr=False) as progress:
        task = progress.add_task(escape(f"{command}: starting"), total=None)
        yield lambda message: progress.update(task, description=escape(one_line(f"{command}: {message}")),
                                              refresh=True)


READ_FROM_FOLDERS = (".rules", ".case")  # what a folder named as an input is read for


@contextmanager
def atomic_file(path: str, mode: str = "wb", inputs: Sequence[str] = ()) -> Iterator[IO]:
    """A file that appears at ``path`` only when the block succeeds: a temporary file beside it,
    renamed over it at the end, removed on any error. Never a half-written file.

    Every command's output goes through here, so the rules for ``-o`` are in one place:
    ``path`` may not be one of the command's ``inputs`` (nor a .rules/.case file inside an
    input folder); a symlink is followed and its target written atomically (the link stays
    a link); a device or FIFO is written through, as a shell's ``>`` would; a folder that
    cannot be written is a plain error, not a traceback.
    """
    target = Path(os.path.realpath(path))
    for given in inputs:
        source = Path(os.path.realpath(given))
        if target == source or (source.is_dir() and source in target.parents and target.suffix in READ_FROM_FOLDERS):
            raise LexkbError(f"refusing to write {path}: it is one of this command's inputs ({given})")
    if target.exists() and not target.is_file() and not target.is_dir():
        with open(target, mode, encoding=None if "b" in mode else "utf-8") as through:  # a device or FIFO
            yield through
        return
    directory = target.parent
    if not directory.is_dir():
        shown = Path(path).parent if not Path(path).is_symlink() else directory  # as the user wrote it
        raise LexkbError(f"cannot write {path}: the folder {shown} does not exist")
    _remove_stale_partials(target)
    try:
        fd, temp = tempfile.mkstemp(prefix=_partial_prefix(target, os.getpid()), dir=directory)
    except OSError as error:  # PermissionError, NotADirectoryError, a read-only file system…
        raise LexkbError(f"cannot write {path}: {error.strerror or error}") from None
    try:
        text = "b" not in mode
        with os.fdopen(fd, mode, encoding="utf-8" if text else None, newline="" if text else None) as handle:
            yield handle
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temp, 0o666 & ~umask)  # mkstemp makes 0600; a written file gets the usual mode
        os.replace(temp, target)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise


def _partial_prefix(target: Path, pid: int) -> str:
    """The name of a partial output while it is written: hidden, beside its target, and naming
    the process writing it, so that one left by a killed run (kill -9 cannot be caught) is
    recognisable and removed by the next run writing the same file."""
    return f".{target.name}.lexkb-partial-{pid}-"


def _remove_stale_partials(target: Path) -> None:
    for partial in target.parent.glob(f".{glob.escape(target.name)}.lexkb-partial-*"):
        pid = partial.name[len(f".{target.name}.lexkb-partial-"):].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            with contextlib.suppress(OSError):
                partial.unlink()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def write_atomically(path: str, data: bytes, inputs: Sequence[str] = ()) -> None:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_file`), never over one of ``inputs``."""
    with atomic_file(path, inputs=inputs) as handle:
        handle.write(data)
