#!/usr/bin/env bash
# The wheel is the product: what `pip install labkit` gives must make, check and serve a lab, and
# start a plugin project whose tests pass, with no checkout in sight.
#   1. build the sdist, then the wheel from it (python -m build), as a release does;
#   2. install the wheel into a fresh virtual environment in a temporary folder, and work there
#      (nothing can be imported from the source tree);
#   3. labkit new --no-input, labkit check, labkit template export, labkit serve; /, /mapping/
#      and /api/v1/openapi.json must answer 200;
#   4. labkit plugin new demo-plugin, pip install -e it with its test extra, run its pytest.
# Usage: bash scripts/check-wheel.sh   (scripts/test.sh runs it beside the test suite)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
python="$root/.venv/bin/python"
[ -x "$python" ] || python=python3
work=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
step() { echo "==> wheel: $*"; }

step "building"
"$python" -m build --outdir "$work/dist" "$root" >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
step "installing $(basename "$work"/dist/*.whl) into a fresh virtual environment"
python3 -m venv "$work/venv"
venv="$work/venv/bin"
"$venv/python" -m pip install -q --disable-pip-version-check "$work"/dist/*.whl
cd "$work"
unset PYTHONPATH LABKIT_LAB_DIR LABKIT_TEMPLATE_DIR LABKIT_DATABASE_URL
"$venv/python" -c 'import labkit, sys; sys.exit(0 if "/site-packages/" in labkit.__file__ else f"labkit imported from {labkit.__file__}")'

port=$("$venv/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
step "labkit new, check, template export and serve on port $port"
"$venv/labkit" new --no-input --port "$port" lab >/dev/null
compiled=$(find lab -name __pycache__)  # pip compiles the template's .py files; a new lab must not inherit that
[ -z "$compiled" ] || { echo "the new lab holds compiled files: $compiled" >&2; exit 1; }
"$venv/labkit" --lab lab check | tail -1
"$venv/labkit" --lab lab template export lab-template | tail -1
"$venv/labkit" --lab lab serve --port "$port" >"$work/serve.log" 2>&1 &
server=$!
"$venv/python" - "$port" <<'EOF' || { cat "$work/serve.log"; exit 1; }
import sys, time
import httpx

base = f"http://127.0.0.1:{sys.argv[1]}"
deadline = time.monotonic() + 60
while True:
    try:
        httpx.get(base + "/healthz")
        break
    except httpx.TransportError:
        if time.monotonic() > deadline:
            sys.exit("the lab did not answer within 60 s")
        time.sleep(0.1)
for path in ("/", "/mapping/", "/api/v1/openapi.json"):
    status = httpx.get(base + path).status_code
    print(f"    GET {path} -> {status}")
    if status != 200:
        sys.exit(f"GET {path} answered {status}")
EOF
kill "$server" && wait "$server" 2>/dev/null || true
server=

step "labkit plugin new demo-plugin, pip install -e, pytest"
"$venv/labkit" plugin new demo-plugin >/dev/null
"$venv/python" -m pip install -q --disable-pip-version-check -e "./demo-plugin[test]"
(cd demo-plugin && "$venv/python" -m pytest -q -p no:cacheprovider | tail -1)
step "ok"
