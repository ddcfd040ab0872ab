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
source scripts/lib/throwaway_pg.sh
nexus_start_throwaway_pg test "-c fsync=off -c synchronous_commit=off -c max_connections=300" --no-sync
echo "nexus: test PostgreSQL on 127.0.0.1:$PG_PORT" >&2
export NEXUS_TEST_PG_URL="postgresql://postgres@127.0.0.1:$PG_PORT/postgres"
export NEXUS_TEST_PG_RESTART="${as_pg[*]} $PG_BIN/pg_ctl -D $PG_DIR/data -l $PG_DIR/log -m fast -w -t 30 restart -o '$PG_OPTS'"

# The interop client's npm packages (exact versions from package-lock.json).
nexus_install_interop_packages

# ASan: CAF keeps a few process-lifetime allocations; leaks are checked by
# the tests that care, not by LSan on every binary.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

set +e
ctest --test-dir "$BUILD" --output-on-failure -j"$(nexus_jobs)" "$@"
status=$?
set -e
exit $status
