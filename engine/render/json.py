"""The derivation as JSON for other tools; the schema is documented in docs/explanation-json.md."""

from __future__ import annotations

import json
from typing import Any

from lexkb.explain.graph import SCHEMA_VERSION, Derivation
from lexkb.values import to_json


def to_data(d: Derivation, *, depth: int | None = None) -> dict[str, Any]:
    """The JSON document as Python data (see docs/explanation-json.md)."""
    nodes = [n for n in d.walk() if depth is None or n.level <= depth]
    kept = {n.id for n in nodes}
    return {
        "schema_version": SCHEMA_VERSION,
        "mode": d.mode,
        "atom": d.atom,
        "predicate": d.predicate,
        "args": [to_json(v) for v in d.args],
        "holds": d.holds,
        "case": dict(d.case),
        "depth": depth if depth is not None else d.depth,
        "root": d.root,
        "grounds": [g.id for g in d.grounds],
        "authorities": d.authorities(),
        "nodes": [
            {
                "id": n.id,
                "kind": n.kind,
                "label": n.label,
                "level": n.level,
                "failed": n.failed,
                "children": [c for c in n.children if c in kept],
                "cut": any(c not in kept for c in n.children) or bool(n.detail.get("truncated")),
                "detail": n.detail,
            }
            for n in nodes
        ],
    }


def render_json(d: Derivation, *, depth: int | None = None) -> str:
    """Pretty-printed JSON, keys in a fixed order, UTF-8 text (not \\u escapes)."""
    return json.dumps(to_data(d, depth=depth), indent=2, ensure_ascii=False) + "\n"
