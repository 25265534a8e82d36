"""Semi-naive forward chaining over the compiled plans, stratum by stratum.

Relations are dicts from argument tuples to derivation records, so a fact's
record costs no extra lookup: a derived fact maps to ``(branch id, values of
the branch's variables that the fact itself does not show…)`` (decoded by
:func:`bindings`); a stated fact maps to a :class:`Given`.
The facts that do not depend on a case (reference tables, covered
amendments…) are computed once per knowledge base and shared, read-only,
by every run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from operator import itemgetter
from typing import cast

from lexkb.compile.codegen import CompiledBranch, compile_program, compile_sequence
from lexkb.compile.program import Branch, Negative, Positive, Program
from lexkb.errors import EvaluationError
from lexkb.language import ast
from lexkb.limits import MAX_INTEGER_DIGITS, IntegerTooLarge
from lexkb.values import Value, args_key

DEFAULT_FACT_LIMIT = 5_000_000


@dataclass(frozen=True)
class Given:
    """The record of a fact stated rather than derived: in a rules file, a case file or by the caller."""

    fact: ast.Fact | None = None
    origin: str = "kb"  # "kb", "case" or "caller"


CALLER = Given(None, "caller")

Relations = dict[str, dict[tuple[Value, ...], object]]


@dataclass
class Baseline:
    """The shared starting point of runs whose inputs are the ``dynamic`` predicates."""

    relations: Relations  # complete for static predicates; seeds for dynamic ones (never mutated)
    indexes: dict
    dynamic: frozenset[str]
    steps: list[tuple]  # what each run evaluates: ("fused", function) or ("recursive", stratum, branches)


def _reads(unit: CompiledBranch, predicates: frozenset[str]) -> bool:
    return any(isinstance(lit, (Positive, Negative)) and lit.atom.predicate in predicates
               for lit in unit.branch.literals)


class Engine:
    """A program compiled for evaluation: :meth:`baseline` once per kind of case, :meth:`run` per case."""

    def __init__(self, program: Program, fact_limit: int = DEFAULT_FACT_LIMIT) -> None:
        self.program = program
        self.fact_limit = fact_limit
        self.compiled, self.indexes = compile_program(list(program.branches), program.recursive_in_stratum)
        self.by_stratum: list[list[CompiledBranch]] = [[] for _ in program.strata]
        for compiled in self.compiled:
            self.by_stratum[program.stratum_of[compiled.branch.head.predicate]].append(compiled)
        self.indexes_of: dict[str, list[tuple[int, ...]]] = {}
        for predicate, positions in sorted(self.indexes):
            self.indexes_of.setdefault(predicate, []).append(positions)
        self.kb_facts: dict[str, dict[tuple[Value, ...], Given]] = {}
        for fact in program.facts:
            self.kb_facts.setdefault(fact.predicate, {}).setdefault(fact.args, Given(fact.fact, "kb"))

    def dependents(self, predicates: Iterable[str]) -> set[str]:
        """The given predicates and every predicate whose rules read them (see :meth:`Program.dependents`)."""
        return self.program.dependents(predicates)

    def baseline(self, dynamic: Iterable[str]) -> Baseline:
        """Evaluate everything that does not depend on the ``dynamic`` predicates, once.

        The result is complete for the other predicates, and for each dynamic
        predicate holds what its case-independent rules conclude: every run
        starts from it instead of recomputing it.
        """
        dynamic = frozenset(dynamic)
        relations: Relations = {p: dict(self.kb_facts.get(p, ())) for p in self.program.arities}
        indexes = {(p, positions): _build_index(relations[p], positions) for p, positions in self.indexes}
        static_strata, run_strata = [], []
        for stratum, compiled in zip(self.program.strata, self.by_stratum):
            if not compiled:
                continue
            recursive = stratum[0] in self.program.recursive
            if not set(stratum) & dynamic:
                static_strata.append((stratum, compiled, recursive))
                continue
            reads_only_static = [unit for unit in compiled if not _reads(unit, dynamic)]
            rest = [unit for unit in compiled if _reads(unit, dynamic)]
            if reads_only_static:
                static_strata.append((stratum, reads_only_static, False))
            if rest:
                run_strata.append((stratum, rest, recursive))
        try:
            self._run(static_strata, relations, indexes)
        except IntegerTooLarge as error:
            raise self._integer_limit(error) from None
        return Baseline(relations, indexes, dynamic, self._steps(run_strata))

    def _steps(self, strata: list[tuple]) -> list[tuple]:
        """Consecutive non-recursive strata fused into one compiled function each."""
        steps: list[tuple] = []
        pending: list[Branch] = []
        indexed = set(self.indexes_of)
        for stratum, compiled, recursive in strata:
            if recursive:
                if pending:
                    steps.append(("fused", compile_sequence(pending, indexed)[1]))
                    pending = []
                steps.append(("recursive", stratum, compiled))
            else:
                pending.extend(sorted((unit.branch for unit in compiled), key=lambda b: b.head.predicate))
        if pending:
            steps.append(("fused", compile_sequence(pending, indexed)[1]))
        return steps

    def run(self, baseline: Baseline, facts: Mapping[str, Iterable[tuple[tuple[Value, ...], object]]]
            ) -> Relations:
        """Evaluate the dynamic part on top of a baseline, with ``facts`` (e.g. a case's) added."""
        relations = dict(baseline.relations)
        indexes = dict(baseline.indexes)
        for predicate in baseline.dynamic:
            relations[predicate] = dict(baseline.relations[predicate])
            for positions in self.indexes_of.get(predicate, ()):
                start = baseline.indexes[(predicate, positions)]
                indexes[(predicate, positions)] = {k: v[:] for k, v in start.items()} if start else {}
        for predicate, items in facts.items():
            relation = relations[predicate]
            before = len(relation)
            for args, record in items:
                relation.setdefault(args, record)
            if len(relation) > before:
                added = list(relation)[before:]
                for positions in self.indexes_of.get(predicate, ()):
                    _extend_index(indexes[(predicate, positions)], positions, added)
        total = 0
        try:  # a plain try, not a context manager: one run of a small case takes microseconds
            for step in baseline.steps:
                if step[0] == "fused":
                    step[1](relations, indexes, self._grower(relations, indexes))
                else:
                    total = self._recursive(step[1], step[2], relations, indexes, total)
        except IntegerTooLarge as error:
            raise self._integer_limit(error) from None
        return relations

    def _integer_limit(self, error: IntegerTooLarge) -> EvaluationError:
        """Arithmetic beyond the integer limit (a rule squaring its own conclusion) stops the run naming the rule."""
        rule = self.program.branches[error.branch].rule
        return EvaluationError(
            f"evaluation stopped: rule {rule.label} computes an integer of more than "
            f"{MAX_INTEGER_DIGITS:,} digits (runaway arithmetic?)", rule.span,
            hint="bound the values the rule computes, or raise the limit with "
                 "LEXKB_MAX_INTEGER_DIGITS (docs/cli.md, Limits)")

    def _grower(self, relations: Relations, indexes: dict) -> Callable[[str, int], None]:
        def grow(predicate: str, before: int) -> None:
            new = list(relations[predicate])[before:]
            for positions in self.indexes_of[predicate]:
                _extend_index(indexes[(predicate, positions)], positions, new)
        return grow

    def _run(self, strata: list[tuple], relations: Relations, indexes: dict) -> None:
        total = 0
        for stratum, compiled, recursive in strata:
            if recursive:
                total = self._recursive(stratum, compiled, relations, indexes, total)
            else:
                total = self._single(compiled, relations, indexes, total)

    def _single(self, compiled: list[CompiledBranch], relations: Relations, indexes: dict, total: int) -> int:
        """Rules that do not read their own conclusions: one pass, emitting straight into the relation."""
        for unit in compiled:
            predicate = unit.branch.head.predicate
            relation = relations[predicate]
            before = len(relation)
            unit.full(relations, indexes, {predicate: relation}, None)
            added = len(relation) - before
            if added:
                positions_list = self.indexes_of.get(predicate)
                if positions_list:
                    new = list(relation)[before:]
                    for positions in positions_list:
                        _extend_index(indexes[(predicate, positions)], positions, new)
                total += added
                if total > self.fact_limit:
                    self._too_many([unit], [added])
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
    key_of = itemgetter(*positions)  # one position: the value itself; several: a tuple
    for args in facts:
        key = key_of(args)
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


def deriving_branch(program: Program, record: tuple[object, ...]) -> Branch:
    """The branch that derived a fact, from the fact's derivation record (see :func:`bindings`)."""
    return program.branches[cast(int, record[0])]


def bindings(program: Program, args: tuple[Value, ...], record: object) -> tuple[Branch, dict[str, Value]] | None:
    """For a derived fact ``args`` and its record: the branch that derived it and the value of each variable.

    None for a stated fact (its record is a :class:`Given`). A record is
    ``(branch id, values of branch.stored…)``: the variables that stand alone in
    the conclusion are read back from the fact itself. This is the one place
    that reads the layout of a derivation record (compile/codegen.py writes it).
    """
    if not isinstance(record, tuple):
        return None
    branch = deriving_branch(program, record)
    env = {name: args[position] for position, name in branch.head_positions}
    env.update(zip(branch.stored, record[1:]))
    return branch, env
