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
from collections.abc import Sequence

from lexkb.compile.program import Program

FORMATS = ("jsonl", "csv")


def header(output_format: str, program: Program) -> str:
    """The first line of a CSV output ('' for JSONL, which needs none)."""
    if output_format != "csv":
        return ""
    return csv_line(["case", "where", "outcomes", "expectations_met", "expectations_missed",
                     *[f"rules_{o}" for o in program.outcomes], "error"])


def row_text(output_format: str, program: Program, name: str, where: str, outcomes: Sequence[str],
             expectations: Sequence[tuple[str, bool]], deciding: dict[str, list[str]], error: str | None) -> str:
    """One case's output line, newline included: what held, each expectation, the deciding rules, the error."""
    if output_format == "jsonl":
        return json.dumps({
            "case": name,
            "where": where,
            "outcomes": list(outcomes),
            "expectations": [{"expect": e, "met": ok} for e, ok in expectations],
            "deciding_rules": deciding,
            "error": error,
        }, ensure_ascii=False) + "\n"
    missed = "; ".join(e for e, ok in expectations if not ok)
    cells = [name, where, " ".join(outcomes), sum(ok for _, ok in expectations), missed]
    cells += [" ".join(deciding.get(o, ())) for o in program.outcomes]
    cells.append(error or "")
    return csv_line(cells)


def csv_line(cells: Sequence[object]) -> str:
    """One CSV record, newline included (``\\n``, so output is identical on every platform)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(cells)
    return buffer.getvalue()
