"""lexkb benchmark harness (not tests): lexkb against clingo, CLIPS, pyDatalog and plain Python.

Run it with ``python -m bench.run`` from the repository root; see bench/README.md.
"""
