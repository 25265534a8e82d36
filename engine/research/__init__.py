"""Research tools over a knowledge base: the symbolic (z3) encoding, verify, what-if, coverage, reasons."""
