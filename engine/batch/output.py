"""The batch's output rows: one JSONL object or one CSV record per case, in a fixed column order.

Rows are serialised in the worker that ran the case, so the parent only
writes finished text; the bytes depend on nothing but the case and the
rules (``\\n`` line ends, the program's outcome order), so the output is the
same whatever the number of workers or the platform.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from typing import Any

from lexkb.compile.program import Program

FORMATS = ("jsonl", "csv")


def header(output_format: str, program: Program, *, grounds: bool = False, atoms: Sequence[str] = ()) -> str:
    """The first line of a CSV output ('' for JSONL, which needs none).

    ``grounds`` adds an ``authorities_OUTCOME`` column per outcome, ``atoms``
    a column per predicate whose facts each row lists (``batch --atoms``).
    """
    if output_format != "csv":
        return ""
    return csv_line(["case", "where", "outcomes", "expectations_met", "expectations_missed",
                     *[f"rules_{o}" for o in program.outcomes],
                     *([f"authorities_{o}" for o in program.outcomes] if grounds else []), *atoms, "error"])


def row_text(output_format: str, program: Program, name: str, where: str, outcomes: Sequence[str],
             expectations: Sequence[tuple[str, bool]], deciding: dict[str, list[str]], error: str | None, *,
             grounds: dict[str, list[dict[str, Any]]] | None = None,
             facts: dict[str, list[list[object]]] | None = None) -> str:
    """One case's output line, newline included: what held, each expectation, the deciding rules, the error.

    ``grounds`` (each outcome's grounds with all their authorities,
    :func:`lexkb.research.reasons.grounds`) and ``facts`` (the facts of the
    predicates asked for with ``--atoms``, values as in ``run``'s JSON) are
    added when given: JSONL fields, CSV columns (as in :func:`header`).
    """
    if output_format == "jsonl":
        row: dict[str, object] = {
            "case": name,
            "where": where,
            "outcomes": list(outcomes),
            "expectations": [{"expect": e, "met": ok} for e, ok in expectations],
            "deciding_rules": deciding,
        }
        if grounds is not None:
            row["grounds"] = grounds
        if facts is not None:
            row["facts"] = facts
        row["error"] = error
        return json.dumps(row, ensure_ascii=False) + "\n"
    missed = "; ".join(e for e, ok in expectations if not ok)
    cells = [name, where, " ".join(outcomes), sum(ok for _, ok in expectations), missed]
    cells += [" ".join(deciding.get(o, ())) for o in program.outcomes]
    if grounds is not None:
        cells += [" ".join(dict.fromkeys(a for g in grounds.get(o, ()) for a in g["authorities"]))
                  for o in program.outcomes]
    if facts is not None:
        # As a table of cases writes them: values of one fact joined by |, facts by ;.
        cells += [";".join("|".join(str(v) for v in values) for values in rows) for rows in facts.values()]
    cells.append(error or "")
    return csv_line(cells)


# A spreadsheet reads a cell starting with one of these as a formula (OWASP "CSV
# injection"): a case name such as =HYPERLINK(...) from a table of cases would run.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def neutralise(cell: object) -> object:
    """A text cell a spreadsheet would read as a formula, prefixed with ``'`` (shown as text);
    numbers, including negative ones, are left as they are."""
    if isinstance(cell, str) and cell.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def csv_line(cells: Sequence[object]) -> str:
    """One CSV record, newline included (``\\n``, so output is identical on every platform),
    formula-leading text cells neutralised."""
    buffer = io.StringIO()
    # The writer quotes a cell holding any character of its line terminator: with "\r\n" a
    # lone CR inside a cell is quoted too (with "\n" it was written bare and broke the record).
    csv.writer(buffer, lineterminator="\r\n").writerow([neutralise(cell) for cell in cells])
    return buffer.getvalue()[:-2] + "\n"
