"""The z3 side of verify: every case with at most ``bound`` facts of each input, encoded, and queries on it.

Each input predicate gets ``bound`` fact slots (one for a zero-argument
input), each present or not, with values of its declared types; the rules
are encoded over those slots by :class:`~lexkb.research.symbolic.Encoding`.
The checks (:mod:`.outcomes`, :mod:`.dead`) only ask two questions: can this
formula hold (:meth:`BoundedSolver.satisfiable`), and under which fewest facts
(:meth:`BoundedSolver.witness`).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

import z3

from lexkb.compile.program import Branch, Negative, Positive
from lexkb.errors import CheckError
from lexkb.language.cases import case_from_mapping
from lexkb.research.symbolic import Encoding, EncodingLimit, program_symbols
from lexkb.research.symbolic_values import Slot, conj, make_slot, model_value, neg
from lexkb.research.verify.acknowledgements import Acknowledgement
from lexkb.research.verify.findings import Facts

if TYPE_CHECKING:
    from lexkb.api import KnowledgeBase, Result

SOLVER_TIMEOUT_MS = 60_000
DEAD_TIMEOUT_MS = 10_000
# z3 resource units for each check of a dead-rule question's first, quick attempt (BoundedSolver._solver):
# twice what the longest of kb/'s questions takes (2.45 million), a few seconds' work.
QUICK_BUDGET = 5_000_000

# How much of BoundedSolver._ask a question gets: everything at once (``all``), or, as the dead-rule
# check asks, one attempt at a time: the quick one (``quick``), z3's default in a solver of its own
# (``default``), the shared solver (``shared``).
Stage = Literal["all", "quick", "default", "shared"]


class GaveUp(Exception):
    """z3 answered "unknown": the question is undecided, never to be read as "no" (nor printed as proved).

    ``reason`` is z3's own (``timeout``, ``incomplete (theory arithmetic)``…), in words.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def decide(checker: z3.Solver | z3.Optimize, timeout_ms: int, *assumptions: z3.BoolRef, budget: int = 0) -> bool:
    """Whether the checker's assertions can hold: True or False, else :class:`GaveUp` with z3's reason.

    z3 catches Ctrl-C itself during a query: it cancels the query and answers "unknown",
    which must stop the run, not become a "gave up" (KeyboardInterrupt is raised).
    A Solver says "interrupted from keyboard"; an Optimize, or a solver made from tactics,
    says "canceled" for a Ctrl-C, its own timeout and its resource budget alike, so the
    time taken and the resources spent tell them apart. ``budget``: the z3 resource
    units the checker may spend on this check (its ``rlimit``), 0 for none.
    """
    started = time.monotonic()
    spent = _resources_spent(checker) if budget else 0
    answer = checker.check(*assumptions)
    if answer == z3.sat:
        return True
    if answer == z3.unsat:
        return False
    reason = checker.reason_unknown()
    elapsed_ms = (time.monotonic() - started) * 1000
    if budget and reason == "canceled" and _resources_spent(checker) - spent >= budget:
        raise GaveUp(f"not answered within a budget of {budget:,} z3 resource units")
    if "interrupted" in reason or (reason == "canceled" and elapsed_ms < timeout_ms * 0.9):
        raise KeyboardInterrupt
    if reason in ("timeout", "canceled"):
        reason = f"no answer within {timeout_ms / 1000:g} s; raise --timeout"
    raise GaveUp(reason)


def _resources_spent(checker: z3.Solver | z3.Optimize) -> int:
    """The resource units (z3's deterministic measure of work) the checker has spent in all its checks."""
    return next((int(value) for key, value in checker.statistics() if key == "rlimit count"), 0)


