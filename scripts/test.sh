#!/usr/bin/env bash
# The test command: set up (venv, package, Graphviz, Chromium for the
# browser test), lint, then the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
LEXKB_BROWSER=1 bash scripts/setup.sh
.venv/bin/ruff check .
.venv/bin/python -m pytest "$@"
