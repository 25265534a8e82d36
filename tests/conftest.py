"""Shared fixtures: the command line run through its real entry point, golden files,
scratch files. One way to do each, so a test reads the same wherever it lives."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import NamedTuple, Protocol

import pytest
from hypothesis import settings

from lexkb.cli import main

# In CI the property tests draw the same examples every run (a red build must be
# reproducible); locally they explore new ones each time.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI") == "true":
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite the files under tests/golden/ with what the code produces now "
                          "(review the diff before committing)")


class Outcome(NamedTuple):
    """What one command did: its exit code and what it printed. A tuple, so
    ``code, out, err = lexkb(...)`` reads as well as ``outcome.code``."""

    code: int
    out: str
    err: str


class Lexkb(Protocol):
    def __call__(self, *args: str, cwd: Path | None = None, env: Mapping[str, str] | None = None,
                 terminal: bool = False) -> Outcome: ...


@pytest.fixture
def lexkb(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Lexkb:
    """``lexkb("run", "x.rules", cwd=path)`` runs ``lexkb.cli.main``, the installed
    script's entry point (errors formatted, exit codes chosen), and returns an
    :class:`Outcome`. It is the only way tests run the command line, so every test
    sees what a user sees.

    ``cwd`` runs it from that folder (for the rest of the test); ``env`` sets
    environment variables (for the rest of the test); ``terminal=True`` sends
    standard error into ``out``, interleaved as a terminal shows them (``err`` is then empty).
    """

    def run(*args: str, cwd: Path | None = None, env: Mapping[str, str] | None = None,
            terminal: bool = False) -> Outcome:
        if cwd is not None:
            monkeypatch.chdir(cwd)
        for name, value in (env or {}).items():
            monkeypatch.setenv(name, value)
        capsys.readouterr()
        with contextlib.redirect_stderr(sys.stdout) if terminal else contextlib.nullcontext():
            try:
                main(list(args))
                code = 0
            except SystemExit as done:
                code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
        out, err = capsys.readouterr()
        return Outcome(code, out, err)

    return run


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Callable[[str, str], None]:
    """``golden("explain/toy-deny.txt", text)``: ``text`` must equal that file under
    tests/golden/. ``pytest --update-golden`` writes ``text`` to the file instead, for a
    deliberate change; the diff is then reviewed as a reader of the output would."""
    return golden_files(GOLDEN, update=bool(request.config.getoption("--update-golden")))


def golden_files(folder: Path, update: bool) -> Callable[[str, str], None]:
    """The comparison behind the ``golden`` fixture, for the files under ``folder``."""

    def check(name: str, actual: str) -> None:
        path = folder / name
        if update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(actual, encoding="utf-8")
            return
        assert path.exists(), f"no golden file {path}: run pytest --update-golden to create it"
        expected = path.read_text(encoding="utf-8")
        assert actual == expected, (f"{name} differs from its golden file; if the change is intended, "
                                    "regenerate with pytest --update-golden and review the diff")

    return check


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str | bytes], Path]:
    """``write("kb/a.rules", text)`` creates a file (and its folders) under tmp_path."""

    def make(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return make


class Tool:
    """A developer tool of the repository (``-m bench.verify_time``, ``scripts/check_named_reads.py``),
    run as a process of its own from the repository's root."""

    def __init__(self, *command: str) -> None:
        self.command = command

    def __call__(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, *self.command, *args], cwd=ROOT, capture_output=True, text=True,
                              timeout=120)

    def refuses(self, args: list[str], words: str) -> subprocess.CompletedProcess[str]:
        """Runs the tool, which must refuse ``args`` with ``words`` in a plain message: exit 2, no traceback."""
        done = self(*args)
        assert done.returncode == 2 and words in done.stderr and "Traceback" not in done.stderr, done.stderr
        return done


@pytest.fixture
def tool() -> Callable[..., Tool]:
    """``tool("-m", "bench.verify_time")``: that developer tool, to run (see :class:`Tool`)."""
    return Tool
