#!/usr/bin/env bash
# The whole suite on SQLite, then again on PostgreSQL. Without TEST_DATABASE_URL a
# throwaway server is started on loopback (as the postgres user: initdb refuses root)
# and stopped afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTEST=".venv/bin/pytest"

echo "=== pytest on SQLite ==="
TEST_DB=sqlite $PYTEST "$@"

echo "=== pytest on PostgreSQL ==="
if [ -n "${TEST_DATABASE_URL:-}" ]; then
  TEST_DB=postgresql $PYTEST "$@"
  exit 0
fi
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
PGDIR=$(mktemp -d /tmp/duban-pg.XXXXXX)
chown postgres "$PGDIR" 2>/dev/null || true
PGPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
as_pg() { if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
as_pg "$PGBIN/initdb" -D "$PGDIR/data" -A trust -E UTF8 --locale=C.UTF-8 --no-sync -U postgres >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" \
  -o "-p $PGPORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" -w start >/dev/null
trap 'as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -m fast -w stop >/dev/null; rm -rf "$PGDIR"' EXIT
export TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$PGPORT/postgres"
TEST_DB=postgresql $PYTEST "$@"
