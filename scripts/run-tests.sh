#!/usr/bin/env bash
# The suite twice, side by side:
#   SQLite      with the job queue in a SQLite file (the shape of `make run`),
#   PostgreSQL  with the job queue on Redis (the production shape), less the unit and browser
#               tests, which do not depend on the database (TEST_EVERYTHING_TWICE=1 keeps them).
# Each run spreads its tests over the cores with pytest-xdist (TEST_WORKERS per run, default:
# half the cores, at least one: the two runs together then have a process per core) and
# writes to a log of its own; the logs are printed once both are done, then each run's
# closing pytest line and a total. Exits non-zero if either run failed or ran
# no test (pytest's exit 5 is passed on).
#
# Throwaway PostgreSQL and Redis servers are started on free loopback ports (PostgreSQL as the
# postgres user: initdb refuses root) and stopped afterwards; TEST_DATABASE_URL (a role that may
# CREATE DATABASE) and TEST_REDIS_URL (its database number and the next TEST_WORKERS - 1 are
# used) name existing ones instead. Arguments go to both pytest runs: -k words, -x, a path, -n 0.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTEST="$PWD/.venv/bin/pytest"
# A process per core in all: on two cores two workers per run took 12 % more CPU (each process
# warms its own caches: imports, templates, statements, the demo park) and no less time.
WORKERS="${TEST_WORKERS:-$(( $(nproc) / 2 > 0 ? $(nproc) / 2 : 1 ))}"
TMP=$(mktemp -d /tmp/duban-tests.XXXXXX)
chmod 755 "$TMP"
# The tests' own temporary files (a SQLite database per test, instance folders, the SQLite
# queue) go to memory when /dev/shm is there: a test's commits and copies then wait on no
# disk (about 65 ms a test here).
SCRATCH=""
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
  SCRATCH=$(mktemp -d /dev/shm/duban-tests.XXXXXX)
fi
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

PGBIN="" REDIS_PID=""
as_pg() { if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  if [ -n "$REDIS_PID" ]; then kill "$REDIS_PID" 2>/dev/null || true; wait "$REDIS_PID" 2>/dev/null || true; fi
  if [ -n "$PGBIN" ]; then as_pg "$PGBIN/pg_ctl" -D "$TMP/pg/data" -m fast -w stop >/dev/null || true; fi
  rm -rf "$TMP"
  if [ -n "$SCRATCH" ]; then rm -rf "$SCRATCH"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -z "${TEST_DATABASE_URL:-}" ]; then
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  PGPORT=$(free_port)
  mkdir "$TMP/pg"
  chown postgres "$TMP/pg" 2>/dev/null || true
  as_pg "$PGBIN/initdb" -D "$TMP/pg/data" -A trust -E UTF8 --locale=C.UTF-8 --no-sync -U postgres >/dev/null
  as_pg "$PGBIN/pg_ctl" -D "$TMP/pg/data" -l "$TMP/pg/log" \
    -o "-p $PGPORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    -w start >/dev/null
  export TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$PGPORT/postgres"
fi

if [ -z "${TEST_REDIS_URL:-}" ]; then
  REDIS_PORT=$(free_port)
  mkdir "$TMP/redis"
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$TMP/redis" --save '' \
    --appendonly no --databases 64 --logfile "$TMP/redis/log" &
  REDIS_PID=$!
  for _ in $(seq 100); do
    redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  redis-cli -p "$REDIS_PORT" ping >/dev/null || { echo "redis-server did not start" >&2; cat "$TMP/redis/log" >&2; exit 1; }
  export TEST_REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
fi

# name, label, then the environment of that run.
RUNS=(
  "sqlite|SQLite, job queue in a SQLite file|TEST_DB=sqlite TEST_HUEY=sqlite"
  "postgresql|PostgreSQL, job queue on Redis|TEST_DB=postgresql TEST_HUEY=redis"
)
pids=()
for run in "${RUNS[@]}"; do
  IFS='|' read -r name label vars <<<"$run"
  # TEST_WORKERS_SQLITE / TEST_WORKERS_POSTGRESQL: one run's own number of workers.
  own="TEST_WORKERS_${name^^}"
  n="${!own:-$WORKERS}"
  XDIST=(-n "$n" --dist loadgroup)
  [ "$n" -gt 1 ] || XDIST=(-p no:xdist)  # one process for this run
  echo "=== started: pytest on $label ($n workers, log $TMP/$name.log) ==="
  # shellcheck disable=SC2086  # vars is a list of NAME=value words
  env $vars ${SCRATCH:+TMPDIR=$SCRATCH} "$PYTEST" "${XDIST[@]}" -o cache_dir=".pytest_cache/$name" "$@" \
    >"$TMP/$name.log" 2>&1 </dev/null &
  pids+=($!)
done

status=0 passed=0 failed=0 skipped=0 summary=()
for i in "${!RUNS[@]}"; do
  IFS='|' read -r name label _ <<<"${RUNS[$i]}"
  rc=0
  wait "${pids[$i]}" || rc=$?
  echo
  echo "=== pytest on $label ==="
  cat "$TMP/$name.log"
  # pytest's closing line: "==== 3 failed, 338 passed, 1 skipped in 250.12s (0:04:10) ====",
  # without the rules under -q.
  closing=$(grep -E '^(=+ )?(no tests ran|[0-9]+ [a-z]+).* in [0-9.]+s( \([0-9:]+\))?( =+)?$' \
    "$TMP/$name.log" | tail -n 1 || true)
  count() { grep -oE "[0-9]+ $1" <<<"$closing" | grep -oE '^[0-9]+' || echo 0; }
  passed=$((passed + $(count passed)))
  failed=$((failed + $(count failed) + $(count 'errors?')))
  skipped=$((skipped + $(count skipped)))
  case $rc in
    0) verdict="ok" ;;
    5) verdict="FAILED: no test ran (pytest exit 5)" ;;
    *) verdict="FAILED (pytest exit $rc)" ;;
  esac
  summary+=("$label: $verdict")
  summary+=("  ${closing:-no closing line from pytest}")
  if [ "$status" = 0 ] && [ "$rc" != 0 ]; then status=$rc; fi
done

echo
echo "=== summary ==="
printf '%s\n' "${summary[@]}"
echo "total: $passed passed, $failed failed$([ "$skipped" = 0 ] || echo ", $skipped skipped")"
exit "$status"
