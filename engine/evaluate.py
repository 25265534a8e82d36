"""Semi-naive forward chaining over the compiled plans, stratum by stratum.

Relations are dicts from argument tuples to derivation records, so a fact's
record costs no extra lookup: a derived fact maps to ``(branch id, values of
the branch's variables…)``; a stated fact maps to a :class:`Given`.
The facts that do not depend on a case (reference tables, covered
amendments…) are computed once per knowledge base and shared, read-only,
by every run.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from . import ast
from .errors import EvaluationError
from .plan import CompiledBranch, IndexKey, compile_program
from .program import Branch, Program
from .values import Value, args_key

DEFAULT_FACT_LIMIT = 5_000_000


@dataclass(frozen=True)
class Given:
    """The record of a fact stated rather than derived: in a rules file, a case file or by the caller."""

    fact: ast.Fact | None = None
    origin: str = "kb"  # "kb", "case" or "caller"


CALLER = Given(None, "caller")

Relations = dict[str, dict[tuple[Value, ...], object]]


class Engine:
    """A program compiled for evaluation; :meth:`evaluate` runs it on some facts."""

    def __init__(self, program: Program, fact_limit: int = DEFAULT_FACT_LIMIT) -> None:
        self.program = program
        self.fact_limit = fact_limit
        stratum_of = {p: i for i, stratum in enumerate(program.strata) for p in stratum}
        self.stratum_of = stratum_of

        def recursive_in_stratum(branch: Branch, predicate: str) -> bool:
            return stratum_of.get(predicate) == stratum_of[branch.head.predicate] and predicate in program.recursive

        self.compiled, self.indexes = compile_program(list(program.branches), recursive_in_stratum)
        self.by_stratum: list[list[CompiledBranch]] = [[] for _ in program.strata]
        for compiled in self.compiled:
            self.by_stratum[stratum_of[compiled.branch.head.predicate]].append(compiled)
        self.indexes_of: dict[str, list[tuple[int, ...]]] = {}
        for predicate, positions in sorted(self.indexes):
            self.indexes_of.setdefault(predicate, []).append(positions)
        self.kb_facts: dict[str, dict[tuple[Value, ...], Given]] = {}
        for fact in program.facts:
            self.kb_facts.setdefault(fact.predicate, {}).setdefault(fact.args, Given(fact.fact, "kb"))
        self._plans: dict[frozenset[str] | None, tuple[list[str], list[tuple]]] = {}

    def dependents(self, predicates: Iterable[str]) -> set[str]:
        """The given predicates and every predicate whose rules read them, transitively."""
        readers: dict[str, set[str]] = {}
        for head, deps in self.program.depends_on().items():
            for dep in deps:
                readers.setdefault(dep, set()).add(head)
        out: set[str] = set()
        todo = list(predicates)
        while todo:
            predicate = todo.pop()
            if predicate not in out:
                out.add(predicate)
                todo.extend(readers.get(predicate, ()))
        return out

    def evaluate(self, facts: Mapping[str, Iterable[tuple[tuple[Value, ...], object]]],
                 shared: Relations | None = None, shared_indexes: dict | None = None,
                 only: frozenset[str] | set[str] | None = None) -> tuple[Relations, dict]:
        """The least model: every fact of the program and ``facts``, with its record.

        ``shared`` holds relations already complete (the case-independent
        part), reused as they are; ``only`` restricts evaluation to the
        predicates that still need computing.
        """
        own, strata = self._plan_for(only if shared is not None or only is not None else None)
        relations: Relations = dict(shared) if shared is not None else {}
        indexes: dict[IndexKey, dict] = dict(shared_indexes) if shared_indexes is not None else {}
        kb_facts = self.kb_facts
        for predicate in own:
            stated = kb_facts.get(predicate)
            relations[predicate] = dict(stated) if stated else {}
        if len(relations) < len(self.program.arities):  # predicates neither owned nor shared stay empty
            for predicate in self.program.arities:
                relations.setdefault(predicate, {})
        for predicate, items in facts.items():
            relation = relations.get(predicate)
            if relation is None or (shared is not None and relation is shared.get(predicate)):
                relation = relations[predicate] = dict(relation or ())
            for args, record in items:
                relation.setdefault(args, record)
        for predicate, positions in self.indexes:
            if predicate in own or (predicate, positions) not in indexes:
                indexes[(predicate, positions)] = _build_index(relations[predicate], positions)
        total = 0
        for stratum, compiled, recursive in strata:
            if recursive:
                total = self._recursive(stratum, compiled, relations, indexes, total)
            else:
                total = self._single(stratum[0], compiled, relations, indexes, total)
        return relations, indexes

    def _plan_for(self, only: frozenset[str] | set[str] | None) -> tuple[list[str], list[tuple]]:
        """Which predicates a run owns (starts afresh) and which strata it evaluates, cached."""
        key = frozenset(only) if only is not None else None
        plan = self._plans.get(key)
        if plan is None:
            own = [p for p in self.program.arities if key is None or p in key]
            strata = [(stratum, compiled, stratum[0] in self.program.recursive)
                      for stratum, compiled in zip(self.program.strata, self.by_stratum)
                      if compiled and (key is None or set(stratum) & key)]
            plan = self._plans[key] = (own, strata)
        return plan

    def _single(self, predicate: str, compiled: list[CompiledBranch], relations: Relations, indexes: dict,
                total: int) -> int:
        """A non-recursive predicate: its rules read only lower strata, so they emit straight into it."""
        relation = relations[predicate]
        before = len(relation)
        sink = {predicate: relation}
        for unit in compiled:
            unit.full(relations, indexes, sink, None)
        added = len(relation) - before
        if added:
            positions_list = self.indexes_of.get(predicate)
            if positions_list:
                new = list(relation)[before:]
                for positions in positions_list:
                    _extend_index(indexes[(predicate, positions)], positions, new)
            total += added
            if total > self.fact_limit:
                self._too_many(compiled, [len(relation)] * len(compiled))
        return total

    def _recursive(self, stratum: tuple[str, ...], compiled: list[CompiledBranch], relations: Relations,
                   indexes: dict, total: int) -> int:
        new: dict[str, dict] = {p: {} for p in stratum}
        produced = [0] * len(compiled)
        for i, unit in enumerate(compiled):
            before = len(new[unit.branch.head.predicate])
            unit.full(relations, indexes, new, None)
            produced[i] += len(new[unit.branch.head.predicate]) - before
        delta, total = self._merge(new, relations, indexes, total, compiled, produced)
        while delta:
            new = {p: {} for p in stratum}
            for i, unit in enumerate(compiled):
                head = unit.branch.head.predicate
                for predicate, function in unit.deltas:
                    if predicate in delta:
                        before = len(new[head])
                        function(relations, indexes, new, delta)
                        produced[i] += len(new[head]) - before
            delta, total = self._merge(new, relations, indexes, total, compiled, produced)
        return total

    def _merge(self, new: dict[str, dict], relations: Relations, indexes: dict, total: int,
               compiled: list[CompiledBranch], produced: list[int]) -> tuple[dict[str, list], int]:
        delta: dict[str, list] = {}
        for predicate, facts in new.items():
            if not facts:
                continue
            relations[predicate].update(facts)
            added = list(facts)
            delta[predicate] = added
            total += len(added)
            for positions in self.indexes_of.get(predicate, ()):
                _extend_index(indexes[(predicate, positions)], positions, added)
        if total > self.fact_limit:
            self._too_many(compiled, produced)
        return delta, total

    def _too_many(self, compiled: list[CompiledBranch], produced: list[int]) -> None:
        worst = max(range(len(compiled)), key=lambda i: produced[i])
        rule = compiled[worst].branch.rule
        raise EvaluationError(
            f"evaluation stopped after more than {self.fact_limit:,} new facts: rule {rule.label} keeps "
            "producing new values (runaway arithmetic?)", rule.span,
            hint="bound the values the rule computes, or raise the limit with --max-facts")


def _build_index(relation: dict, positions: tuple[int, ...]) -> dict:
    index: dict = {}
    _extend_index(index, positions, relation)
    return index


def _extend_index(index: dict, positions: tuple[int, ...], facts: Iterable[tuple]) -> None:
    if len(positions) == 1:
        (p,) = positions
        for args in facts:
            bucket = index.get(args[p])
            if bucket is None:
                index[args[p]] = [args]
            else:
                bucket.append(args)
    else:
        for args in facts:
            key = tuple(args[p] for p in positions)
            bucket = index.get(key)
            if bucket is None:
                index[key] = [args]
            else:
                bucket.append(args)


def sorted_facts(relation: dict[tuple[Value, ...], object]) -> list[tuple[Value, ...]]:
    """A relation's facts in the canonical (deterministic) order: by kind, then value."""
    facts = list(relation)
    if all(type(v) is int for args in facts for v in args):
        return sorted(facts)  # all-integer relations, the common large case, sort natively
    return sorted(facts, key=args_key)
