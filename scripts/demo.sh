#!/usr/bin/env bash
# Set up labkit in .venv and run a demo lab on SQLite at http://127.0.0.1:8000/ (no other server).
# The demo lab is made the way a municipality makes its own: `labkit new --demo` from the built-in
# template (every module, sample data in pt-BR for São Paulo). Run again: demo-lab is reused.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e .
if [ -f demo-lab/lab.toml ]; then
  echo "reusing demo-lab (delete the folder for a fresh one; forgot the password? .venv/bin/labkit --lab demo-lab createadmin --email admin@demo.lab)"
else
  .venv/bin/labkit new --demo --no-input demo-lab --set "lab_name=Laboratório de Inovação Demo" --set admin_email=admin@demo.lab
fi
exec .venv/bin/labkit --lab demo-lab serve "$@"
