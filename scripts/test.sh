#!/usr/bin/env bash
# Set up everything and run labkit's whole test suite, as CI does:
#   1. Debian packages the tests use (chromium, postgresql), when missing and we are root;
#   2. a fresh virtual environment in .venv with labkit, its test and docs extras;
#   3. the suite on SQLite, then again on a real PostgreSQL server started on loopback;
#   4. the documentation, built strictly.
# Usage: bash scripts/test.sh [pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "==> installing ${missing[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "scripts/test.sh: please install: ${missing[*]} (sudo apt-get install ${missing[*]})" >&2
    exit 2
  fi
fi

echo "==> virtual environment in .venv"
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[test,docs]"
export PATH="$root/.venv/bin:$PATH"

pg_dir=$(mktemp -d)
trap 'bash "$root/scripts/postgres.sh" stop "$pg_dir"; rm -rf "$pg_dir"' EXIT

echo "==> tests on SQLite"
python -m pytest "$@"

echo "==> tests on PostgreSQL"
LABKIT_TEST_DATABASE_URL=$(bash scripts/postgres.sh start "$pg_dir") python -m pytest "$@"

echo "==> documentation"
NO_MKDOCS_2_WARNING=1 mkdocs build --strict --quiet --site-dir "$pg_dir/site"
echo "==> all green"
