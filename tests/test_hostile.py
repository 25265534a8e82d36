"""The hostile-input corpus (tests/hostile/, see its README): each attack, its exit code and its message."""

from __future__ import annotations

import shlex
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from conftest import Lexkb

CORPUS = Path(__file__).parent / "hostile"
CASES = sorted(p for p in CORPUS.iterdir() if p.is_dir())


@pytest.mark.parametrize("case", CASES, ids=[p.name for p in CASES])
def test_hostile_input(case: Path, tmp_path: Path, lexkb: Lexkb) -> None:
    work = tmp_path / case.name
    shutil.copytree(case, work, symlinks=True)
    args = shlex.split((case / "command").read_text())
    code, out, err = lexkb(*args, cwd=work)
    printed = out + err
    assert code == int((case / "exit_code").read_text()), printed
    assert "Traceback" not in printed
    for line in (case / "message").read_text().splitlines():
        assert line in printed, f"{line!r} not in:\n{printed}"
