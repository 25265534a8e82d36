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
from typing import TypedDict, cast

from lexkb.compile.case_checks import validate_case
from lexkb.compile.checks import check
from lexkb.compile.program import Program
from lexkb.errors import CheckError, LexkbError
from lexkb.evaluate.engine import CALLER, DEFAULT_FACT_LIMIT, Baseline, Engine, Given, Relations, sorted_facts
from lexkb.explain.builder import DEFAULT_MAX_GROUNDS, DEFAULT_MAX_NODES
from lexkb.explain.graph import Derivation
from lexkb.explain.why import derivation
from lexkb.explain.why_not import why_not
from lexkb.language import ast
from lexkb.language.cases import Case, case_from_mapping, load_case
from lexkb.language.parser import ground_atom
from lexkb.language.source import Sources, load_modules, load_text, read_atom
from lexkb.values import Value, to_json

CaseInput = str | Path | Case | Mapping[str, Iterable[tuple[Value, ...]]] | None
AtomInput = str | tuple[str, tuple[Value, ...]] | ast.Atom
# How a fact was reached: a Given (stated), or (branch id, values of the branch's variables…) when derived.
Record = Given | tuple[Value, ...]


class ResultJSON(TypedDict):
    """The public JSON shape of a result (docs/cli.md): ``lexkb run --format json`` prints it."""

    facts: dict[str, list[list[object]]]
    outcomes: list[str]


def bundled_kb() -> Path:
    """The folder of the bundled § 3582(c)(2) knowledge base, wherever lexkb is installed."""
    from importlib import resources

    return Path(str(resources.files("lexkb.kb")))


def load(paths: str | Path | Sequence[str | Path], *, fact_limit: int = DEFAULT_FACT_LIMIT) -> KnowledgeBase:
    """Load and check a knowledge base: ``.rules`` files and folders (every ``*.rules`` below)."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    sources = Sources()
    return _checked(load_modules(paths, sources), sources, fact_limit)


def loads(text: str, name: str = "<rules>", *, fact_limit: int = DEFAULT_FACT_LIMIT) -> KnowledgeBase:
    """Load a knowledge base from a string of rules (``name`` is the file name errors show)."""
    sources = Sources()
    return _checked([load_text(text, name, sources)], sources, fact_limit)


def _checked(modules: list[ast.Module], sources: Sources, fact_limit: int) -> KnowledgeBase:
    """The knowledge base of parsed modules, once checked; an error leaves carrying the line it points at."""
    with sources.locating():
        return KnowledgeBase(check(modules), fact_limit=fact_limit, sources=sources)


class KnowledgeBase:
    """A checked, compiled rule base, ready to run cases.

    The facts that no case input can change are evaluated once, on first
    use, and shared by every run. ``sources`` holds the text of every rules
    file it was loaded from, by the file name its spans carry.
    """

    def __init__(self, program: Program, *, fact_limit: int = DEFAULT_FACT_LIMIT,
                 sources: Sources | None = None) -> None:
        self.program = program
        self.sources = sources if sources is not None else Sources()
        with self.sources.locating():
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
        if not isinstance(case, Mapping):  # a programming error, not a user's: say so at once
            raise TypeError(f"a case is a .case path, a Case or a mapping of facts, not {type(case).__name__}")
        return case_from_mapping(case)

    def run(self, case: CaseInput = None, *, validate: bool = True) -> Result:
        """Evaluate the rules on a case (a ``.case`` path, a mapping of facts, or nothing).

        An error leaves carrying the line it points at, in the case or in the rules. ``validate=False``
        skips checking the case against the declared inputs (and the types of its values): for callers
        whose facts come from the engine itself.
        """
        case = self.case(case)
        try:  # not two `locating()` blocks: a run is on the hot path of batch (microseconds count)
            return self._run(case, validate)
        except LexkbError as error:
            self.sources.locate(error)
            case.sources.locate(error)
            raise

    def _run(self, case: Case, validate: bool) -> Result:
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

    def _atom(self, atom: AtomInput) -> tuple[str, tuple[Value, ...]]:
        if isinstance(atom, tuple):
            return atom[0], tuple(atom[1])
        if isinstance(atom, str):
            return read_atom(atom)
        if not isinstance(atom, ast.Atom):
            raise TypeError(f"an atom is text, (predicate, values) or an ast.Atom, not {type(atom).__name__}")
        return ground_atom(atom)

    def holds(self, atom: AtomInput) -> bool:
        """Whether a ground atom, e.g. ``"reduction_floor_months(108)"``, was concluded."""
        predicate, args = self._atom(atom)
        return args in self.relations.get(predicate, {})

    def facts(self, predicate: str) -> list[tuple[Value, ...]]:
        """Every fact of a predicate, sorted."""
        return sorted_facts(self.relations.get(predicate, {}))

    def record(self, predicate: str, args: tuple[Value, ...]) -> Record:
        """How a fact was reached: a :class:`Given`, or a compact derivation record that
        :func:`lexkb.evaluate.engine.bindings` decodes into the branch and its variables' values."""
        return cast(Record, self.relations[predicate][args])

    @property
    def outcomes(self) -> list[str]:
        """The declared outcomes that hold, in declaration order."""
        return [o for o in self.program.outcomes if () in self.relations.get(o, {})]

    def predicates(self) -> list[str]:
        """Visible predicates (hidden auxiliaries excluded), sorted."""
        return sorted(p for p in self.relations if not p.startswith("_"))

    def to_json(self) -> ResultJSON:
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

    def explain(self, atom: AtomInput, *, depth: int | None = None,
                max_grounds: int = DEFAULT_MAX_GROUNDS, max_nodes: int | None = DEFAULT_MAX_NODES) -> Derivation:
        """The derivation of an atom that holds, down to ``depth`` rules (all of them by default),
        showing at most ``max_grounds`` grounds per conclusion and building about ``max_nodes`` nodes
        (None: no limit; the steps left out are counted, see :mod:`lexkb.explain.why`)."""
        predicate, args = self._atom(atom)
        return derivation(self, predicate, args, depth=depth, max_grounds=max_grounds, max_nodes=max_nodes)

    def why_not(self, atom: AtomInput, *, depth: int = 3, max_grounds: int = DEFAULT_MAX_GROUNDS,
                max_nodes: int | None = DEFAULT_MAX_NODES) -> Derivation:
        """Why an atom does not hold: each rule that could conclude it and what failed, explained
        ``depth`` rules deep (see :mod:`lexkb.explain.why_not`)."""
        predicate, args = self._atom(atom)
        return why_not(self, predicate, args, depth=depth, max_grounds=max_grounds, max_nodes=max_nodes)
