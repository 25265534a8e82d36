"""Acknowledged findings: ``# lexkb: acknowledge …`` comment directives in a rules file.

A reviewed gap, conflict or dead rule is acknowledged in the rules, next to
them, with a written justification, so the review travels with the rules and
needs no grammar change::

    # lexkb: acknowledge gap "a motion that invokes no change is outside the rules"
    # lexkb: acknowledge gap when not relies_on_amendment(?n) "…"
    # lexkb: acknowledge conflict deny eligible "…"
    # lexkb: acknowledge dead rule_name "…"

Directives are checked against the program when read (an unknown outcome or
rule is a located error), and ``when`` narrows one to the inputs where its
conditions hold (:func:`covers`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lexkb.errors import CheckError, Span, did_you_mean
from lexkb.language import ast
from lexkb.language.parser import parse_atom
from lexkb.values import Value

if TYPE_CHECKING:
    from lexkb.api import KnowledgeBase, Result


@dataclass(frozen=True)
class Acknowledgement:
    """One directive: what it acknowledges, under which conditions, and why."""

    kind: str  # "gap", "conflict" or "dead"
    subject: tuple[str, ...]  # (), the two outcomes sorted, or (rule name,)
    when: tuple[tuple[bool, ast.Atom], ...]  # (negated, atom) conditions; empty: always
    justification: str
    span: Span


_DIRECTIVE = re.compile(r"^\s*#\s*lexkb\s*:\s*acknowledge\b(.*)$")
_TAIL = re.compile(r'^(?P<body>.*?)\s*"(?P<why>(?:[^"\\]|\\.)*)"\s*$')


def acknowledgements(kb: KnowledgeBase) -> list[Acknowledgement]:
    """The ``# lexkb: acknowledge …`` directives of every rules file, checked against the program."""
    program = kb.program
    labels = {r.name or r.label for r in program.rules} | {r.label for r in program.rules}
    out = []
    for module in program.modules:
        for number, text in enumerate(kb.sources[module.path].splitlines(), 1):
            match = _DIRECTIVE.match(text)
            if not match:
                continue
            column = text.index("acknowledge") + 1
            span = Span(module.path, number, column, number, len(text) + 1)
            tail = _TAIL.match(match.group(1).strip())
            if not tail or not tail.group("why").strip():
                raise CheckError("an acknowledgement needs a written justification in double quotes", span,
                                 hint='e.g. # lexkb: acknowledge gap "why this is acceptable"')
            body = tail.group("body").split(" when ", 1) if " when " in f" {tail.group('body')} " else \
                [tail.group("body")]
            words = body[0].split()
            when = _when(body[1], span) if len(body) > 1 else ()
            if words and words[-1] == "when":  # `acknowledge gap when …` with nothing before `when`
                words = words[:-1]
            if not words or words[0] not in ("gap", "conflict", "dead"):
                raise CheckError("an acknowledgement names a gap, a conflict or a dead rule", span,
                                 hint='write: acknowledge gap "…", acknowledge conflict A B "…" '
                                      'or acknowledge dead RULE "…"')
            kind, names = words[0], words[1:]
            if kind == "gap" and names:
                raise CheckError("'acknowledge gap' takes no names (use 'when' to narrow it)", span)
            if kind == "conflict":
                if len(names) != 2:
                    raise CheckError("'acknowledge conflict' names the two outcomes that may both hold", span)
                for name in names:
                    if name not in program.outcomes:
                        raise CheckError(f"{name} is not a declared outcome", span,
                                         hint=did_you_mean(name, program.outcomes))
                names = sorted(names)
            if kind == "dead":
                if len(names) != 1:
                    raise CheckError("'acknowledge dead' names one rule", span)
                if names[0] not in labels:
                    raise CheckError(f"no rule is named {names[0]}", span, hint=did_you_mean(names[0], labels))
            out.append(Acknowledgement(kind, tuple(names), when, tail.group("why").replace('\\"', '"'), span))
    return out


def _when(text: str, span: Span) -> tuple[tuple[bool, ast.Atom], ...]:
    out = []
    for part in re.split(r"\s+and\s+", text.strip()):
        negated = part.startswith("not ")
        atom_text = part[4:].strip() if negated else part.strip()
        try:
            atom = parse_atom(atom_text, span.file)
        except CheckError:
            raise
        except Exception as error:  # a SyntaxProblem located in the directive, not in a file
            raise CheckError(f"cannot read the condition '{atom_text}' of this acknowledgement", span) from error
        out.append((negated, atom))
    return tuple(out)


def covers(ack: Acknowledgement, result: Result) -> bool:
    """Whether an acknowledgement's ``when`` conditions hold in the engine's result for a witness."""
    for negated, atom in ack.when:
        found = any(_matches_pattern(atom, args) for args in result.relations.get(atom.predicate, {}))
        if found == negated:
            return False
    return True


def _matches_pattern(atom: ast.Atom, args: tuple[Value, ...]) -> bool:
    """Whether a fact's values match an atom whose variables stand for any value (the same each time)."""
    seen: dict[str, Value] = {}
    for arg, value in zip(atom.args, args):
        if isinstance(arg, ast.Constant):
            if arg.value != value:
                return False
        elif isinstance(arg, ast.Variable):
            if seen.setdefault(arg.name, value) != value:
                return False
    return True
