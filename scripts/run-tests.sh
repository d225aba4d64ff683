#!/usr/bin/env bash
# Every test: the whole suite on SQLite (browser tests included), then the database-facing tests
# (marker ``db``, set in tests/conftest.py on every test that uses the app or the database) again
# on a throwaway PostgreSQL cluster; pure tests run once. First ruff's bandit rules and pip-audit (skipped
# with a message when no vulnerability service answers). Exits non-zero if any step fails.
set -uo pipefail
cd "$(dirname "$0")/.."
PYTEST=(.venv/bin/python -m pytest)
mkdir -p test-artifacts

echo "== static checks: ruff with the bandit rules (S) on app/, config.py, wsgi.py (pyproject.toml) =="
.venv/bin/ruff check app/ config.py wsgi.py
ruff_status=$?

echo "== dependency audit: pip-audit of the pins in requirements.txt and requirements-dev.txt =="
scripts/audit-deps.sh
audit_status=$?

echo "== tests on SQLite (unit, views, CLI, migrations, browser) =="
"${PYTEST[@]}" tests "$@"
sqlite_status=$?

echo "== database tests on PostgreSQL (views, CLI, services, migrations) =="
scripts/with-postgres.sh "${PYTEST[@]}" tests -m "db and not browser" "$@"
pg_status=$?

if [ $ruff_status -ne 0 ] || [ $audit_status -ne 0 ] || [ $sqlite_status -ne 0 ] || [ $pg_status -ne 0 ]; then
  echo "FAILED: ruff=$ruff_status pip-audit=$audit_status sqlite=$sqlite_status postgresql=$pg_status"
  exit 1
fi
