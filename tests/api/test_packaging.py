"""A non-editable install works: the wheel holds the one package `lexkb` with its
grammar and knowledge base, loaded through importlib.resources from the
installed copy (not from the checkout)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.packaging

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ["engine", "cli", "grammar", "kb", "pyproject.toml", "README.md"]

PROBE = """
import importlib.resources as resources, json, sys
import lexkb
from lexkb.language.parser import parser
parser()
kb = lexkb.loads("q(4)\\np(?y) if q(?x) and ?y = ?x + 1\\n")
print(json.dumps({
    "lexkb": lexkb.__file__,
    "grammar": str(resources.files("lexkb.grammar").joinpath("lexkb.lark")),
    "kb_rules": sorted(str(p.name) for p in resources.files("lexkb.kb").rglob("*.rules")),
    "kb_dir": str(resources.files("lexkb.kb")),
    "facts": kb.run().to_json()["facts"]["p"],
}))
"""


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the wheel, the folder it was installed into with pip --target)."""
    work = tmp_path_factory.mktemp("packaging")
    copy = work / "src"
    copy.mkdir()
    for name in SOURCES:  # build from a copy: a build must not write into the shared checkout
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        elif source.exists():
            shutil.copy(source, copy / name)
    wheels = work / "wheels"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input"]
    subprocess.run([*pip, "wheel", "--no-deps", "-q", str(copy), "-w", str(wheels)],
                   check=True, capture_output=True, cwd=work)
    (wheel,) = wheels.glob("lexkb-*.whl")
    target = work / "site"
    subprocess.run([*pip, "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
                   check=True, capture_output=True, cwd=work)
    return wheel, target


def test_wheel_holds_only_the_lexkb_package(installed: tuple[Path, Path]) -> None:
    wheel, target = installed
    names = zipfile.ZipFile(wheel).namelist()
    top = {name.split("/")[0] for name in names}
    assert "lexkb" in top
    assert not top & {"engine", "cli", "grammar", "kb", "tests", "bench"}
    assert "lexkb/grammar/lexkb.lark" in names
    assert any(n.startswith("lexkb/kb/") and n.endswith(".rules") for n in names)
    installed_top = {p.name for p in target.iterdir()}
    for stray in ("engine", "cli", "grammar", "kb", "engine.py", "cli.py", "grammar.py", "kb.py"):
        assert stray not in installed_top
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "lexkb = lexkb.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_installed_copy_loads_its_own_grammar_and_kb(installed: tuple[Path, Path], tmp_path: Path) -> None:
    _, target = installed
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=tmp_path, capture_output=True, text=True,
                          env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"}, check=False)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    for key in ("lexkb", "grammar", "kb_dir"):
        assert Path(report[key]).resolve().is_relative_to(target.resolve()), (key, report[key])
        assert not Path(report[key]).resolve().is_relative_to(ROOT), (key, report[key])
    assert "sentencing_table.rules" in report["kb_rules"]
    assert report["facts"] == [[5]]


def test_installed_command_line_runs(installed: tuple[Path, Path], tmp_path: Path) -> None:
    _, target = installed
    (tmp_path / "a.rules").write_text("input lowers_range\ndeny if not lowers_range\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", "from lexkb.cli import main; main()", "run", "a.rules",
                           "--format", "json"], cwd=tmp_path, capture_output=True, text=True,
                          env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"}, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"facts": {"deny": [[]], "lowers_range": []}, "outcomes": [], "grounds": {}}
