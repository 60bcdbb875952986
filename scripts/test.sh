#!/usr/bin/env bash
# Set up everything and run labkit's whole test suite, as CI does:
#   1. Debian packages the tests use (chromium, postgresql), when missing and we are root;
#   2. a fresh virtual environment in .venv with labkit, its test and docs extras;
#   3. ruff over the code and mypy over the core, which fail the run;
#   4. the suite on SQLite and again on a real PostgreSQL server started on loopback (side by side;
#      LABKIT_TEST_SERIAL=1 runs them one after the other);
#   5. the built wheel, installed in a fresh virtual environment outside the checkout
#      (scripts/check-wheel.sh), alongside the two runs (after them with LABKIT_TEST_SERIAL=1);
#   6. the documentation, built strictly.
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

echo "==> lint (ruff) and types (mypy on labkit/)"
ruff check labkit plugins tests bench examples
mypy

pg_dir=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; bash "$root/scripts/postgres.sh" stop "$pg_dir"; rm -rf "$pg_dir"' EXIT

pg_url=$(bash scripts/postgres.sh start "$pg_dir")
if [ "${LABKIT_TEST_SERIAL:-}" = 1 ]; then
  echo "==> tests on SQLite"
  python -m pytest --basetemp="$pg_dir/tmp-sqlite" "$@"
  echo "==> tests on PostgreSQL"
  LABKIT_TEST_DATABASE_URL=$pg_url python -m pytest --basetemp="$pg_dir/tmp-postgresql" "$@"
else
  # The two runs share nothing (own temporary folders, own databases) and wait mostly on I/O, so
  # they run side by side; the SQLite run's report follows the PostgreSQL one.
  # LABKIT_TEST_SERIAL=1 runs them one after the other. The wheel check joins them.
  bash scripts/check-wheel.sh >"$pg_dir/wheel.log" 2>&1 &
  wheel_pid=$!
  echo "==> tests on SQLite and on PostgreSQL, side by side"
  python -m pytest --basetemp="$pg_dir/tmp-sqlite" "$@" >"$pg_dir/sqlite.log" 2>&1 &
  sqlite_pid=$!
  postgres_status=0
  LABKIT_TEST_DATABASE_URL=$pg_url python -m pytest --basetemp="$pg_dir/tmp-postgresql" "$@" || postgres_status=$?
  sqlite_status=0
  wait "$sqlite_pid" || sqlite_status=$?
  echo "==> tests on SQLite (ran alongside)"
  cat "$pg_dir/sqlite.log"
  [ "$postgres_status" = 0 ] || { echo "==> tests on PostgreSQL failed" >&2; exit "$postgres_status"; }
  [ "$sqlite_status" = 0 ] || { echo "==> tests on SQLite failed" >&2; exit "$sqlite_status"; }
fi

wheel_status=0
if [ "${LABKIT_TEST_SERIAL:-}" = 1 ]; then
  bash scripts/check-wheel.sh >"$pg_dir/wheel.log" 2>&1 || wheel_status=$?
else
  wait "$wheel_pid" || wheel_status=$?
fi
echo "==> the wheel, outside the checkout"
grep -v "^WARNING: Location" "$pg_dir/wheel.log" || true
[ "$wheel_status" = 0 ] || { echo "==> the wheel check failed" >&2; exit "$wheel_status"; }

echo "==> documentation"
NO_MKDOCS_2_WARNING=1 mkdocs build --strict --quiet --site-dir "$pg_dir/site"
echo "==> all green"
