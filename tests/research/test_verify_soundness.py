"""Every claim verify proves holds on every case of a small input domain (exhaustive enumeration).

Hypothesis generates small rule bases that read a reference table of more
than ``TABLE_MIN_ROWS`` rows (so the table is read as functions over its key
domain, :mod:`lexkb.research.tables`), with `unless` exceptions and negated
table reads; verify runs on each (bound 1), and then the engine runs every case
with at most one ``level`` fact in a range around the table's keys, with and
without ``flag``: no conflict verify did not report, no gap verify did not
report, and no rule verify called dead fires. Both the default encoding and the
one reading tables in reverse (keys as parameters) are checked.
"""

from __future__ import annotations

from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lexkb
from lexkb.research import symbolic
from lexkb.research.verify import verify

pytest.importorskip("z3")

KEYS = range(symbolic.TABLE_MIN_ROWS + 2)  # one more row than needed for the function encoding
OPS = ["<", "<=", ">", ">=", "=", "!="]

condition = st.tuples(st.sampled_from(["table", "reverse", "level", "not_table"]), st.sampled_from(OPS),
                      st.integers(-1, 4))
rule = st.tuples(st.sampled_from(["grant", "deny"]), st.lists(condition, min_size=1, max_size=2),
                 st.sampled_from(["", "flag", "not_flag"]))


def rule_base(values: list[int], rules: list[tuple[str, list[tuple[str, str, int]], str]]) -> str:
    lines = ["input level(int)", "input flag", "outcomes grant, deny"]
    lines += [f"t({k}, {v})" for k, v in zip(KEYS, values)]
    for number, (outcome, conditions, extra) in enumerate(rules):
        parts = ["level(?l)"]
        for kind, op, constant in conditions:
            if kind == "table":
                parts.append(f"t(?l, ?v{len(parts)}) and ?v{len(parts)} {op} {constant}")
            elif kind == "reverse":  # which keys hold this value? a read with the key unknown
                parts.append(f"t(?k{len(parts)}, {constant}) and ?k{len(parts)} {op} ?l")
            elif kind == "level":
                parts.append(f"?l {op} {constant}")
            else:
                parts.append(f"not t(?l, {constant})")
        if extra == "flag":
            parts.append("flag")
        body = " and ".join(parts)
        unless = " unless flag" if extra == "not_flag" else ""
        lines.append(f"rule r{number}: fires{number} if {body}{unless}")
        lines.append(f"rule to{number}: {outcome} if fires{number}")
    return "\n".join(lines) + "\n"


def check(text: str) -> None:
    kb = lexkb.loads(text, "generated.rules")
    report = verify(kb, bound=1)
    assert not report.gave_up, report.gave_up
    conflict = any(f.kind == "conflict" for f in report.findings)
    gap = any(f.kind == "gap" for f in report.findings)
    dead = {f.message.split()[1] for f in report.findings if f.kind == "dead"}
    cases = [{}] + [{"level": [(n,)]} for n in range(-2, len(KEYS) + 2)]
    for base in cases:
        for flag in (False, True):
            case = {**base, **({"flag": [()]} if flag else {})}
            result = kb.run(case)
            held = set(result.outcomes)
            assert conflict or held != {"grant", "deny"}, (text, case)
            assert gap or held, (text, case)
            for name in dead:
                if name.startswith("r"):
                    assert f"fires{name[1:]}" not in result.relations or not result.relations[f"fires{name[1:]}"], \
                        (text, case, name)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(0, 3), min_size=len(KEYS), max_size=len(KEYS)), st.lists(rule, min_size=1, max_size=3),
       st.booleans())
def test_what_verify_proves_holds_on_every_small_case(values: list[int], rules: list, reverse: bool) -> None:
    with mock.patch.object(symbolic, "REVERSE_READS", reverse):
        check(rule_base(values, rules))
