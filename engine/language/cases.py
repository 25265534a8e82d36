"""Case files: the facts of one case with their quotes, checked against the KB and the source text."""

from __future__ import annotations

import dataclasses
import datetime
import difflib
import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from lexkb.errors import CheckError, Span
from lexkb.language import ast
from lexkb.language.format import format_ground_atom
from lexkb.language.parser import parse
from lexkb.language.source import Sources, display_path
from lexkb.values import Text, Value


@dataclass(frozen=True)
class CaseFact:
    predicate: str
    args: tuple[Value, ...]
    fact: ast.Fact | None  # None when given by a caller as a mapping


@dataclass(frozen=True)
class Case:
    """One case: its facts (with provenance) and what the court decided."""

    name: str | None
    citation: str | None
    path: str | None
    source: str | None  # the source text's path, as displayed
    source_span: Span | None
    stated: tuple[CaseFact, ...]  # facts from a case file, with their quotes
    expects: tuple[ast.Expect, ...]
    table: Mapping[str, list[tuple[Value, ...]]] | None = None  # facts given by a caller
    # the case file's text, and the source's once its quotes are checked: they go when the case goes
    sources: Sources = field(default_factory=Sources, compare=False, repr=False)

    @functools.cached_property
    def facts(self) -> tuple[CaseFact, ...]:
        """Every fact of the case, with its provenance where it has one.

        Made once: what-if's changes name the fact they change by identity, so a caller's facts
        made anew at each read would never be found again (every change silently a no-op)."""
        if not self.table:
            return self.stated
        given = tuple(CaseFact(p, tuple(args), None) for p, rows in self.table.items() for args in rows)
        return self.stated + given


@dataclass(frozen=True)
class Finding:
    """A problem `check` reports without stopping: exit code 1, not 2."""

    message: str
    span: Span | None
    hint: str | None = None

    def to_json(self) -> dict[str, str | None]:
        """``{"message", "location", "hint"}``; the location is ``file:line:column`` (or null), as in
        ``lexkb test --format json``."""
        return {"message": self.message, "location": str(self.span) if self.span else None, "hint": self.hint}


def load_case(path: str | Path) -> Case:
    """Parse a ``.case`` file (facts, expects, case and source declarations).

    An error leaves carrying the line it points at (see :meth:`Sources.locating`).
    """
    file = Path(path)
    sources = Sources()
    with sources.locating():
        return _case_of(file, sources)


def _case_of(file: Path, sources: Sources) -> Case:
    name = display_path(file)
    module = parse(sources.read(file, name), name)
    case_name = citation = source = None
    source_span = None
    facts: dict[tuple[str, tuple[Value, ...]], CaseFact] = {}  # by atom: a fact stated again is found at once
    expects: list[ast.Expect] = []
    declarations: dict[type, ast.Statement] = {}
    for statement in module.statements:  # the case and source lines first: they may come anywhere
        if isinstance(statement, (ast.CaseDecl, ast.SourceDecl)):
            first = declarations.setdefault(type(statement), statement)
            if first is not statement:
                word = "case" if isinstance(statement, ast.CaseDecl) else "source"
                raise CheckError(f"a case file has one '{word}' line; this is a second one (the first is at "
                                 f"{first.span})", statement.span, hint=f"one case per file: remove this '{word}'")
            if isinstance(statement, ast.CaseDecl):
                case_name, citation = statement.name, statement.citation
            else:
                source = display_path(file.parent / statement.path)
                source_span = statement.span
    for statement in module.statements:
        if isinstance(statement, (ast.CaseDecl, ast.SourceDecl)):
            continue
        if isinstance(statement, ast.Fact):
            values = []
            for arg in statement.atom.args:
                if not isinstance(arg, ast.Constant):
                    raise CheckError("a case states plain values: no variables or arithmetic", arg.span)
                values.append(arg.value)
            if statement.quote and source is None:
                raise CheckError("this fact quotes its source, but the case names no source",
                                 statement.quote.span, hint='add a line: source "path/to/decision.txt"')
            _add_fact(facts, CaseFact(statement.atom.predicate, tuple(values), statement))
        elif isinstance(statement, ast.Expect):
            for arg in statement.atom.args:
                if not isinstance(arg, ast.Constant):
                    raise CheckError("an expectation states plain values: no variables or arithmetic", arg.span)
            expects.append(statement)
        else:
            what = _STATEMENT_WORDS.get(type(statement), "declaration")
            raise CheckError(f"a case file holds facts and expectations; {what} belongs in a .rules file",
                             statement.span)
    return Case(case_name, citation, name, source, source_span, tuple(facts.values()), tuple(expects),
                sources=sources)


