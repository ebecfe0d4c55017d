#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests, CI and benchmarks: never for data anyone keeps.
#
#   tools/pg_throwaway.sh start DIR   initdb in DIR, start it, print its DSN (also in DIR/dsn)
#   tools/pg_throwaway.sh stop DIR    stop the cluster in DIR and delete what start put there
#
# The server listens on a free loopback TCP port and on a unix socket inside DIR. It runs with
# fsync off, which is fine for a cluster that is thrown away and wrong for anything else.
# initdb and pg_ctl refuse to run as root, so as root they run as the user `postgres`
# (PG_USER to change it), which must own DIR. Binaries: PG_BIN if set, else the newest
# /usr/lib/postgresql/*/bin, else initdb from PATH.
#
# Exit status: 0 done, 2 usage, 3 no PostgreSQL server binaries, 1 anything else.
set -euo pipefail

readonly NOT_INSTALLED=3
readonly MAX_CONNECTIONS=200  # two server processes with their pools, plus the tests' own
readonly START_ATTEMPTS=3     # a free port can be taken by someone else before the server binds

usage() {
  echo "usage: $0 start|stop DIR" >&2
  exit 2
}

find_bin() {
  if [[ -n "${PG_BIN:-}" ]]; then
    if [[ -x "$PG_BIN/initdb" ]]; then
      echo "$PG_BIN"
      return
    fi
    echo "no PostgreSQL server binaries: PG_BIN=$PG_BIN has no initdb" >&2
    exit "$NOT_INSTALLED"
  fi
  local newest
  newest=$(compgen -G '/usr/lib/postgresql/*/bin' | sort -V | tail -n 1 || true)
  if [[ -n "$newest" && -x "$newest/initdb" ]]; then
    echo "$newest"
    return
  fi
  if command -v initdb >/dev/null 2>&1; then
    dirname "$(command -v initdb)"
    return
  fi
  echo "no PostgreSQL server binaries: no /usr/lib/postgresql/*/bin and no initdb on PATH" >&2
  exit "$NOT_INSTALLED"
}

# Runs a PostgreSQL binary as the cluster's owner: root may not run initdb or pg_ctl.
as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u "${PG_USER:-postgres}" -- "$@"
  else
    "$@"
  fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
  local dir=$1 bin port attempt
  bin=$(find_bin)
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  if [[ $(id -u) -eq 0 ]]; then
    chown "${PG_USER:-postgres}" "$dir"
    chmod 700 "$dir"
    if ! as_owner test -w "$dir"; then
      echo "user ${PG_USER:-postgres} cannot reach $dir: use a folder outside private parents" >&2
      exit 1
    fi
  fi
  as_owner "$bin/initdb" --pgdata="$dir/data" --username=postgres --auth=trust \
    --encoding=UTF8 --no-locale --no-sync >"$dir/initdb.log" 2>&1 || {
    cat "$dir/initdb.log" >&2
    exit 1
  }
  for ((attempt = 1; attempt <= START_ATTEMPTS; attempt++)); do
    port=$(free_port)
    if as_owner "$bin/pg_ctl" --pgdata="$dir/data" --log="$dir/server.log" --wait \
      --options="-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir \
-c fsync=off -c synchronous_commit=off -c full_page_writes=off \
-c max_connections=$MAX_CONNECTIONS" start >/dev/null; then
      echo "postgresql://postgres@127.0.0.1:$port/postgres" | tee "$dir/dsn"
      return
    fi
  done
  cat "$dir/server.log" >&2
  exit 1
}

stop() {
  local dir=$1 bin
  [[ -f "$dir/data/PG_VERSION" ]] || return 0
  bin=$(find_bin)
  if as_owner "$bin/pg_ctl" --pgdata="$dir/data" status >/dev/null; then
    as_owner "$bin/pg_ctl" --pgdata="$dir/data" --mode=fast --wait stop >/dev/null
  fi
  rm -rf "$dir/data" "$dir/dsn" "$dir/initdb.log" "$dir/server.log"
  rmdir "$dir" 2>/dev/null || true
}

[[ $# -eq 2 ]] || usage
case "$1" in
  start) start "$2" ;;
  stop) stop "$2" ;;
  *) usage ;;
esac
