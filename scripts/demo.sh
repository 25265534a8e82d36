#!/usr/bin/env bash
# The main job: decide United States v. Alcaraz with the bundled knowledge
# base and explain the denial — out/alcaraz-deny.svg and out/alcaraz.html.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
mkdir -p out
.venv/bin/lexkb check kb --case kb/cases/alcaraz.case
.venv/bin/lexkb run kb --case kb/cases/alcaraz.case
.venv/bin/lexkb explain kb --case kb/cases/alcaraz.case deny --format svg -o out/alcaraz-deny.svg
.venv/bin/lexkb explain kb --case kb/cases/alcaraz.case deny --format html -o out/alcaraz.html
.venv/bin/lexkb explain kb --case kb/cases/alcaraz.case deny --format text
echo
echo "Wrote out/alcaraz-deny.svg and out/alcaraz.html"