def _add_fact(facts: dict[tuple[str, tuple[Value, ...]], CaseFact], new: CaseFact) -> None:
    """Add a stated fact; the same fact stated again adds its quotes to the first statement's, so that
    none is lost (the engine keeps one record per fact: the first statement)."""
    key = (new.predicate, new.args)
    old = facts.get(key)
    if old is None:
        facts[key] = new
    elif old.fact is not None and new.fact is not None and new.fact.quotes:
        merged = dataclasses.replace(old.fact, quotes=old.fact.quotes + new.fact.quotes)
        facts[key] = CaseFact(old.predicate, old.args, merged)


_STATEMENT_WORDS = {ast.Rule: "a rule", ast.Authority: "an authority", ast.Include: "an 'include'",
                    ast.InputDecl: "an 'input' declaration", ast.Outcomes: "an 'outcomes' declaration"}


def case_from_mapping(facts: Mapping[str, Iterable[tuple[Value, ...]]], name: str | None = None) -> Case:
    """A case given as ``{predicate: [argument tuples]}`` (for the API and batch runs). The types of its
    values are checked when it is validated against the rules (:func:`check_value_types`), in the same
    pass over each column as the declared kinds."""
    table = {p: [tuple(row) for row in rows] for p, rows in facts.items()}
    return Case(name, None, None, None, None, (), (), table)


def check_value_types(predicate: str, rows: Iterable[tuple[object, ...]]) -> None:
    """A TypeError naming the predicate, the position and what is accepted, for the first value that is not
    a lexkb value (:func:`not_a_value`): a float or None would otherwise be taken for a symbol, or fail deep
    inside a run."""
    for row in rows:
        for position, value in enumerate(row, 1):
            wrong = not_a_value(value)
            if wrong:
                atom = f"{predicate}({', '.join(map(repr, row))})"
                raise TypeError(f"value {position} of {atom} is a {wrong}; a value must be {API_VALUES}")


PLAIN_VALUE_TYPES = frozenset({int, Decimal, datetime.date, str, Text})

API_VALUES = "an int, a decimal.Decimal, a datetime.date, a str (a symbol) or a lexkb.Text (a string)"


def not_a_value(value: object) -> str | None:
    """The type's name of a Python value that is not a lexkb value (a bool, a float, a datetime…); None for
    a lexkb value."""
    if isinstance(value, (bool, datetime.datetime)) or not isinstance(value, (int, Decimal, datetime.date, str)):
        kind = type(value)
        return kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"
    return None


TYPE_OF_KIND = {"int": int, "decimal": Decimal, "date": datetime.date, "symbol": str, "string": Text}


def allowed_kinds(type_text: str) -> frozenset[str]:
    """The kinds of value a declared type (``int``, ``decimal``, ``int|symbol``…) accepts: a ``decimal``
    also takes a whole number (``120`` where ``120.5`` could be)."""
    kinds = set(type_text.split("|"))
    return frozenset(kinds | {"int"} if "decimal" in kinds else kinds)


def count_of_values(count: int) -> str:
    return "no values" if count == 0 else "1 value" if count == 1 else f"{count} values"


_KIND_WORDS = {"int": "a whole number", "decimal": "a decimal number", "date": "a date", "symbol": "a symbol", "string": "text in quotes"}
_KIND_EXAMPLES = {"int": "120", "decimal": "3.9", "date": "2012-10-24", "symbol": "drug", "string": '"text"'}


def kind_in_words(kind: str) -> str:
    """A declared type (``int``, or a choice such as ``int|symbol``) in plain words."""
    return " or ".join(_KIND_WORDS.get(part, part) for part in kind.split("|"))


def kind_example(kind: str) -> str | None:
    """An example value of a declared type, as a hint."""
    examples = [_KIND_EXAMPLES[part] for part in kind.split("|") if part in _KIND_EXAMPLES]
    return "e.g. " + " or ".join(examples) if examples else None


# ---------------------------------------------------------------- quotes

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201b": "'", "\u2032": "'", "\u201c": '"', "\u201d": '"',
                         "\u201e": '"', "\u2033": '"', "\u2013": "-", "\u2014": "-", "\u00a0": " ", "*": None})


def normalise(text: str) -> str:
    """Whitespace folded, curly quotes and dashes straightened, markdown emphasis dropped."""
    text = text.translate(_QUOTES).replace("\u2026", "...")
    text = re.sub(r"\\(.)", r"\1", text)
    return " ".join(text.split())


def verify_quotes(case: Case) -> list[Finding]:
    """Quotes that do not occur in the case's source (see :func:`find_quote`), each with the closest passage."""
    if case.source is None:
        return []
    quotes = [(f, q) for f in case.facts if f.fact is not None for q in f.fact.quotes]
    if not quotes:
        return []
    with case.sources.locating():
        text = case.sources.read(Path(case.source), case.source, case.source_span)
    paragraphs = normalised_paragraphs(text)
    whole = " ".join(paragraphs)
    findings = []
    for fact, quote in quotes:
        if find_quote(quote.text, paragraphs) is not None:
            continue
        closest = closest_passage(" ".join(_pieces(normalise(quote.text))), whole)
        findings.append(Finding(
            f"the quote for {format_ground_atom(fact.predicate, fact.args)} is not in {case.source}",
            quote.span, f'the closest passage is: "{closest}"' if closest else None))
    return findings