class BoundedSolver:
    """The rules encoded over every case with at most ``bound`` facts of each input; recursion unfolded ``depth`` times."""

    def __init__(self, kb: KnowledgeBase, bound: int, depth: int, timeout_ms: int | None = None) -> None:
        """``timeout_ms`` bounds every z3 query; by default a witness gets :data:`SOLVER_TIMEOUT_MS`
        and each of the many dead-rule queries :data:`DEAD_TIMEOUT_MS`."""
        self.kb = kb
        self.program = kb.program
        self.bound = bound
        self.depth = depth
        self.timeout_ms = timeout_ms or SOLVER_TIMEOUT_MS
        self.dead_timeout_ms = timeout_ms or DEAD_TIMEOUT_MS
        self.slots: list[Slot] = []
        self.constraints: list[z3.BoolRef] = []
        for predicate, decl in sorted(self.program.inputs.items()):
            count = 1 if not decl.types else bound
            for i in range(count):
                slot, constraints = make_slot(predicate, [t.text for t in decl.types], f"{predicate}#{i + 1}")
                self.slots.append(slot)
                self.constraints += constraints
        static = kb.run(case_from_mapping({}), validate=False).relations
        try:
            self.encoding = Encoding(self.program, kb.engine, static, self.slots, self.constraints, depth)
        except EncodingLimit as error:
            span = error.rule.span if error.rule else None
            raise CheckError(f"verify cannot encode this rule base: {error}", span,
                             hint="split the rule, or lower --bound") from None
        self.symbols = program_symbols(self.program)
        self._context = z3.main_ctx()  # the encoding's terms are made in z3's default context
        # Every slot after the first of its input absent: the cases with at most one fact of each input.
        self._one_fact_each: list[z3.BoolRef] = []
        seen: set[str] = set()
        for slot in self.slots:
            if slot.predicate in seen:
                self._one_fact_each.append(z3.Not(slot.present))
            seen.add(slot.predicate)
        self._shared: z3.Solver | None = None  # the solver of satisfiable() and example(), made at the first
        self._given = 0  # how many named-guard definitions it has been given
        abstracted = self.encoding.abstracted
        # Predicates whose encoding is inexact: the abstracted ones and everything reading them.
        self.approximated = kb.engine.dependents(abstracted) if abstracted else set()
        # Outside `region`, no abstracted predicate can hold, so the encoding is exact there.
        self.region = conj(*(neg(self.encoding.trigger(p)) for p in sorted(abstracted)))

    def is_exact(self, branch: Branch) -> bool:
        """Whether a rule branch is encoded exactly: it neither concludes nor reads an approximated predicate."""
        return branch.head.predicate not in self.approximated and not any(
            isinstance(lit, (Positive, Negative)) and lit.atom.predicate in self.approximated
            for lit in branch.literals)

    def satisfiable(self, formula: Any) -> bool:
        """Whether ``formula`` can hold; :class:`GaveUp` when z3 cannot tell within the time limit."""
        if formula is True or formula is False:
            return formula
        return self._ask(formula) is not None

    def example(self, formula: Any, stage: Stage = "all") -> Facts | None:
        """Some input facts under which ``formula`` holds (not the fewest), None when none can.

        :class:`GaveUp` when z3 cannot tell. ``stage``: which of the attempts of :meth:`_ask` to make.
        """
        if formula is False:
            return None
        model = self._ask(formula, stage)
        return None if model is None else self._facts_of(model)

    def _ask(self, formula: Any, stage: Stage = "all") -> z3.ModelRef | None:
        """A model of ``formula``, or None when it cannot hold.

        Asked of three solvers at most, each time with the dead-rule time limit. First
        of a solver given only the definitions the formula reaches, in a z3 context of
        its own (:meth:`_solver`; z3 answered all of kb/'s questions this way, each
        in under 1.5 s), at first among the cases with one fact of each input: once
        quickly, within a budget of z3's resources, then as z3 does by default. Then,
        if neither has answered, of the one solver all questions share: the definitions of the named guards are given
        to it once, and each question is asked under an assumption
        (``question -> formula``), so z3 internalises the encoding once and what
        it learns answering one question (the clauses it derives about the tables
        and ranges) serves the next; on kb/ that answers in a second questions a
        solver of their own could not answer in ten. Adding every definition
        changes no answer, since each only names a formula.

        ``stage``: ``all``, every attempt in turn; else only the one it names: ``quick``, the quick
        attempt; ``default``, z3's default in a solver of its own; ``shared``, the shared solver
        (asked again, it may have learned since, where a solver of its own has nothing new to
        offer). A stage that does not decide raises :class:`GaveUp`.
        """
        budgets = {"all": (QUICK_BUDGET, 0), "quick": (QUICK_BUDGET,), "default": (0,), "shared": ()}[stage]
        for budget in budgets:  # quickly first, within a budget; then as z3 does by default
            solver, one_fact_each = self._solver(self.dead_timeout_ms, formula, self._one_fact_each,
                                                 budget=budget)
            try:
                # First among the cases with one fact of each input (an assumption, so the same
                # solver is asked again without it): most rules fire in such a case, and z3 finds
                # one in a third of the time (kb/: 30 s of questions became 19 s).
                if one_fact_each and decide(solver, self.dead_timeout_ms, *one_fact_each, budget=budget):
                    return self._model_of(solver)
                return self._model_of(solver) if decide(solver, self.dead_timeout_ms, budget=budget) else None
            except GaveUp:
                if stage != "all":
                    raise
        shared = self._shared
        if shared is None:
            shared = self._shared = z3.Solver()
            shared.add(*self.constraints)
        shared.add(*self.encoding.named.all_since(self._given))
        self._given = len(self.encoding.named)
        question = z3.FreshBool("question")
        shared.add(z3.Implies(question, formula))
        shared.set("timeout", self.dead_timeout_ms)
        return shared.model() if decide(shared, self.dead_timeout_ms, question) else None

    def run(self, facts: Facts) -> Result:
        """The engine on a set of input facts (a witness, an example)."""
        table: dict[str, list[tuple[Any, ...]]] = {}
        for predicate, args in facts:
            table.setdefault(predicate, []).append(args)
        return self.kb.run(table)

    def witness(self, formula: Any) -> Facts | None:
        """A smallest set of input facts (fewest facts stated) under which ``formula`` holds, None when none can.

        :class:`GaveUp` when z3 cannot tell: "unknown" is not "no witness".
        """
        if formula is False:
            return None
        optimizer = self._optimizer(self.timeout_ms, formula, [z3.Not(slot.present) for slot in self.slots])
        try:
            if not decide(optimizer, self.timeout_ms):
                return None
            model = self._model_of(optimizer)
        except GaveUp:  # minimising is harder than finding one: any witness will do
            solver, _ = self._solver(self.timeout_ms, formula)
            if not decide(solver, self.timeout_ms):
                return None
            model = self._model_of(solver)
        return self._facts_of(model)

    def outside(self, acks: list[Acknowledgement]) -> Any:
        """Inputs outside every acknowledgement's `when` (False when one covers everything)."""
        parts = []
        for ack in acks:
            if not ack.when:
                return False
            covered = conj(*(neg(self.encoding.holds_pattern(a)) if negated else self.encoding.holds_pattern(a)
                             for negated, a in ack.when))
            parts.append(neg(covered))
        return conj(*parts)

    def _solver(self, timeout_ms: int, formula: Any, extra: Sequence[z3.BoolRef] = (),
                budget: int = 0) -> tuple[z3.Solver, list[z3.BoolRef]]:
        """A solver holding the input constraints, the definitions ``formula`` depends on, and
        ``formula``; with ``extra`` (assumptions, soft constraints) made in the solver's context.

        The solver has a z3 context of its own, holding only what the question reads: the
        encoding's context holds every term of the encoding (on kb/, hundreds of thousands),
        and z3's string theory pays for them in every check made there — a question about
        two symbols took 0.17 s in it and 0.005 s in a context of its own; kb/'s dead-rule
        questions, 19 s in all, took 6 s. The terms are translated at once, so what they
        share is translated once. The model is translated back (:meth:`_model_of`).

        z3's own simplifier, then its SMT core: z3's default for a one-off question also
        solves equations, which inlines each named guard's definition back into every
        formula that reads it, and was 2 to 10 times slower on the questions kb/ asks.

        With a ``budget`` (z3 resource units for each check), a question without quantifiers
        is solved without z3's relevancy filter (``relevancy=0``), which only serves
        quantifier instantiation: kb/'s six longest dead-rule questions took 25 to 40% less
        time. But some questions it makes much harder (``deny_at_floor`` under
        ``--no-cases``: no answer in 40 s, against 7 s with the filter), hence the budget,
        after which the question is asked again without it (:meth:`_ask`). A budget rather
        than a time limit, so that the same question takes the same path on every machine.
        The quick attempt also skips the simplifier: the SMT core simplifies what it is given
        itself, and on kb/ its five longest dead-rule questions took 1.8 s without the extra
        pass against 2.4 s with it. Asked again as z3 does by default, a question keeps the
        pass: without it, one that ``--no-cases`` asks (comparably_less_term) took 9 s, not 4.
        """
        context, moved, count = self._moved(formula, extra)
        core = z3.Tactic("smt", ctx=context)
        if budget:
            core = z3.Cond(z3.Probe("has-quantifiers", ctx=context), core,
                           z3.With("smt", relevancy=0, ctx=context), ctx=context)
        solver = (core if budget else z3.Then("simplify", core, ctx=context)).solver()
        solver.set("timeout", timeout_ms)
        if budget:
            solver.set("rlimit", budget)
        raw = context.ref()
        for i in range(count):  # through the C API: a Python wrapper for each term cost more than z3
            z3.Z3_solver_assert(raw, solver.solver, z3.Z3_ast_vector_get(raw, moved.vector, i))
        return solver, [moved[i] for i in range(count, len(moved))]

    def _optimizer(self, timeout_ms: int, formula: Any, soft: Sequence[z3.BoolRef]) -> z3.Optimize:
        """An optimizer holding what :meth:`_solver`'s solver holds, in a context of its own, and the
        ``soft`` constraints (asserted directly: copying a solver's thousands of assertions into an
        optimizer cost 0.1 s a question on kb/)."""
        context, moved, count = self._moved(formula, soft)
        optimizer = z3.Optimize(ctx=context)
        optimizer.set("timeout", timeout_ms)
        raw = context.ref()
        for i in range(count):
            z3.Z3_optimize_assert(raw, optimizer.optimize, z3.Z3_ast_vector_get(raw, moved.vector, i))
        for i in range(count, len(moved)):
            optimizer.add_soft(moved[i])
        return optimizer

    def _moved(self, formula: Any, extra: Sequence[z3.BoolRef]) -> tuple[z3.Context, z3.AstVector, int]:
        """The input constraints, the definitions ``formula`` depends on, ``formula`` and then ``extra``,
        translated at once into a new z3 context (see :meth:`_solver`); and how many come before ``extra``."""
        terms = [*self.constraints, *self.encoding.named.definitions(formula)]
        if formula is not True:
            terms.append(formula)
        context = z3.Context()
        vector = z3.AstVector()
        for term in (*terms, *extra):
            vector.push(term)
        return context, vector.translate(context), len(terms)

    def _model_of(self, checker: z3.Solver | z3.Optimize) -> z3.ModelRef:
        """The checker's model, translated back into the encoding's context (see :meth:`_solver`)."""
        return checker.model().translate(self._context)

    def _facts_of(self, model: z3.ModelRef) -> Facts:
        rename: dict[str, str] = {}
        facts: dict[tuple[str, tuple[Any, ...]], None] = {}
        for slot in self.slots:
            if z3.is_true(model.eval(slot.present, model_completion=True)):
                args = tuple(model_value(model, slot, i, rename, self.symbols) for i in range(len(slot.types)))
                facts[(slot.predicate, args)] = None
        return list(facts)
