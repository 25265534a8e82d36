"""Files, folders and includes: from paths on disk to parsed modules.

The text of every file read is kept by a :class:`Sources` that belongs to what
was loaded — a knowledge base, a case — never by the module: two knowledge
bases loaded from different texts under the same file name each show their
own lines in error messages, and a batch worker drops a case's text with the case.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from lexkb.errors import LexkbError, SourceError, Span
from lexkb.language import ast
from lexkb.language.parser import ground_atom, parse
from lexkb.limits import MAX_FILE_BYTES
from lexkb.values import Value


class Sources(Mapping[str, str]):
    """File texts by name as displayed (the ``file`` of every :class:`Span` into them).

    Filled while loading (:meth:`read`, :meth:`add`); afterwards it answers
    "what does this line say?" for error messages and directives in comments.
    """

    def __init__(self, texts: Mapping[str, str] | None = None) -> None:
        self._texts: dict[str, str] = dict(texts or {})

    def __getitem__(self, name: str) -> str:
        return self._texts[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._texts)

    def __len__(self) -> int:
        return len(self._texts)

    def __repr__(self) -> str:
        return f"Sources({sorted(self._texts)})"

    def add(self, name: str, text: str) -> None:
        """Keep the text of an in-memory source (a string of rules, an atom typed on the command line)."""
        self._texts[name] = text

    def read(self, path: Path, name: str, span: Span | None = None) -> str:
        """Read a file (see :func:`read_text`) and keep its text under ``name``; a file read before is not re-read."""
        if name not in self._texts:
            self._texts[name] = read_text(path, name, span)
        return self._texts[name]

    def line(self, span: Span | None) -> str | None:
        """The text of the line a span starts on, or None when the span is not in these sources."""
        if span is None or span.file not in self._texts:
            return None
        return _line(self._texts[span.file], span.line)

    def locate(self, error: LexkbError) -> None:
        """Give an error the text of its line, if it lacks it and these sources hold it."""
        if error.line is None:
            error.line = self.line(error.span)

    @contextmanager
    def locating(self) -> Iterator[None]:
        """Any LexkbError raised inside the block leaves it carrying its line (see :meth:`locate`)."""
        try:
            yield
        except LexkbError as error:
            self.locate(error)
            raise


def _line(text: str, number: int) -> str | None:
    lines = text.splitlines()
    return lines[number - 1] if 0 < number <= len(lines) else None


def display_path(path: Path) -> str:
    """A path as the user would write it: relative to the working directory when inside it.

    A byte of the name that is not UTF-8 is shown as ``\\xff``: the name is printed in
    messages and written into JSON, HTML and SVG, which take only real text.
    """
    try:
        rel = os.path.relpath(path)
    except ValueError:
        rel = ".."
    shown = str(path) if rel.startswith("..") else rel
    return shown.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def read_text(path: Path, name: str, span: Span | None = None) -> str:
    """The UTF-8 text of a file (a byte-order mark dropped), or a SourceError that says why it can't be read.

    ``span`` is where the file was named (an include, a case's source line), to locate the error;
    a file that is not UTF-8 is an error located at its first bad byte. Only a regular file of at
    most ``MAX_FILE_BYTES`` is read: a device (``/dev/zero``) or a FIFO would never end.
    """
    try:
        data = _read_regular_file(path, name, span)
    except FileNotFoundError:
        raise SourceError(f"no such file: {name}", span) from None
    except IsADirectoryError:
        raise SourceError(f"{name} is a folder, not a file", span) from None
    except OSError as error:
        raise SourceError(f"cannot read {name}: {error.strerror}", span) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        before = data[: error.start]
        line = before.count(b"\n") + 1
        column = error.start - (before.rfind(b"\n") + 1) + 1
        raise SourceError(
            f"this file is not UTF-8 text (byte 0x{data[error.start]:02x} cannot be read)",
            Span(name, line, column, line, column + 1),
            hint="save the file with UTF-8 encoding",
            line=_line(data.decode("utf-8", errors="replace"), line),  # shown with its bad byte replaced
        ) from None
    return text.removeprefix("\ufeff")


def _read_regular_file(path: Path, name: str, span: Span | None) -> bytes:
    """The bytes of a regular file within the file size limit (:mod:`lexkb.limits`); OSError as reading raises it."""
    with open(path, "rb", opener=_open_without_blocking) as handle:
        status = os.fstat(handle.fileno())
        if stat.S_ISDIR(status.st_mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))
        if not stat.S_ISREG(status.st_mode):
            raise SourceError(f"{name} is not a regular file (a device, FIFO or socket); lexkb reads only files",
                              span)
        data = handle.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise SourceError(f"{name} is larger than {MAX_FILE_BYTES:,} bytes, the most lexkb reads", span,
                          hint="raise the limit with LEXKB_MAX_FILE_BYTES (docs/cli.md, Limits)")
    return data


def _open_without_blocking(path: str, flags: int) -> int:
    """Opening a FIFO for reading waits for a writer; with O_NONBLOCK it returns at once, to be refused."""
    return os.open(path, flags | getattr(os, "O_NONBLOCK", 0))


def holds_cases(folder: Path) -> bool:
    """Whether a folder names cases rather than rules: ``.case`` files below it and no ``.rules`` files."""
    return not any(folder.rglob("*.rules")) and any(folder.rglob("*.case"))


def expand(paths: Iterable[str | Path], suffix: str | tuple[str, ...] = ".rules") -> list[Path]:
    """Files named directly, and every ``*{suffix}`` below each folder (sub-folders included), sorted.

    The one way lexkb turns folders into files, for rules and for cases alike
    (``lexkb fmt`` asks for both suffixes at once).
    """
    suffixes = (suffix,) if isinstance(suffix, str) else suffix
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.name.endswith(suffixes) and p.is_file())
            if not found:
                raise SourceError(f"no {' or '.join(suffixes)} files in the folder {display_path(path)}")
            files.extend(found)
        elif path.exists():
            files.append(path)
        else:
            raise SourceError(f"no such file or folder: {raw}")
    return files


def load_modules(paths: Iterable[str | Path], sources: Sources) -> list[ast.Module]:
    """Parse every rules file named or found below a folder, following includes; keep their texts in ``sources``.

    A file reached twice (by the folder walk and an include) is loaded once;
    an include cycle is an error naming the chain. An error leaves carrying
    the line it points at.
    """
    modules: list[ast.Module] = []
    seen: set[Path] = set()

    def visit(path: Path, chain: tuple[Path, ...], span: Span | None) -> None:
        try:
            resolved = path.resolve()
        except RuntimeError:  # Python 3.11 says so for a symbolic link that leads back to itself
            raise SourceError(f"cannot read {display_path(path)}: its symbolic links form a loop", span) from None
        if resolved in chain:
            names = " → ".join(display_path(p) for p in (*chain[chain.index(resolved):], resolved))
            raise SourceError(f"include cycle: {names}", span, hint="remove one of these includes")
        if resolved in seen:
            return
        seen.add(resolved)
        name = display_path(path)
        module = parse(sources.read(path, name, span), name)
        modules.append(module)
        for statement in module.statements:
            if isinstance(statement, ast.Include):
                visit(path.parent / statement.path, (*chain, resolved), statement.span)

    with sources.locating():
        for file in expand(paths):
            visit(file, (), None)
    return modules


def load_text(text: str, name: str, sources: Sources) -> ast.Module:
    """Parse rules given as a string (includes are not followed); keep the text in ``sources``."""
    sources.add(name, text)
    with sources.locating():
        return parse(text, name)


def read_atom(text: str, name: str = "<atom>") -> tuple[str, tuple[Value, ...]]:
    """The predicate and values of a ground atom typed by a user (the CLI, the API),
    e.g. ``"reduction_floor_months(108)"``; an error in it carries the text, to be shown with a caret."""
    with Sources({name: text}).locating():
        return ground_atom(text, name)
