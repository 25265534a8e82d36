"""lexkb: a knowledge base for legal rules, with explanations.

    import lexkb
    kb = lexkb.load(["kb"])
    result = kb.run("kb/cases/alcaraz.case")
    result.holds("deny")                       # True
    result.facts("reduction_floor_months")     # sorted argument tuples
    result.explain("deny")                     # a Derivation graph

This module only re-exports the public API (``lexkb.api`` and the types its
signatures name); ``__all__`` is exactly that set, and a test keeps it so.
The layers behind it are described in ARCHITECTURE.md.
"""

from lexkb.api import AtomInput, CaseInput, KnowledgeBase, Record, Result, ResultJSON, bundled_kb, load, loads
from lexkb.compile.case_checks import validate_case
from lexkb.errors import CheckError, EvaluationError, LexkbError, SourceError, Span, SyntaxProblem, UsageError
from lexkb.evaluate.engine import Given
from lexkb.explain.graph import Derivation
from lexkb.language.cases import Case, CaseFact, Finding, load_case, verify_quotes
from lexkb.language.source import Sources
from lexkb.values import Symbol, Text, Value
from lexkb.version import __version__

__all__ = [
    # loading and running
    "load", "loads", "bundled_kb", "KnowledgeBase", "Result", "Derivation", "Sources",
    # what the API takes and returns
    "CaseInput", "AtomInput", "Record", "ResultJSON", "Case", "CaseFact", "Finding", "Given",
    "Span", "Text", "Symbol", "Value",
    # cases checked without running them
    "load_case", "validate_case", "verify_quotes",
    # errors
    "LexkbError", "SourceError", "SyntaxProblem", "CheckError", "EvaluationError", "UsageError",
    "__version__",
]
