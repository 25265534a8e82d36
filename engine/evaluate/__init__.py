"""Semi-naive evaluation with derivation records, and the interpreter that re-matches rules over a result."""
