"""An authority's citation read by eyecite (the Free Law Project's citation extractor, with
reporters-db), so that a hover shows what the citation names: reporter, volume, page, court, year.

eyecite is optional (``pip install lexkb[citations]``): without it a hover shows the citation as written.
"""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1024)
def parse_citation(citation: str) -> list[dict[str, str]]:
    """The legal citations eyecite recognises in ``citation``, each as its named parts
    (``reporter``, ``volume``, ``page`` for a case; ``title``, ``section`` for a statute;
    ``pin_cite``, ``court``, ``year``, ``plaintiff``, ``defendant`` when written)."""
    try:
        from eyecite import get_citations
        from eyecite.models import FullCitation
    except ImportError:
        return []
    found = []
    for cited in get_citations(citation):
        if not isinstance(cited, FullCitation):  # "§" alone, "id.", "supra": nothing to name
            continue
        parts = {key: str(value) for key, value in cited.groups.items() if value}
        for key in ("pin_cite", "court", "year", "plaintiff", "defendant"):
            value = getattr(cited.metadata, key, None)
            if value:
                parts[key] = str(value)
        found.append(parts)
    return found


_ORDER = ("plaintiff", "defendant", "volume", "title", "reporter", "page", "section", "pin_cite", "court", "year")


def describe_citation(citation: str) -> str | None:
    """The parsed citation as a Markdown list of its parts, or None when nothing is recognised."""
    lines = []
    for parts in parse_citation(citation):
        shown = [f"{key.replace('_', ' ')} {parts[key]}" for key in _ORDER if key in parts]
        lines.append("- " + " · ".join(shown))
    return "read as:\n" + "\n".join(lines) if lines else None
