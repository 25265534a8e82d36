"""The layout of the drawn graph: grounds stacked in boxes, columns of conditions, one ground alone.

The Alcaraz denial rests on six grounds; drawn side by side they made an
image 8,584 px wide. Stacked, with the conditions of a rule in a column and
the other grounds of an intermediate conclusion folded, it fits in 4,000 px
at the same font sizes.
"""

from __future__ import annotations

import re
import shutil
import struct

import pytest

import lexkb
from lexkb.render.dot import render_dot, render_image
from lexkb.render.text import render_text

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_each_ground_is_a_box_stacked_under_the_previous(toy: lexkb.Result) -> None:
    source = render_dot(toy.explain("deny"))
    assert [f"Ground {n}" for n in (1, 2, 3)] == re.findall(r"<B>(Ground \d)</B>", source)
    assert source.count("subgraph cluster_ground") == 3
    # Only the first ground hangs from the outcome in the layout; the others are placed below it.
    assert source.count("n1 -> ") == 3 and source.count("constraint=false") == 2
    assert source.count("style=invis") >= 2


def test_a_conclusion_of_an_earlier_ground_is_referred_to(toy: lexkb.Result) -> None:
    source = render_dot(toy.explain("deny"))
    assert "(derived in ground 2)" in source
    assert source.count("<B>amended_applicable_range(120, 120)") == 1


def test_other_grounds_of_an_intermediate_conclusion_are_folded(alcaraz: lexkb.Result) -> None:
    derivation = alcaraz.explain("deny")
    folded = render_dot(derivation)
    assert "2 more grounds for the Sentencing Table gives 70 to<BR ALIGN=\"LEFT\"/>87 months" in folded  # its reading
    assert "lexkb explain … &#x27;amended_raw_range(70, 87)&#x27;" in folded
    assert "more grounds for" not in render_dot(derivation, fold=False)


def test_one_ground_alone(toy: lexkb.Result) -> None:
    derivation = toy.explain("deny")
    second = derivation.ground(2)
    assert [g.id for g in second.grounds] == [derivation.grounds[1].id]
    assert set(second.nodes) < set(derivation.nodes)
    text = render_text(second)
    assert text.startswith("deny holds, on 3 independent grounds; this is ground 2.")
    assert "Ground 2: rule at_the_floor" in text and "Ground 1" not in text
    assert "<B>Ground 2</B>" in render_dot(second)
    for wrong in (0, 4):
        with pytest.raises(ValueError, match="deny has 3 grounds: choose a ground from 1 to 3"):
            derivation.ground(wrong)


@needs_dot
def test_alcaraz_image_fits_4000_pixels_at_the_same_font_sizes(alcaraz: lexkb.Result) -> None:
    derivation = alcaraz.explain("deny")
    width, _ = png_size(render_image(derivation, "png"))
    assert width <= 4000
    source = render_dot(derivation)
    assert "node [fontname=Helvetica fontsize=11" in source  # the size the side-by-side graph had
    sizes = {int(s) for s in re.findall(r'POINT-SIZE="(\d+)"', source)}
    assert min(sizes) >= 9
    for number in range(1, len(derivation.grounds) + 1):
        assert png_size(render_image(derivation.ground(number), "png"))[0] <= 4000
