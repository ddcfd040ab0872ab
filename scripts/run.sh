#!/usr/bin/env bash
# Installs what is missing, builds the Release binaries and starts nexusd in
# the foreground on its embedded PostgreSQL (data under $NEXUS_HOME, default
# ~/.nexus). Extra arguments go to nexusd (see build/release/apps/nexusd/nexusd --help).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/deps.sh
nexus_require_packages "${NEXUS_BUILD_PACKAGES[@]}"

echo "nexus: building Release binaries in build/release" >&2
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DNEXUS_TESTS=OFF >/dev/null
cmake --build build/release -j"$(nexus_jobs)" --target nexusd nexus nexus-mcp
exec build/release/apps/nexusd/nexusd "$@"
