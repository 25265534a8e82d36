"""Cases one change away from a witness: rules the engine shows live without a question to z3.

A dead-rule question that z3 answers with an example is a case deep in the
rules (a table cell read, a range cut at the statutory maximum). Its
neighbours — the same facts with one fact removed or added, or one value
changed — reach the rules beside the one asked about: moving the statutory
maximum below the bottom of the range turns "cut at the maximum" into "is the
maximum". An engine run costs a fraction of a millisecond where a z3 question
on kb/ costs seconds, so every neighbour is run and each rule still pending
that fires in one is live, shown by that run: nothing here is assumed, and a
rule no neighbour fires is simply asked of z3 as before.

The changes are what-if's (:func:`lexkb.research.whatif.changes_of`: the
candidate values of each argument's type), plus, for an integer argument,
every integer the pending rules read in the witness's own run and the
integers on either side of it: a comparison with a value read from the
Sentencing Table (``?cap < ?glo``) is crossed by the value just below it.
Only where the rules link the two places (one value group,
:func:`lexkb.research.domains.value_groups`): a number of months read is tried
as the statutory maximum, never as the offense level (on kb/, 6,800 engine
runs became 4,400, and showed the same rules live).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from lexkb.compile.program import Branch, Positive
from lexkb.errors import LexkbError
from lexkb.evaluate.engine import deriving_branch
from lexkb.language.cases import case_from_mapping
from lexkb.research.domains import value_groups
from lexkb.research.whatif import Change, apply_changes, changes_of
from lexkb.values import Value

if TYPE_CHECKING:
    from lexkb.api import KnowledgeBase, Result
    from lexkb.research.verify.findings import Facts

NEARBY_RUNS = 5_000  # engine runs at most around one witness (about 0.3 ms each on kb/)


def live_nearby(kb: KnowledgeBase, witness: Facts, result: Result, pending: Sequence[Branch],
                inputs_of: dict[int, set[str]], max_runs: int = NEARBY_RUNS) -> set[int]:
    """The ids of the ``pending`` branches that fire in some case one change away from ``witness``.

    ``result`` is the engine's run on the witness; ``inputs_of`` gives, for each branch, the input
    predicates it can rest on (only changes to those are tried). At most ``max_runs`` engine runs.
    """
    todo = list(pending)
    live: set[int] = set()
    for runs, facts in enumerate(_neighbours(kb, witness, result, todo, inputs_of)):
        if runs >= max_runs or not todo:
            break
        try:
            nearby = kb.run(facts, validate=False)
        except LexkbError:  # a neighbour past a limit (a value too large…) shows nothing
            continue
        fired = fired_among(nearby, todo)
        if fired:
            live |= fired
            todo = [b for b in todo if b.id not in fired]
    return live


def fired_among(result: Result, branches: Sequence[Branch]) -> set[int]:
    """The ids of the branches recorded in ``result`` as deriving some fact (so they matched).

    The engine records one derivation for each fact, so a branch that only derived facts another
    branch derived first is missed: left to z3, never taken for live. Matching every pending branch
    against each neighbour's relations instead found almost nothing more on kb/ and tripled the time.
    """
    relations = result.relations
    wanted = {b.id for b in branches}
    heads = {b.head.predicate for b in branches}
    return {branch.id for predicate in heads for record in relations.get(predicate, {}).values()
            if isinstance(record, tuple) and (branch := deriving_branch(result.program, record)).id in wanted}


def _neighbours(kb: KnowledgeBase, witness: Facts, result: Result, todo: list[Branch],
                inputs_of: dict[int, set[str]]) -> Iterator[dict[str, list[tuple[Value, ...]]]]:
    """The witness with one change each, among the inputs the pending branches rest on."""
    table: dict[str, list[tuple[Value, ...]]] = {}
    for predicate, args in witness:
        table.setdefault(predicate, []).append(args)
    case = case_from_mapping(table)
    inputs = set().union(*(inputs_of.get(b.id, set()) for b in todo))
    read = {lit.atom.predicate for b in todo for lit in b.literals if isinstance(lit, Positive)}
    groups = value_groups(kb.program)
    numbers_of: dict[int, set[int]] = {}  # by the id of the value group where they were read
    for predicate in read:
        for args in result.relations.get(predicate, {}):
            for position, value in enumerate(args):
                group = groups.get((predicate, position))
                if type(value) is int and group is not None:
                    numbers_of.setdefault(id(group), set()).update((value - 1, value, value + 1))
    changes: list[Change] = [c for c in changes_of(kb, case) if c.predicate in inputs]
    tried = {(id(c.fact), c.args) for c in changes if c.kind == "value"}  # what-if's value changes
    for fact in case.facts:
        if fact.predicate not in inputs:
            continue
        for position, old in enumerate(fact.args):
            group = groups.get((fact.predicate, position))
            if type(old) is not int or group is None:
                continue
            for number in sorted(numbers_of.get(id(group), ())):
                args = fact.args[:position] + (number,) + fact.args[position + 1:]
                if number != old and (id(fact), args) not in tried:
                    changes.append(Change("value", fact, fact.predicate, args))
    for change in changes:
        facts = apply_changes(case, (change,))
        if facts is not None:
            yield facts
