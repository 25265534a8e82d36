"""An authority's citation read into its parts, and whether it is a recognisable legal citation.

Read by eyecite (the Free Law Project's citation extractor, with reporters-db): case reporters
(``556 F.3d 672``), statutes (``18 U.S.C. § 3582(c)(2)``), session laws (``132 Stat. 5194``). Two
shapes eyecite does not know are read by a pattern of their own (:data:`GUIDELINES`, :data:`DOCKET`):

- the Sentencing Guidelines: ``U.S.S.G.`` (or ``USSG``) followed by ``§ 1B1.10(b)(2)(A)``,
  ``App. C, Amend. 782`` or ``Ch. 5, Pt. A``;
- a decision by its parties and its court and year in parentheses, with or without a docket number:
  ``United States v. Alcaraz, No. 12-CR-0016 (D. Minn. June 28, 2013)``.

eyecite takes most of a second to load, so nothing here runs when rules are merely loaded: ``check``
and the editor ask (:attr:`lexkb.compile.program.Program.all_warnings`), and explanations on demand.
Without eyecite (a ``--no-deps`` install), only the two patterns are read and ``check`` says so once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from lexkb.language import ast
from lexkb.language.cases import Finding

GUIDELINES = re.compile(r"\bU\.?\s?S\.?\s?S\.?\s?G\.?\s*(?:§+\s*(?P<section>\d+[A-Z]\d+\.\d+)(?P<sub>(?:\([^()\s]+\))*)"
                        r"|(?P<appendix>App\.\s*C)(?:,\s*Amend(?:\.|ment)\s*(?P<amendment>\d+))?"
                        r"|(?P<chapter>Ch\.\s*\d+(?:,\s*Pt\.\s*[A-Z])?))")
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|June?|July?|Aug|Sept?|Oct|Nov|Dec)[a-z]*\.?"
DOCKET = re.compile(r"(?P<plaintiff>[A-Z][^,()]*?)\s+v\.\s+(?P<defendant>[A-Z][^,()]*?)\s*"
                    r"(?:,\s*No\.\s*(?P<docket>[\w:.-]+)[^()]*?)?(?:\([^()]*[A-Z][^()]*\)\s*)??"
                    r"\((?P<court>[^()]*?)[,\s]*(?:about\s+)?(?:" + _MONTH + r"\s*(?:\d{1,2},\s*)?)?(?P<year>\d{4})\)")
EXAMPLES = ('"United States v. Baylor, 556 F.3d 672 (8th Cir. 2009)", "18 U.S.C. § 3582(c)(2)" '
            'or "U.S.S.G. § 1B1.10(b)(2)(A)"')


def eyecite_available() -> bool:
    try:
        import eyecite  # noqa: F401
    except ImportError:
        return False
    return True


@lru_cache(maxsize=1024)
def parse_citation(citation: str) -> list[dict[str, str]]:
    """The legal citations recognised in ``citation``, each as its named parts: ``reporter``, ``volume``,
    ``page`` for a case; ``title``, ``reporter``, ``section`` for a statute or the Guidelines;
    ``pin_cite``, ``court``, ``year``, ``plaintiff``, ``defendant``, ``docket`` when written."""
    if not citation.strip():
        return []  # eyecite refuses empty text
    found = _by_eyecite(citation)
    for match in GUIDELINES.finditer(citation):
        parts = {"reporter": "U.S.S.G."}
        if match["section"]:
            parts["section"] = match["section"] + (match["sub"] or "")
        elif match["appendix"]:
            parts["section"] = "App. C" + (f", Amend. {match['amendment']}" if match["amendment"] else "")
        else:
            parts["section"] = match["chapter"]
        found.append(parts)
    decision = None if found else DOCKET.search(citation)
    if decision:
        found.append({key: value.strip() for key, value in decision.groupdict().items() if value and value.strip()})
    return found


def _by_eyecite(citation: str) -> list[dict[str, str]]:
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


_ORDER = ("plaintiff", "defendant", "volume", "title", "reporter", "page", "section", "pin_cite", "docket", "court",
          "year")


def labelled_parts(parts: dict[str, str]) -> list[tuple[str, str]]:
    """A parsed citation's parts as (label, value) in reading order: parties, volume, reporter, page, …"""
    return [(key.replace("_", " "), parts[key]) for key in _ORDER if key in parts]


def describe_citation(citation: str) -> str | None:
    """The parsed citation as a Markdown list of its parts, or None when nothing is recognised."""
    lines = []
    for parts in parse_citation(citation):
        lines.append("- " + " · ".join(f"{label} {value}" for label, value in labelled_parts(parts)))
    return "read as:\n" + "\n".join(lines) if lines else None


def citation_warnings(authorities: Iterable[ast.Authority]) -> list[Finding]:
    """A warning for each authority whose citation is not a recognisable legal citation (a typo, or a
    name where the citation belongs); without eyecite, one warning that case citations were not read."""
    out = [Finding(f"the citation of {authority.name} is not a recognisable legal citation", authority.span,
                   hint=f"cite it as a court or a legislature would, e.g. {EXAMPLES}")
           for authority in authorities if not parse_citation(authority.citation)]
    if out and not eyecite_available():
        first = out[0].span
        return [Finding("citations were not read: eyecite is not installed", first,
                        hint="pip install eyecite (or lexkb[citations]); only the Guidelines and "
                             "decisions with a court and year were recognised")]
    return out
