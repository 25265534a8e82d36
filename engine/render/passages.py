"""Where each quote of a case stands in the decision's text, for pages that show it in context.

A quote matches its source as ``lexkb check`` matches it (whitespace folded,
curly quotes and dashes straightened, markdown emphasis dropped: see
:func:`lexkb.language.cases.normalise`), so the quote's words may be spelled
a little differently from the text. This module finds the same passage in
the text as written, so it can be highlighted there.
"""

from __future__ import annotations

from lexkb.language.cases import normalise


def folded(text: str) -> tuple[str, list[int]]:
    """``normalise(text)``, and for each of its characters the index of the character of ``text`` it came from."""
    out: list[str] = []
    origin: list[int] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):  # an escape: the next character stands for itself
            index += 1
            char = text[index]
            pieces = char
        elif char.isspace():
            pieces = " " if out and out[-1] != " " else ""
        else:
            pieces = normalise(char)
        for piece in pieces:
            out.append(piece)
            origin.append(index)
        index += 1
    while out and out[-1] == " ":
        out.pop()
        origin.pop()
    return "".join(out), origin


def locate(quotes: dict[int, str], text: str) -> dict[int, tuple[int, int]]:
    """For each quote (by key) found in ``text``: its (start, end) in ``text`` as written; the others are left out."""
    flat, origin = folded(text)
    found: dict[int, tuple[int, int]] = {}
    for key, quote in quotes.items():
        wanted = normalise(quote)
        at = flat.find(wanted) if wanted else -1
        if at >= 0:
            found[key] = (origin[at], origin[at + len(wanted) - 1] + 1)
    return found


def segments(text: str, spans: dict[int, tuple[int, int]]) -> list[tuple[str, list[int], list[int]]]:
    """``text`` cut where a quoted passage starts or ends: (piece, keys of the passages covering it,
    keys of the passages starting at it). Overlapping passages are cut into pieces, never nested."""
    cuts = sorted({0, len(text), *(s for s, _ in spans.values()), *(e for _, e in spans.values())})
    out = []
    for start, end in zip(cuts, cuts[1:]):
        covering = [k for k, (s, e) in sorted(spans.items()) if s <= start and end <= e]
        starting = [k for k, (s, _) in sorted(spans.items()) if s == start]
        out.append((text[start:end], covering, starting))
    return out
