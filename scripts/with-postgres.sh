#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL cluster: TEST_DATABASE_URL points at it while the
# command runs; the cluster is stopped and removed afterwards. Usage: scripts/with-postgres.sh CMD...
set -euo pipefail

PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
PGDATA=$(mktemp -d /tmp/gridacademy-pg.XXXXXX)
SOCKDIR=$(mktemp -d /tmp/gridacademy-pgsock.XXXXXX)
PORT=${PGPORT_TEST:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
RUN=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres "$PGDATA" "$SOCKDIR"
  RUN=(runuser -u postgres --)
fi
cd_back=$(pwd)
cd /  # the postgres user may not be able to enter the project folder
cleanup() {
  "${RUN[@]}" "$PGBIN/pg_ctl" -D "$PGDATA" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$PGDATA" "$SOCKDIR"
}
trap cleanup EXIT
"${RUN[@]}" "$PGBIN/initdb" -D "$PGDATA" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${RUN[@]}" "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $PORT -k $SOCKDIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null
"${RUN[@]}" "$PGBIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres gridacademy_test
export TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$PORT/gridacademy_test"
cd "$cd_back"
"$@"
