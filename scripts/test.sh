#!/usr/bin/env bash
# Installs what is missing, builds the test configuration (Debug, ASan+UBSan),
# starts a throwaway PostgreSQL on a free loopback port, runs every test
# through ctest, stops the database and exits non-zero on any failure.
# Extra arguments go to ctest (e.g. -R gateway, -L unit).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/deps.sh
nexus_require_packages "${NEXUS_BUILD_PACKAGES[@]}" ${NEXUS_TEST_PACKAGES[@]+"${NEXUS_TEST_PACKAGES[@]}"}

BUILD=build/test
echo "nexus: building the test configuration in $BUILD" >&2
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Debug -DNEXUS_SANITIZE=ON -DNEXUS_TESTS=ON >/dev/null
cmake --build "$BUILD" -j"$(nexus_jobs)"

# --- throwaway PostgreSQL -------------------------------------------------
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$PG_BIN/postgres" ] || { echo "nexus: error: no PostgreSQL server binaries under /usr/lib/postgresql" >&2; exit 1; }
PG_DIR=$(mktemp -d /tmp/nexus-test-pg.XXXXXX)
as_pg=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres:postgres "$PG_DIR"
  as_pg=(runuser -u postgres --)
fi
stop_pg() {
  "${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
}
trap stop_pg EXIT
"${as_pg[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 --no-sync >/dev/null
PG_PORT=""
for _ in $(seq 1 20); do
  port=$((20000 + RANDOM % 40000))
  if "${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w -t 30 \
      -o "-p $port -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=300" \
      start >/dev/null 2>&1; then
    PG_PORT=$port
    break
  fi
done
[ -n "$PG_PORT" ] || { echo "nexus: error: could not start the test PostgreSQL (see $PG_DIR/log)" >&2; cat "$PG_DIR/log" >&2 || true; exit 1; }
echo "nexus: test PostgreSQL on 127.0.0.1:$PG_PORT" >&2
export NEXUS_TEST_PG_URL="postgresql://postgres@127.0.0.1:$PG_PORT/postgres"
export NEXUS_TEST_PG_RESTART="${as_pg[*]} $PG_BIN/pg_ctl -D $PG_DIR/data -l $PG_DIR/log -m fast -w -t 30 restart -o '-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=300'"

# The interop client's npm packages (exact versions from package-lock.json).
if [ ! -d tests/interop/node_modules ] || [ tests/interop/package-lock.json -nt tests/interop/node_modules/.package-lock.json ]; then
  echo "nexus: installing the interop test client's npm packages" >&2
  (cd tests/interop && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi

# ASan: CAF keeps a few process-lifetime allocations; leaks are checked by
# the tests that care, not by LSan on every binary.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

set +e
ctest --test-dir "$BUILD" --output-on-failure -j"$(nexus_jobs)" "$@"
status=$?
set -e
exit $status
