"""Hostile text in rule and case files is drawn as text in DOT, SVG, HTML and JSON."""

from __future__ import annotations

import json
import shutil
import xml.dom.minidom
from html.parser import HTMLParser

import pytest

import lexkb
from lexkb.render.dot import render_dot, render_image
from lexkb.render.html import render_html
from lexkb.render.json import render_json
from lexkb.render.text import render_text

from .conftest import HOSTILE

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_dot_source_escapes_every_label(hostile: lexkb.Result) -> None:
    source = render_dot(hostile.explain(("bad", (lexkb.Text(HOSTILE),))))
    assert "<script>" not in source and "</svg>" not in source and "<img" not in source
    assert "&lt;script&gt;" in source
    assert "&quot;Quoted&quot;" in source
    # every node statement is on one line: label text cannot open new statements or attributes
    for line in source.splitlines():
        if "label=<" in line:
            assert line.rstrip().endswith("]")


@needs_dot
def test_svg_shows_hostile_text_as_text(hostile: lexkb.Result) -> None:
    svg = render_image(hostile.explain(("bad", (lexkb.Text(HOSTILE),))), "svg").decode("utf-8")
    document = xml.dom.minidom.parseString(svg)  # well-formed XML
    assert not document.getElementsByTagName("script") and not document.getElementsByTagName("img")
    texts = "".join(node.firstChild.data for node in document.getElementsByTagName("text") if node.firstChild)
    assert '<script>alert(1)</script>' in texts.replace("\u00a0", " ")
    assert "] { }" in texts.replace("\u00a0", " ")


@needs_dot
def test_html_page_shows_hostile_text_as_text(hostile: lexkb.Result) -> None:
    page = render_html(hostile.explain(("bad", (lexkb.Text(HOSTILE),))))
    parser = Tags()
    parser.feed(page)
    assert "script" not in parser.tags and "img" not in parser.tags
    assert 'Evil v. "Quoted" <script>alert(1)</script> ] { } & \\ 1 U.S. 1' in "".join(parser.text)


def test_json_and_text_keep_the_exact_words(hostile: lexkb.Result) -> None:
    derivation = hostile.explain(("bad", (lexkb.Text(HOSTILE),)))
    data = json.loads(render_json(derivation))
    assert data["args"] == [HOSTILE]
    assert data["authorities"][0]["citation"] == 'Evil v. "Quoted" <script>alert(1)</script> ] { } & \\ 1 U.S. 1'
    assert "<script>alert(1)</script>" in render_text(derivation, width=200)
