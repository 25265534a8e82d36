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
        self.kb_facts: dict[str, list[tuple[tuple[Value, ...], Given]]] = {}
        for fact in program.facts:
            self.kb_facts.setdefault(fact.predicate, []).append((fact.args, Given(fact.fact, "kb")))

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
                 only: set[str] | None = None) -> tuple[Relations, dict]:
        """The least model: every fact of the program and ``facts``, with its record.

        ``shared`` holds relations already complete (the case-independent
        part), reused as they are; ``only`` restricts evaluation to the
        predicates that still need computing.
        """
        relations: Relations = {}
        indexes: dict[IndexKey, dict] = {}
        for predicate in self.program.arities:
            if shared is not None and predicate in shared and (only is None or predicate not in only):
                relations[predicate] = shared[predicate]
                continue
            relation: dict[tuple[Value, ...], object] = {}
            for args, record in self.kb_facts.get(predicate, ()):
                relation.setdefault(args, record)
            relations[predicate] = relation
        for predicate, items in facts.items():
            relation = relations.setdefault(predicate, {})
            for args, record in items:
                relation.setdefault(args, record)
        for predicate, positions in self.indexes:
            if shared_indexes is not None and (predicate, positions) in shared_indexes and \
                    relations[predicate] is shared[predicate]:  # type: ignore[index]
                indexes[(predicate, positions)] = shared_indexes[(predicate, positions)]
            else:
                indexes[(predicate, positions)] = _build_index(relations[predicate], positions)
        total = sum(len(r) for r in relations.values())
        for stratum, compiled in zip(self.program.strata, self.by_stratum):
            if not compiled or (only is not None and not (set(stratum) & only)):
                continue
            total = self._stratum(stratum, compiled, relations, indexes, total)
        return relations, indexes

    def _stratum(self, stratum: tuple[str, ...], compiled: list[CompiledBranch], relations: Relations,
                 indexes: dict, total: int) -> int:
        new: dict[str, dict] = {p: {} for p in stratum}
        produced = [0] * len(compiled)
        for i, unit in enumerate(compiled):
            before = len(new[unit.branch.head.predicate])
            unit.full(relations, indexes, new, None)
            produced[i] += len(new[unit.branch.head.predicate]) - before
        delta, total = self._merge(new, relations, indexes, total, compiled, produced)
        if stratum[0] not in self.program.recursive:
            return total
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
            worst = max(range(len(compiled)), key=lambda i: produced[i])
            rule = compiled[worst].branch.rule
            raise EvaluationError(
                f"evaluation stopped after more than {self.fact_limit:,} facts: rule {rule.label} keeps "
                "producing new values (runaway arithmetic?)", rule.span,
                hint="bound the values the rule computes, or raise the limit with --max-facts")
        return delta, total


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
    """A relation's facts in the canonical (deterministic) order."""
    return sorted(relation, key=args_key)
