"""The reasons files of `lexkb test`: each case's decisive reasons saved, and how they changed since.

A reasons file maps each case (by its path relative to the file) to the
rules and authorities that decided each outcome that held
(:func:`lexkb.research.reasons.decisive_reasons`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

REASONS_FILE = ".reasons.json"


def default_reasons_path(case_path: str) -> Path:
    """Where saved reasons live by default: ``.reasons.json`` in the case's folder."""
    return Path(case_path).parent / REASONS_FILE


def reasons_key(case_path: str, reasons_path: Path) -> str:
    """A case's key in a reasons file: its path relative to the file's folder, with '/'."""
    case = Path(case_path).resolve()
    try:
        return case.relative_to(reasons_path.resolve().parent).as_posix()
    except ValueError:
        return case.as_posix()


def load_reasons(path: Path) -> dict[str, Any] | None:
    """A saved reasons file, or None when there is none (or it is not ours)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("cases"), dict):
        return None
    return data["cases"]


def dump_reasons(cases: dict[str, Any]) -> bytes:
    """The reasons file's bytes: sorted keys, so the same reasons give the same file."""
    payload = {"lexkb": "reasons", "version": 1, "cases": cases}
    return (json.dumps(payload, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def reason_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Lines describing how a case's decisive reasons changed (outcomes that held before and now)."""
    lines = []
    for outcome in sorted(set(old) & set(new)):
        for kind in ("rules", "authorities"):
            before, after = set(old[outcome].get(kind, [])), set(new[outcome].get(kind, []))
            if before == after:
                continue
            noun = "rule" if kind == "rules" else "authority"
            for item in sorted(after - before):
                lines.append(f"{outcome}: now also {noun} {item}")
            for item in sorted(before - after):
                lines.append(f"{outcome}: no longer {noun} {item}")
    for outcome in sorted(set(old) - set(new)):
        lines.append(f"{outcome}: held when the reasons were saved, does not hold now")
    for outcome in sorted(set(new) - set(old)):
        lines.append(f"{outcome}: holds now, did not when the reasons were saved")
    return lines


class ReasonLedger:
    """The reasons files of one `lexkb test` run: what was saved before, what this run found.

    ``save``: write this run's reasons to that file ("" for the default file
    beside each case's folder); ``compare_with``: the file to compare against
    (default: the file the reasons would be saved to, when not saving).
    """

    def __init__(self, save: str | None = None, compare_with: str | None = None) -> None:
        self.save_to = save
        self.compare_with = compare_with
        self._previous: dict[Path, dict[str, Any] | None] = {}
        self.fresh: dict[Path, dict[str, Any]] = {}

    def path_for(self, case_path: str) -> Path:
        chosen = self.save_to or self.compare_with
        return Path(chosen) if chosen else default_reasons_path(case_path)

    def changes(self, case_path: str, reasons: dict[str, Any]) -> tuple[Path, list[str]]:
        """Record a case's reasons; the lines saying how they differ from the saved ones."""
        store = self.path_for(case_path)
        key = reasons_key(case_path, store)
        self.fresh.setdefault(store, {})[key] = reasons
        if store not in self._previous:
            source = Path(self.compare_with) if self.compare_with else (store if self.save_to is None else None)
            self._previous[store] = load_reasons(source) if source is not None else None
        old = (self._previous[store] or {}).get(key)
        return store, reason_changes(old, reasons) if old is not None else []

    def save(self) -> list[tuple[Path, int, bytes]]:
        """Each reasons file to write (merged with what it held), with how many cases it gained."""
        return [(store, len(entries), dump_reasons({**(load_reasons(store) or {}), **entries}))
                for store, entries in self.fresh.items()]

