"""The public API: load a knowledge base, run cases, read and explain the results.

    import lexkb
    kb = lexkb.load(["kb"])
    result = kb.run("kb/cases/alcaraz.case")
    result.holds("deny")                       # True
    result.facts("reduction_floor_months")     # sorted argument tuples
    result.explain("deny")                     # a derivation graph

The layers below it, in pipeline order, are described in ARCHITECTURE.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from lexkb.compile.case_checks import validate_case
from lexkb.compile.checks import check
from lexkb.compile.program import Program
from lexkb.errors import CheckError
from lexkb.evaluate.engine import CALLER, DEFAULT_FACT_LIMIT, Baseline, Engine, Given, Relations, sorted_facts
from lexkb.language import ast
from lexkb.language.cases import Case, case_from_mapping, load_case
from lexkb.language.parser import ground_atom
from lexkb.language.source import load_modules, load_text
from lexkb.values import Value, to_json

CaseInput = str | Path | Case | Mapping[str, Iterable[tuple[Value, ...]]] | None


def bundled_kb() -> Path:
    """The folder of the bundled § 3582(c)(2) knowledge base, wherever lexkb is installed."""
    from importlib import resources

    return Path(str(resources.files("lexkb.kb")))


def load(paths: str | Path | Sequence[str | Path], *, fact_limit: int = DEFAULT_FACT_LIMIT) -> KnowledgeBase:
    """Load and check a knowledge base: ``.rules`` files and folders (every ``*.rules`` below)."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    return KnowledgeBase(check(load_modules(paths)), fact_limit=fact_limit)


def loads(text: str, name: str = "<rules>", *, fact_limit: int = DEFAULT_FACT_LIMIT) -> KnowledgeBase:
    """Load a knowledge base from a string of rules."""
    return KnowledgeBase(check([load_text(text, name)]), fact_limit=fact_limit)


class KnowledgeBase:
    """A checked, compiled rule base, ready to run cases.

    The facts that no case input can change are evaluated once, on first
    use, and shared by every run.
    """

    def __init__(self, program: Program, *, fact_limit: int = DEFAULT_FACT_LIMIT) -> None:
        self.program = program
        self.engine = Engine(program, fact_limit)
        self._baselines: dict[frozenset[str], Baseline] = {}

    def case(self, case: CaseInput) -> Case:
        """Turn any accepted case form into a :class:`Case`."""
        if case is None:
            return case_from_mapping({})
        if isinstance(case, Case):
            return case
        if isinstance(case, (str, Path)):
            return load_case(case)
        return case_from_mapping(case)

    def run(self, case: CaseInput = None, *, validate: bool = True) -> Result:
        """Evaluate the rules on a case (a ``.case`` path, a mapping of facts, or nothing)."""
        case = self.case(case)
        if validate:
            findings = validate_case(case, self.program)
            if findings:
                first = findings[0]
                raise CheckError(first.message, first.span, first.hint)
        stated = (frozenset(f.predicate for f in case.stated) | frozenset(case.table or ())
                  | frozenset(self.program.inputs))
        facts: dict[str, list[tuple[tuple[Value, ...], object]]] = {}
        for fact in case.stated:
            facts.setdefault(fact.predicate, []).append((fact.args, Given(fact.fact, "case")))
        for predicate, rows in (case.table or {}).items():
            facts.setdefault(predicate, []).extend((args, CALLER) for args in rows)
        return Result(self, case, self.engine.run(self._baseline(stated), facts))

    def _baseline(self, stated: frozenset[str]) -> Baseline:
        """The case-independent part for cases stating these predicates, computed once."""
        baseline = self._baselines.get(stated)
        if baseline is None:
            baseline = self._baselines[stated] = self.engine.baseline(self.engine.dependents(stated))
        return baseline


class Result:
    """The conclusions for one case, each with the record of how it was reached."""

    def __init__(self, kb: KnowledgeBase, case: Case, relations: Relations) -> None:
        self.kb = kb
        self.case = case
        self.relations = relations

    @property
    def program(self) -> Program:
        return self.kb.program

    def _atom(self, atom: str | tuple[str, tuple[Value, ...]] | ast.Atom) -> tuple[str, tuple[Value, ...]]:
        if isinstance(atom, tuple):
            return atom[0], tuple(atom[1])
        return ground_atom(atom)

    def holds(self, atom: str | tuple[str, tuple[Value, ...]] | ast.Atom) -> bool:
        """Whether a ground atom, e.g. ``"reduction_floor_months(108)"``, was concluded."""
        predicate, args = self._atom(atom)
        return args in self.relations.get(predicate, {})

    def facts(self, predicate: str) -> list[tuple[Value, ...]]:
        """Every fact of a predicate, sorted."""
        return sorted_facts(self.relations.get(predicate, {}))

    def record(self, predicate: str, args: tuple[Value, ...]) -> object:
        """How a fact was reached: a :class:`Given`, or a compact derivation record that
        :func:`lexkb.evaluate.engine.bindings` decodes into the branch and its variables' values."""
        return self.relations[predicate][args]

    @property
    def outcomes(self) -> list[str]:
        """The declared outcomes that hold, in declaration order."""
        return [o for o in self.program.outcomes if () in self.relations.get(o, {})]

    def predicates(self) -> list[str]:
        """Visible predicates (hidden auxiliaries excluded), sorted."""
        return sorted(p for p in self.relations if not p.startswith("_"))

    def to_json(self) -> dict[str, Any]:
        """The public JSON shape: ``{"facts": {pred: [[args]...]}, "outcomes": [...]}``."""
        return {
            "facts": {p: [[to_json(v) for v in args] for args in self.facts(p)] for p in self.predicates()},
            "outcomes": self.outcomes,
        }

    def expectations(self) -> list[tuple[ast.Expect, bool]]:
        """Each ``expect`` of the case with whether it was met."""
        out = []
        for expect in self.case.expects:
            predicate, args = self._atom(expect.atom)
            held = args in self.relations.get(predicate, {})
            out.append((expect, held != expect.negated))
        return out

    def explain(self, atom: str | tuple[str, tuple[Value, ...]], **options: Any) -> Any:
        """The derivation of an atom that holds (see :mod:`lexkb.explain.derivation`)."""
        from lexkb.explain.derivation import derivation

        predicate, args = self._atom(atom)
        return derivation(self, predicate, args, **options)

    def why_not(self, atom: str | tuple[str, tuple[Value, ...]], **options: Any) -> Any:
        """Why an atom does not hold: each rule that could conclude it and what failed."""
        from lexkb.explain.derivation import why_not

        predicate, args = self._atom(atom)
        return why_not(self, predicate, args, **options)

