#!/usr/bin/env bash
# Every test: the whole suite on SQLite (browser tests included), then the database-facing tests
# (marker ``db``, set in tests/conftest.py on every test that uses the app or the database) again
# on a throwaway PostgreSQL cluster; pure tests run once. Exits non-zero if either run fails.
set -uo pipefail
cd "$(dirname "$0")/.."
PYTEST=(.venv/bin/python -m pytest)
mkdir -p test-artifacts

echo "== tests on SQLite (unit, views, CLI, migrations, browser) =="
"${PYTEST[@]}" tests "$@"
sqlite_status=$?

echo "== database tests on PostgreSQL (views, CLI, services, migrations) =="
scripts/with-postgres.sh "${PYTEST[@]}" tests -m "db and not browser" "$@"
pg_status=$?

if [ $sqlite_status -ne 0 ] || [ $pg_status -ne 0 ]; then
  echo "FAILED: sqlite=$sqlite_status postgresql=$pg_status"
  exit 1
fi
