#!/usr/bin/env bash
# The wrk benchmark on SQLite, then on a throwaway PostgreSQL cluster with its durability settings
# at their defaults (fsync, synchronous_commit and full_page_writes on: like for like with SQLite's
# file). Extra arguments go to bench/run.py (e.g. --duration 10 --pages "home,answer save").
#   bench/run.sh [--sqlite-only|--postgres-only] [bench/run.py arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
command -v wrk >/dev/null || scripts/install-system-deps.sh

which=both
case "${1:-}" in
  --sqlite-only) which=sqlite; shift ;;
  --postgres-only) which=postgres; shift ;;
esac

if [ "$which" != postgres ]; then
  "$PY" bench/run.py "$@"
fi
[ "$which" = sqlite ] && exit 0

PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
PGDATA=$(mktemp -d /tmp/gridacademy-benchpg.XXXXXX)
SOCKDIR=$(mktemp -d /tmp/gridacademy-benchpgsock.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
RUN=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres "$PGDATA" "$SOCKDIR"
  RUN=(runuser -u postgres --)
fi
cleanup() {
  (cd / && "${RUN[@]}" "$PGBIN/pg_ctl" -D "$PGDATA" -m fast stop >/dev/null 2>&1) || true
  rm -rf "$PGDATA" "$SOCKDIR"
}
trap cleanup EXIT
(cd / && "${RUN[@]}" "$PGBIN/initdb" -D "$PGDATA" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null)
(cd / && "${RUN[@]}" "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $PORT -k $SOCKDIR" start >/dev/null)
(cd / && "${RUN[@]}" "$PGBIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres gridacademy_bench)
BENCH_DB_PID=$(head -n 1 "$PGDATA/postmaster.pid") \
  "$PY" bench/run.py --database-url "postgresql+psycopg://postgres@127.0.0.1:$PORT/gridacademy_bench" "$@"
