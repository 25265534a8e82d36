"""lexkb: a knowledge base for legal rules, with explanations.

    import lexkb
    kb = lexkb.load(["kb"])
    result = kb.run("kb/cases/alcaraz.case")
    result.holds("deny")                       # True
    result.facts("reduction_floor_months")     # sorted argument tuples
    result.explain("deny")                     # a derivation graph

This module only re-exports the public API (``lexkb.api`` and the types it
returns); the layers behind it are described in ARCHITECTURE.md.
"""

from lexkb.api import CaseInput, KnowledgeBase, Result, bundled_kb, load, loads
from lexkb.compile.case_checks import validate_case
from lexkb.errors import CheckError, EvaluationError, LexkbError, SourceError, Span, SyntaxProblem, UsageError
from lexkb.evaluate.engine import Given
from lexkb.language.cases import Case, CaseFact, Finding, load_case, verify_quotes
from lexkb.values import Symbol, Text, Value
from lexkb.version import __version__

__all__ = [
    "load", "loads", "bundled_kb", "KnowledgeBase", "Result", "CaseInput", "Case", "CaseFact", "Finding",
    "LexkbError", "SourceError", "SyntaxProblem", "CheckError", "EvaluationError", "UsageError", "Span", "Text",
    "Symbol", "Value", "Given", "verify_quotes", "validate_case", "load_case", "__version__",
]
