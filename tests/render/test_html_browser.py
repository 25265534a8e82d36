"""The HTML page in a real headless browser (Debian's chromium): outcome, grounds, graph.

The screenshot is kept in tests/artifacts/ (not committed) for a person to look at.
Without chromium the test fails on CI (CI=true, where setup installs it) and is
skipped elsewhere.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

import lexkb
from lexkb.render.html import render_html

from .conftest import ROOT

pytestmark = pytest.mark.browser

ARTIFACTS = ROOT / "tests" / "artifacts"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium() -> str:
    for program, why in (("chromium", "scripts/setup.sh with LEXKB_BROWSER=1 installs it"),
                         ("dot", "the page's graph is drawn by Graphviz")):
        if shutil.which(program) is None:
            if os.environ.get("CI") == "true":
                pytest.fail(f"{program} is not installed ({why})")
            pytest.skip(f"{program} is not installed")
    return str(shutil.which("chromium"))


def browse(page: Path, profile: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([chromium(), *FLAGS, f"--user-data-dir={profile}", *extra, page.as_uri()],
                          capture_output=True, text=True, timeout=120, check=False)


def show(result: lexkb.Result, atom: str, name: str, tmp_path: Path) -> str:
    """Render the page, screenshot it into tests/artifacts/, and return the DOM the browser built."""
    chromium()  # fail or skip before anything else when the tools are missing
    page = tmp_path / f"{name}.html"
    page.write_text(render_html(result.explain(atom)), encoding="utf-8")
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"{name}.png"
    shot.unlink(missing_ok=True)
    done = browse(page, tmp_path / "profile", f"--screenshot={shot}", "--window-size=1200,2000")
    assert shot.exists() and shot.stat().st_size > 10_000, done.stderr[-2000:]
    assert shot.read_bytes().startswith(b"\x89PNG")
    dom = browse(page, tmp_path / "profile", "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    return dom.stdout


def test_fixture_page_in_a_browser(toy: lexkb.Result, tmp_path: Path) -> None:
    dom = show(toy, "deny", "explain-toy-deny", tmp_path)
    assert '<h1 id="outcome" class="holds">deny holds, on 3 independent grounds.</h1>' in dom
    for n in (1, 2, 3):
        assert f"Ground {n}:" in dom
    assert "<svg" in dom and "deny — holds" in dom
    assert "United States v. Baylor, 556 F.3d 672, 673 (8th Cir. 2009)" in dom
    assert "His total offense level was 29" in dom


def test_alcaraz_page_in_a_browser(alcaraz: lexkb.Result, tmp_path: Path) -> None:
    dom = show(alcaraz, "deny", "explain-alcaraz-deny", tmp_path)
    assert '<h1 id="outcome" class="holds">deny holds' in dom
    for n in (1, 2, 3):
        assert f"Ground {n}:" in dom
    assert "<svg" in dom and "Baylor" in dom and "§ 5G1.1(b)" in dom
    assert "he was sentenced to a 120-month term of imprisonment" in dom
