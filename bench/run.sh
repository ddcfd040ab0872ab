#!/usr/bin/env bash
# The Nexus benchmark in one command (issue 8): builds nexusd Release (or
# uses NEXUSD_BINARY), starts a throwaway PostgreSQL with durable settings
# (fsync=on, synchronous_commit=on), and runs the sweep 10×100, 50×100,
# 100×100, 100×1000 burst (three runs) and 100 peers paced at 1000 msgs/s
# for 30 s (three runs), each on a fresh nexusd with --send-rate-per-min 0
# and a fresh database. Writes bench/results/<UTC date-time>.json and the
# table in bench/RESULTS.md (a repeated case by its median run, every run
# listed). Bounded: every case has a drain deadline; the whole sweep takes
# about 7 minutes. Extra arguments go to bench/sweep.js (e.g. --only 100x1000).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/deps.sh
nexus_require_packages "${NEXUS_BUILD_PACKAGES[@]}" ${NEXUS_TEST_PACKAGES[@]+"${NEXUS_TEST_PACKAGES[@]}"}

if [ -z "${NEXUSD_BINARY:-}" ]; then
  echo "nexus: building Release binaries in build/release" >&2
  cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DNEXUS_TESTS=OFF >/dev/null
  cmake --build build/release -j"$(nexus_jobs)" --target nexusd
  NEXUSD_BINARY=$PWD/build/release/apps/nexusd/nexusd
fi
export NEXUSD_BINARY

# The load generator reuses the interop client's pinned npm packages.
source scripts/lib/throwaway_pg.sh
nexus_install_interop_packages

# --- a durable throwaway PostgreSQL ---------------------------------------
nexus_start_throwaway_pg bench "-c fsync=on -c synchronous_commit=on -c max_connections=200"
export NEXUS_TEST_PG_URL="postgresql://postgres@127.0.0.1:$PG_PORT/postgres"
export NEXUS_BENCH_PG_DATA="$PG_DIR/data"
export NEXUS_BENCH_PG_SETTINGS="$("$PG_BIN/postgres" --version | sed 's/^postgres (PostgreSQL) /PostgreSQL /'), own throwaway server, fsync=on, synchronous_commit=on (durable), data in $(df -P "$PG_DIR" | awk 'NR==2 {print $1}')"

mkdir -p bench/results
node bench/sweep.js --out "bench/results/$(date -u +%Y-%m-%dT%H%M%SZ).json" --results-md bench/RESULTS.md "$@"
