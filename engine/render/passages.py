"""Where each quote of a case stands in the decision's text, for pages that show it in context.

A quote matches its source as ``lexkb check`` matches it (whitespace folded,
curly quotes and dashes straightened, markdown emphasis dropped: see
:func:`lexkb.language.cases.normalise`), so the quote's words may be spelled
a little differently from the text, and a quote may carry the usual legal
alterations (``...`` for omitted words, ``[b]ecause``, ``[the defendant]``:
see :func:`lexkb.language.cases.find_quote`). This module finds the same
passage in the text as written, so it can be highlighted there; a quote with
an omission is marked from its first quoted word to its last.
"""

from __future__ import annotations

from typing import TypeVar

from lexkb.language.cases import find_quote, normalise, normalised_paragraphs

# A quote's key: a fact's number, or (fact number, which of its quotes).
Key = TypeVar("Key", int, tuple[int, int])


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


def locate(quotes: dict[Key, str], text: str) -> dict[Key, tuple[int, int]]:
    """For each quote (by key) found in ``text`` as ``lexkb check`` finds it: its (start, end) in ``text``
    as written; the others are left out."""
    flat, origin = folded(text)
    paragraphs = normalised_paragraphs(text)
    # Where each normalised paragraph starts in ``flat`` (the paragraphs joined by spaces).
    starts = [0]
    for paragraph in paragraphs[:-1]:
        starts.append(starts[-1] + len(paragraph) + 1)
    found: dict[Key, tuple[int, int]] = {}
    for key, quote in quotes.items():
        where = find_quote(quote, paragraphs)
        if where is None:
            continue
        number, start, end = where
        offset = 0 if number < 0 else starts[number]
        if end > start and offset + end <= len(origin):
            found[key] = (origin[offset + start], origin[offset + end - 1] + 1)
    return found


def segments(text: str, spans: dict[Key, tuple[int, int]]) -> list[tuple[str, list[Key], list[Key]]]:
    """``text`` cut where a quoted passage starts or ends: (piece, keys of the passages covering it,
    keys of the passages starting at it). Overlapping passages are cut into pieces, never nested."""
    cuts = sorted({0, len(text), *(s for s, _ in spans.values()), *(e for _, e in spans.values())})
    out = []
    for start, end in zip(cuts, cuts[1:]):
        covering = [k for k, (s, e) in sorted(spans.items()) if s <= start and end <= e]
        starting = [k for k, (s, _) in sorted(spans.items()) if s == start]
        out.append((text[start:end], covering, starting))
    return out
