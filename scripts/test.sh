#!/usr/bin/env bash
# The test command: set up (venv, package, Graphviz, Chromium for the
# browser test), lint (ruff), type-check (mypy), then the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
LEXKB_BROWSER=1 bash scripts/setup.sh
.venv/bin/ruff check .
# The layers import only downward (contracts in pyproject.toml).
.venv/bin/lint-imports --no-cache >/dev/null || .venv/bin/lint-imports --no-cache
# mypy checks the package as it is installed (lexkb, lexkb.cli, …): setuptools maps the
# top-level folders onto it, which mypy cannot follow, so it reads a copy laid out that way.
typed=$(mktemp -d)
cp -r engine "$typed/lexkb" && cp -r cli "$typed/lexkb/cli" && cp -r grammar "$typed/lexkb/grammar"
(cd "$typed" && "$OLDPWD/.venv/bin/mypy" --config-file "$OLDPWD/pyproject.toml" --cache-dir /dev/null lexkb) \
  || { rm -rf "$typed"; exit 1; }
rm -rf "$typed"
.venv/bin/python -m pytest "$@"
