"""The layers import only downward. import-linter checks the library (contracts in
pyproject.toml, run by the test command); the command line lives in cli/, outside
the folder it walks, so this test checks that nothing in the library imports it."""

from __future__ import annotations

import ast
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[1] / "engine"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_the_library_never_imports_the_command_line() -> None:
    offenders = {str(path.relative_to(ENGINE)): sorted(m for m in imported_modules(path) if m.startswith("lexkb.cli"))
                 for path in ENGINE.rglob("*.py")}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_library_imports_are_absolute() -> None:
    """Absolute imports name the layer they reach into, so a reader (and import-linter) sees the direction."""
    relative = [str(path.relative_to(ENGINE)) for path in ENGINE.rglob("*.py")
                if any(isinstance(n, ast.ImportFrom) and n.level for n in ast.walk(ast.parse(path.read_text())))]
    assert relative == [] or all(r.startswith("render/") for r in relative), relative


def test_every_layer_has_its_tests_folder() -> None:
    """The tests mirror the layout: a reader looking for the tests of engine/<layer>/ finds tests/<layer>/."""
    tests = ENGINE.parent / "tests"
    layers = sorted(p.name for p in ENGINE.iterdir() if (p / "__init__.py").exists())
    assert len(layers) >= 7
    assert [layer for layer in layers if not any((tests / layer).glob("test_*.py"))] == []
