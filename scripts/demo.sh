#!/usr/bin/env bash
# Set up labkit in .venv and run a demo lab on SQLite at http://127.0.0.1:8000/ (no other server).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e .
exec .venv/bin/labkit demo demo-lab "$@"