# An omission: three dots, spaced or not, or the ellipsis character (normalised to "..."), bracketed or not.
_OMISSION = re.compile(r"\s*(?:\[\s*(?:\.\s*){3}\]|(?:\.\s?){2,}\.)\s*")
# A bracketed alteration: [b] stands for one letter in either case, [the defendant] for a few words.
_ALTERATION = re.compile(r"\[([^\]]*)\]")
_SIC = re.compile(r"\s*\[sic\]", re.IGNORECASE)  # the quoter's mark, not the source's words
PHRASE_WORDS = 6  # a bracketed phrase stands for a run of 1 to this many words of the source


def normalised_paragraphs(text: str) -> list[str]:
    """The source's paragraphs (parts between blank lines), each :func:`normalise`d; an omission never
    reaches from one paragraph into the next."""
    return [p for p in (normalise(part) for part in re.split(r"\n\s*\n", text)) if p]


def _pieces(quote: str) -> list[str]:
    """The quoted runs of words between omissions, empty ones dropped."""
    return [p for p in _OMISSION.split(_SIC.sub("", quote)) if p.strip()]


def _piece_pattern(piece: str) -> re.Pattern[str]:
    """A run of quoted words as a pattern: spaces match spaces, each alteration what it may stand for."""
    out, at = [], 0
    for match in _ALTERATION.finditer(piece):
        out.append(re.escape(piece[at:match.start()]))
        inside = match.group(1).strip()
        if len(inside) == 1 and inside.isalpha():
            out.append(f"[{re.escape(inside.lower())}{re.escape(inside.upper())}]")
        else:  # a phrase (or [] for a dropped letter): words of the source, none if empty
            out.append(rf"\S+(?: \S+){{0,{PHRASE_WORDS - 1}}}?" if inside else r"\S{0,3}?")
        at = match.end()
    out.append(re.escape(piece[at:]))
    return re.compile("".join(out))


def find_quote(quote: str, paragraphs: list[str]) -> tuple[int, int, int] | None:
    """Where a quote stands in the source — (paragraph, start, end) in the normalised paragraph, the
    paragraph -1 for the paragraphs joined by spaces — or None.

    The quote's words must appear as written (after :func:`normalise`), except for the usual legal
    alterations: an omission (``...``, ``. . .``, ``…``, ``[...]``) stands for any text between the
    parts around it, which must appear in order within one paragraph; ``[b]`` (one letter in brackets)
    stands for that letter in either case; ``[the defendant]`` (a bracketed phrase) for any run of one
    to :data:`PHRASE_WORDS` words; ``[]`` for a dropped letter or two. A quote with neither may run
    across paragraphs.
    """
    wanted = normalise(quote)
    pieces = _pieces(wanted)
    if not pieces:
        return None
    if len(pieces) == 1 and not _ALTERATION.search(wanted):  # plain words: anywhere in the text
        joined = " ".join(paragraphs)
        start = joined.find(pieces[0])
        return (-1, start, start + len(pieces[0])) if start >= 0 else None
    return _in_paragraph(pieces, paragraphs)


def _in_paragraph(pieces: list[str], paragraphs: list[str]) -> tuple[int, int, int] | None:
    """The first paragraph holding every piece in order: each piece's first match after the previous one."""
    patterns = [_piece_pattern(p) for p in pieces]
    for number, paragraph in enumerate(paragraphs):
        at, start = 0, None
        for pattern in patterns:
            match = pattern.search(paragraph, at)
            if match is None:
                break
            start = match.start() if start is None else start
            at = match.end()
        else:
            return (number, start or 0, at)
    return None


def closest_passage(wanted: str, text: str) -> str | None:
    """The run of words in ``text`` most like ``wanted`` (difflib ratio)."""
    words, size = text.split(), len(wanted.split())
    if not words or not size:
        return None
    best, best_ratio = None, 0.0
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(wanted.lower())
    for start in range(0, max(1, len(words) - size + 1)):
        for width in {size - 1, size, size + 1}:
            if width <= 0:
                continue
            candidate = " ".join(words[start:start + width])
            matcher.set_seq1(candidate.lower())
            if matcher.real_quick_ratio() <= best_ratio or matcher.quick_ratio() <= best_ratio:
                continue
            ratio = matcher.ratio()
            if ratio > best_ratio:
                best, best_ratio = candidate, ratio
    return best if best_ratio >= 0.5 else None



__all__ = ["Case", "CaseFact", "allowed_kinds", "Finding", "Text", "case_from_mapping", "load_case",
           "verify_quotes", "normalise", "closest_passage", "find_quote",
           "normalised_paragraphs"]
