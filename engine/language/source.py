"""Files, folders and includes: from paths on disk to parsed modules.

Also keeps the text of every file read, so that an error's span can be shown
with its line (see :func:`line_text`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from lexkb.errors import SourceError, Span
from lexkb.language import ast
from lexkb.language.parser import parse

_TEXTS: dict[str, str] = {}


def display_path(path: Path) -> str:
    """A path as the user would write it: relative to the working directory when inside it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if rel.startswith("..") else rel


def read_text(path: Path, name: str, span: Span | None = None) -> str:
    """The UTF-8 text of a file, or a SourceError that says why it can't be read."""
    try:
        data = path.read_bytes()
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
        _TEXTS[name] = data.decode("utf-8", errors="replace")
        raise SourceError(
            f"this file is not UTF-8 text (byte 0x{data[error.start]:02x} cannot be read)",
            Span(name, line, column, line, column + 1),
            hint="save the file with UTF-8 encoding",
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    _TEXTS[name] = text
    return text


def remember(name: str, text: str) -> None:
    """Record the text of an in-memory source so errors in it can be shown."""
    _TEXTS[name] = text


def forget(name: str) -> None:
    """Drop the remembered text of a file (long batch runs read many case files)."""
    _TEXTS.pop(name, None)


def line_text(file: str, line: int) -> str | None:
    """The text of one line of a file read earlier (for error messages)."""
    text = _TEXTS.get(file)
    if text is None:
        return None
    lines = text.splitlines()
    return lines[line - 1] if 0 < line <= len(lines) else None


def expand(paths: Iterable[str | Path], suffix: str = ".rules") -> list[Path]:
    """Files named directly, and every ``*{suffix}`` below each folder, sorted."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob(f"*{suffix}") if p.is_file())
            if not found:
                raise SourceError(f"no {suffix} files in the folder {display_path(path)}")
            files.extend(found)
        elif path.exists():
            files.append(path)
        else:
            raise SourceError(f"no such file or folder: {raw}")
    return files


def load_modules(paths: Iterable[str | Path]) -> list[ast.Module]:
    """Parse every rules file named or found below a folder, following includes.

    A file reached twice (by the folder walk and an include) is loaded once;
    an include cycle is an error naming the chain.
    """
    modules: list[ast.Module] = []
    seen: set[Path] = set()

    def visit(path: Path, chain: tuple[Path, ...], span: Span | None) -> None:
        resolved = path.resolve()
        if resolved in chain:
            names = " → ".join(display_path(p) for p in (*chain[chain.index(resolved):], resolved))
            raise SourceError(f"include cycle: {names}", span, hint="remove one of these includes")
        if resolved in seen:
            return
        seen.add(resolved)
        name = display_path(path)
        module = parse(read_text(path, name, span), name)
        modules.append(module)
        for statement in module.statements:
            if isinstance(statement, ast.Include):
                visit(path.parent / statement.path, (*chain, resolved), statement.span)

    for file in expand(paths):
        visit(file, (), None)
    return modules


def load_text(text: str, name: str = "<rules>") -> ast.Module:
    """Parse rules given as a string (includes are not followed)."""
    remember(name, text)
    return parse(text, name)
