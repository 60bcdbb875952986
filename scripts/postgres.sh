#!/usr/bin/env bash
# Start or stop a throw-away PostgreSQL server on loopback for labkit's tests.
#   scripts/postgres.sh start DIR   -> prints the server's URL (postgres://labkit@127.0.0.1:PORT/labkit)
#   scripts/postgres.sh stop DIR
# Uses Debian's postgresql package; as root, the server runs as the postgres user.
set -euo pipefail
action=${1:?start or stop}
dir=${2:?a folder for the server}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bin" ] || { echo "postgres.sh: PostgreSQL is not installed (apt-get install postgresql)" >&2; exit 2; }
as_owner() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }
case "$action" in
  start)
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    as_owner "'$bin/initdb' -D '$dir/data' -A trust -U labkit -E UTF8 --locale=C.UTF-8" >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    as_owner "'$bin/pg_ctl' -D '$dir/data' -l '$dir/server.log' -w -o \"-p $port -k '$dir' -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off\" start" >/dev/null \
      || { cat "$dir/server.log" >&2; exit 1; }
    as_owner "'$bin/createdb' -h 127.0.0.1 -p $port -U labkit labkit"
    echo "postgres://labkit@127.0.0.1:$port/labkit"
    ;;
  stop)
    as_owner "'$bin/pg_ctl' -D '$dir/data' -m fast -w stop" >/dev/null 2>&1 || true
    ;;
  *) echo "postgres.sh: start or stop" >&2; exit 2 ;;
esac
