#!/usr/bin/env bash
# Set up labkit in .venv and run a demo lab on SQLite (no other server); it prints the address to
# open and the command that serves it again.
# The demo lab is made the way a municipality makes its own: `labkit new --demo` from the built-in
# template (every module, sample data in pt-BR for São Paulo). Run again: demo-lab is reused.
# `bash scripts/demo.sh --hub` runs a national federation hub instead (demo-hub: twelve member labs,
# their reports, a harvest and the trainer-of-trainers tree). The hub serves its demo labs'
# documents itself, so "Harvest now" harvests labs that answer.
# `--port N` chooses the port (default: 8000, or the next free one); a reused demo keeps its port.
# Other options go to `labkit serve` (e.g. --workers 2).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e .
folder=demo-lab name="Laboratório de Inovação Demo" modules=() hub="" port="" serve_options=()
while [ $# -gt 0 ]; do
  case "$1" in
    --hub) hub=" --hub" folder=demo-hub name="Rede Nacional de Laboratórios de Inovação" modules=(--set modules=federation) ;;
    --port) port="${2:?--port needs a number}"; shift ;;
    *) serve_options+=("$1") ;;
  esac
  shift
done

free_port() {  # the first port from 8000 on that nothing listens on
  .venv/bin/python -c 'import socket
for port in range(8000, 8100):
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            continue
        print(port)
        break'
}

if [ -f "$folder/lab.toml" ]; then
  made_for=$(sed -n 's|^base_url = "http://127.0.0.1:\([0-9]*\)/*"$|\1|p' "$folder/lab.toml")
  if [ -n "$port" ] && [ -n "$made_for" ] && [ "$port" != "$made_for" ]; then
    if [ -n "$hub" ]; then
      echo "demo.sh: $folder was made for port $made_for (its demo labs' addresses); use --port $made_for or delete $folder" >&2
      exit 2
    fi
    sed -i "s|^base_url = \"http://127.0.0.1:$made_for/*\"$|base_url = \"http://127.0.0.1:$port\"|" "$folder/lab.toml"
  fi
  port=${port:-${made_for:-8000}}
  echo "reusing $folder (delete the folder for a fresh one; forgot the password? .venv/bin/labkit --lab $folder createadmin --email admin@demo.lab)"
else
  port=${port:-$(free_port)}
  .venv/bin/labkit new --demo --no-input "$folder" --port "$port" --set "lab_name=$name" \
    --set admin_email=admin@demo.lab "${modules[@]}"
  # the national hub publishes under the country's code, apart from its member São Paulo (BR-3550308),
  # and serves its demo labs' documents itself, on loopback
  [ -n "$hub" ] && printf '\n[plugin.federation]\nhub_code = "BR"\ndemo_members = true\nallow_private_addresses = true\n' >> "$folder/lab.toml"
fi
echo
echo "demo: open http://127.0.0.1:$port/  (Ctrl-C stops it)"
echo "run it again: bash scripts/demo.sh$hub   (or: .venv/bin/labkit --lab $folder serve --port $port)"
echo
exec .venv/bin/labkit --lab "$folder" serve --port "$port" "${serve_options[@]}"
