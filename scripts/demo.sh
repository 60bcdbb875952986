#!/usr/bin/env bash
# Set up labkit in .venv and run a demo lab on SQLite at http://127.0.0.1:8000/ (no other server).
# The demo lab is made the way a municipality makes its own: `labkit new --demo` from the built-in
# template (every module, sample data in pt-BR for São Paulo). Run again: demo-lab is reused.
# `bash scripts/demo.sh --hub` runs a national federation hub instead (demo-hub: twelve member labs,
# their reports, a harvest and the trainer-of-trainers tree).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e .
folder=demo-lab name="Laboratório de Inovação Demo" modules=()
if [ "${1:-}" = "--hub" ]; then
  shift
  folder=demo-hub name="Rede Nacional de Laboratórios de Inovação" modules=(--set modules=federation)
fi
if [ -f "$folder/lab.toml" ]; then
  echo "reusing $folder (delete the folder for a fresh one; forgot the password? .venv/bin/labkit --lab $folder createadmin --email admin@demo.lab)"
else
  .venv/bin/labkit new --demo --no-input "$folder" --set "lab_name=$name" --set admin_email=admin@demo.lab "${modules[@]}"
  # the national hub publishes under the country's code, apart from its member São Paulo (BR-3550308)
  [ "$folder" = demo-hub ] && printf '\n[plugin.federation]\nhub_code = "BR"\n' >> "$folder/lab.toml"
fi
exec .venv/bin/labkit --lab "$folder" serve "$@"
