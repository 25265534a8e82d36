"""The worker side of a batch: one chunk of cases through a knowledge base, each into a finished row.

A :class:`Runner` lives in each worker (a local process, a Dask worker, or
the parent with ``--jobs 1``): it loads the knowledge base once from a small
picklable :class:`Job`, then turns each :class:`~lexkb.batch.sources.Item`
into a case, runs it, reads the deciding rules from its derivation records
and serialises the output line. A case that cannot be run does not stop the
others: its row carries the error, located, with its line's text already
read (the parent never reads the case, so it could not show it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from lexkb.api import KnowledgeBase, Result, load
from lexkb.batch.cells import TableReader
from lexkb.batch.output import row_text
from lexkb.batch.sources import Item
from lexkb.errors import LexkbError, Span
from lexkb.evaluate.engine import DEFAULT_FACT_LIMIT
from lexkb.language import ast
from lexkb.language.cases import Case, load_case
from lexkb.language.format import format_atom
from lexkb.research.reasons import derivation_branches, grounds
from lexkb.values import Value, to_json


@dataclass(frozen=True)
class Job:
    """What every worker needs to run cases: picklable, hashable, small."""

    kb_paths: tuple[str, ...]  # absolute, so a worker with another working folder finds them
    fact_limit: int = DEFAULT_FACT_LIMIT
    output_format: str = "jsonl"
    atoms: tuple[str, ...] = ()  # predicates whose facts each row lists (batch --atoms)


@dataclass(frozen=True)
class CaseError:
    """A case that could not be run: the error, located, with its line's text for display."""

    message: str
    span: Span | None
    hint: str | None
    line: str | None

    def __str__(self) -> str:
        where = f"{self.span}: " if self.span else ""
        return where + self.message + (f" ({self.hint})" if self.hint else "")


class Row(NamedTuple):
    """A finished case: its output line and what the summary needs."""

    text: str  # the serialised output line(s), newline included
    outcomes: tuple[str, ...]
    met: int
    missed: int
    error: CaseError | None


class Runner:
    """A worker's state: the knowledge base, loaded once, and the reader of its tables' rows."""

    def __init__(self, job: Job, kb: KnowledgeBase | None = None) -> None:
        self.job = job
        self.kb = kb if kb is not None else load(list(job.kb_paths), fact_limit=job.fact_limit)
        self.program = self.kb.program
        self.tables = TableReader(self.program)

    def run_chunk(self, chunk: Sequence[Item]) -> list[Row]:
        """Run each case of a chunk; a case's error goes into its row."""
        return [self.run_item(item) for item in chunk]

    def run_item(self, item: Item) -> Row:
        """One case into its row; any error, located and with its line, goes into the row instead of raising."""
        where = item.file if item.kind == "case" else f"{item.file}:{item.line}"
        names = [where]  # replaced by the case's own name as soon as it is known, even if the case then fails
        try:
            case = self._case(item, names)
            result = self.kb.run(case, validate=item.kind == "case")
            outcomes = tuple(result.outcomes)
            expectations = [(_expect_text(e), ok) for e, ok in result.expectations()]
            deciding = {o: deciding_rules(result, o) for o in outcomes}
            found = {o: [g.to_json() for g in grounds(result, o)] for o in outcomes}
            facts = {p: [[to_json(v) for v in args] for args in result.facts(p)] for p in self.job.atoms}
            error = None
        except LexkbError as problem:
            outcomes, expectations, deciding, found, facts = (), [], {}, {}, {p: [] for p in self.job.atoms}
            error = CaseError(problem.message, problem.span, problem.hint, _line_of(problem, item))
        except Exception as problem:  # one broken case must not stop a million others
            outcomes, expectations, deciding, found, facts = (), [], {}, {}, {p: [] for p in self.job.atoms}
            error = CaseError(f"internal error: {type(problem).__name__}: {problem}", None,
                              "please report this with the case", None)
        met = sum(ok for _, ok in expectations)
        text = row_text(self.job.output_format, self.program, names[-1], where, outcomes, expectations, deciding,
                        str(error) if error else None, grounds=found, facts=facts if self.job.atoms else None)
        return Row(text, outcomes, met, len(expectations) - met, error)

    def _case(self, item: Item, names: list[str]) -> Case:
        if item.kind != "case":
            return self.tables.case(item, names)
        case = load_case(item.text)
        if case.name:
            names.append(case.name)
        return case


def deciding_rules(result: Result, predicate: str, args: tuple[Value, ...] = ()) -> list[str]:
    """The labels of the rules in the recorded derivation of a fact that holds, depth first, each once.

    Walks the derivation records (:func:`reasons.derivation_branches`): a
    derived fact's record is ``(branch id, values of the branch's variables…)``,
    from which each positive condition's matched fact is rebuilt and followed.
    """
    labels: dict[str, None] = {}
    for branch_id in derivation_branches(result, predicate, args):
        branch = result.program.branches[branch_id]
        if not branch.hidden:  # an auxiliary of `not (a and b)`: its rule is already listed
            labels.setdefault(branch.label)
    return list(labels)


def _expect_text(expect: ast.Expect) -> str:
    atom = format_atom(expect.atom)
    return f"not {atom}" if expect.negated else atom


def _line_of(problem: LexkbError, item: Item) -> str | None:
    """The text of an error's line, read while the worker still has it (the parent never read it):
    the table row's own line, or the line the error carries (from its case file or the rules)."""
    span = problem.span
    if span is not None and item.kind != "case" and span.file == item.file:
        lines = item.text.split("\n")
        index = span.line - item.line
        return lines[index].rstrip("\r") if 0 <= index < len(lines) else None
    return problem.line
