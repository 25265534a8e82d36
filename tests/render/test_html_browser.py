"""The HTML memo page in a real browser: Playwright driving the system Chromium, by real clicks.

Checked at the width of a 1,400-px window: nothing scrolls sideways, each
ground's graph fits its column once unfolded, an authority's words appear
once, and a fact's link shows its words in the order (and the marked words
lead back to the fact). Screenshots are kept in tests/artifacts/ (not
committed) for a person to look at. Without Chromium, Graphviz or the
playwright package the test fails on CI (CI=true, where setup installs them)
and is skipped elsewhere. Playwright's own browser download is never used.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import lexkb
from lexkb.render.html import render_html

from .conftest import ROOT

pytestmark = pytest.mark.browser

ARTIFACTS = ROOT / "tests" / "artifacts"
WINDOW = {"width": 1400, "height": 1000}


def _missing(what: str, why: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is not installed ({why})")
    pytest.skip(f"{what} is not installed")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    for program, why in (("chromium", "scripts/setup.sh with LEXKB_BROWSER=1 installs it"),
                         ("dot", "the page's graphs are drawn by Graphviz")):
        if shutil.which(program) is None:
            _missing(program, why)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright package", "pip install -e '.[dev]' installs it")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=shutil.which("chromium"),
                                              args=["--no-sandbox", "--disable-gpu"])
        yield launched
        launched.close()


def open_page(browser: Any, result: lexkb.Result, atom: str, tmp_path: Path) -> Any:
    path = tmp_path / "page.html"
    path.write_text(render_html(result.explain(atom)), encoding="utf-8")
    page = browser.new_page(viewport=WINDOW)
    page.goto(path.as_uri())
    return page


def shoot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(shot))
    assert shot.read_bytes().startswith(b"\x89PNG")


def no_sideways_scrolling(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= WINDOW["width"]


def in_view(page: Any, selector: str, within: str | None = None) -> bool:
    """Whether the element is visible in the window (and in the scrolling panel ``within``)."""
    return bool(page.evaluate("""([selector, within]) => {
        const box = document.querySelector(selector).getBoundingClientRect();
        const frame = within ? document.querySelector(within).getBoundingClientRect()
                             : {top: 0, bottom: window.innerHeight};
        return box.bottom > Math.max(frame.top, 0) && box.top < Math.min(frame.bottom, window.innerHeight);
    }""", [selector, within]))


def test_toy_page_by_clicks(browser: Any, toy: lexkb.Result, tmp_path: Path) -> None:
    page = open_page(browser, toy, "deny", tmp_path)
    assert page.inner_text("h1#outcome") == "deny holds, on 3 independent grounds."
    no_sideways_scrolling(page)
    body = page.inner_text("body")
    assert body.count("A district court does not have the authority") == 1  # Baylor, cited by two grounds
    assert [page.inner_text(f"#ground-{n} h3").split(":")[0] for n in (1, 2, 3)] == \
        ["Ground 1", "Ground 2", "Ground 3"]
    shoot(page, "explain-toy-deny")

    # A ground's graph is folded until clicked, then fits its column.
    graph = page.locator("#ground-2 details").nth(1)
    assert not graph.evaluate("element => element.open")
    graph.locator("summary").click()
    assert graph.evaluate("element => element.open")
    width = page.evaluate("document.querySelector('#ground-2 .ground-graph svg').getBoundingClientRect().width")
    column = page.evaluate("document.querySelector('main').getBoundingClientRect().width")
    assert 0 < width <= column
    no_sideways_scrolling(page)

    # Click a fact: its words are shown, marked, in the order; click them: back to the fact.
    page.click("#fact-2 a.to-order")
    assert page.evaluate("location.hash") == "#src-2"
    assert in_view(page, "#src-2 + mark", "aside#order")
    shoot(page, "explain-toy-deny-order")
    page.click("#src-2 + mark a")
    assert page.evaluate("location.hash") == "#fact-2"
    assert in_view(page, "#fact-2")
    page.close()


def test_alcaraz_page_fits_a_1400_pixel_window(browser: Any, alcaraz: lexkb.Result, tmp_path: Path) -> None:
    page = open_page(browser, alcaraz, "deny", tmp_path)
    no_sideways_scrolling(page)
    shoot(page, "explain-alcaraz-deny")
    body = page.inner_text("body")
    assert body.count("does not have the authority to grant a § 3582(c)(2) sentencing reduction") == 2  # once
    # quoted as Baylor's words, and once in the order's own text (marked nowhere: no fact quotes it)
    grounds = page.locator("article.ground")
    assert grounds.count() == len(alcaraz.explain("deny").grounds)
    for index in range(grounds.count()):
        grounds.nth(index).locator("details").nth(1).locator("summary").click()
    widths = page.evaluate("[...document.querySelectorAll('.ground-graph svg')]"
                           ".map(svg => svg.getBoundingClientRect().right)")
    assert widths and max(widths) <= WINDOW["width"]
    no_sideways_scrolling(page)
    assert page.locator("aside#order mark").count() >= 7  # every quote of the case, found in the order
    page.click("#fact-7 a.to-order")
    assert in_view(page, "#src-7 + mark", "aside#order")
    shoot(page, "explain-alcaraz-deny-order")
    page.close()
