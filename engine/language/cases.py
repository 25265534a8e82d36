"""Case files: the facts of one case with their quotes, checked against the KB and the source text."""

from __future__ import annotations

import datetime
import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
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

    @property
    def facts(self) -> tuple[CaseFact, ...]:
        """Every fact of the case, with its provenance where it has one."""
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
    facts: list[CaseFact] = []
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
            facts.append(CaseFact(statement.atom.predicate, tuple(values), statement))
        elif isinstance(statement, ast.Expect):
            for arg in statement.atom.args:
                if not isinstance(arg, ast.Constant):
                    raise CheckError("an expectation states plain values: no variables or arithmetic", arg.span)
            expects.append(statement)
        else:
            what = _STATEMENT_WORDS.get(type(statement), "declaration")
            raise CheckError(f"a case file holds facts and expectations; {what} belongs in a .rules file",
                             statement.span)
    return Case(case_name, citation, name, source, source_span, tuple(facts), tuple(expects), sources=sources)


_STATEMENT_WORDS = {ast.Rule: "a rule", ast.Authority: "an authority", ast.Include: "an 'include'",
                    ast.InputDecl: "an 'input' declaration", ast.Outcomes: "an 'outcomes' declaration"}


def case_from_mapping(facts: Mapping[str, Iterable[tuple[Value, ...]]], name: str | None = None) -> Case:
    """A case given as ``{predicate: [argument tuples]}`` (for the API and batch runs)."""
    table = {p: [tuple(row) for row in rows] for p, rows in facts.items()}
    return Case(name, None, None, None, None, (), (), table)


TYPE_OF_KIND = {"int": int, "date": datetime.date, "symbol": str, "string": Text}


def count_of_values(count: int) -> str:
    return "no values" if count == 0 else "1 value" if count == 1 else f"{count} values"


_KIND_WORDS = {"int": "a whole number", "date": "a date", "symbol": "a symbol", "string": "text in quotes"}
_KIND_EXAMPLES = {"int": "120", "date": "2012-10-24", "symbol": "drug", "string": '"text"'}


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
    """Quotes that do not occur in the case's source, each with the closest passage."""
    if case.source is None:
        return []
    quoted = [f for f in case.facts if f.fact is not None and f.fact.quote is not None]
    if not quoted:
        return []
    with case.sources.locating():
        text = normalise(case.sources.read(Path(case.source), case.source, case.source_span))
    findings = []
    for fact in quoted:
        quote = fact.fact.quote  # type: ignore[union-attr]
        wanted = normalise(quote.text)  # type: ignore[union-attr]
        if wanted and wanted in text:
            continue
        closest = closest_passage(wanted, text)
        findings.append(Finding(
            f"the quote for {format_ground_atom(fact.predicate, fact.args)} is not in {case.source}",
            quote.span,  # type: ignore[union-attr]
            f'the closest passage is: "{closest}"' if closest else None))
    return findings


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



__all__ = ["Case", "CaseFact", "Finding", "Text", "case_from_mapping", "load_case",
           "verify_quotes", "normalise", "closest_passage"]
