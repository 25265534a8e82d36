"""The version is written once, in pyproject.toml: the library and `lexkb --version` both read it
from the installed package's metadata."""

from __future__ import annotations

import sys
from importlib import metadata
from pathlib import Path

import pytest

import lexkb

tomllib = pytest.importorskip("tomllib" if sys.version_info >= (3, 11) else "tomli")

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def test_the_library_reports_the_installed_version() -> None:
    assert lexkb.__version__ == metadata.version("lexkb")


def test_the_installed_version_is_the_one_in_pyproject() -> None:
    declared = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]["version"]
    assert lexkb.__version__ == declared


def test_the_command_line_reports_the_same_version(lexkb) -> None:  # type: ignore[no-untyped-def]
    code, out, err = lexkb("--version")
    assert code == 0, err
    assert out.strip() == f"lexkb, version {metadata.version('lexkb')}"
