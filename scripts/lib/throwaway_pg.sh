# Sourced by test.sh and bench/run.sh: a throwaway PostgreSQL on a free
# loopback port, removed when the calling shell exits.
#
#   nexus_start_throwaway_pg NAME "SETTINGS" [INITDB_ARGS...]
#
# sets PG_BIN, PG_DIR (data in $PG_DIR/data, log in $PG_DIR/log), PG_PORT,
# PG_OPTS (the postgres options used, for restarts) and as_pg (the command
# prefix that runs PostgreSQL's binaries as an unprivileged user when we are
# root: initdb and postgres refuse root).

nexus_start_throwaway_pg() {
  local name=$1 settings=$2
  shift 2
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -x "$PG_BIN/postgres" ] || { echo "nexus: error: no PostgreSQL server binaries under /usr/lib/postgresql" >&2; return 1; }
  PG_DIR=$(mktemp -d "/tmp/nexus-$name-pg.XXXXXX")
  as_pg=()
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres:postgres "$PG_DIR"
    as_pg=(runuser -u postgres --)
  fi
  trap nexus_stop_throwaway_pg EXIT
  "${as_pg[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 "$@" >/dev/null
  PG_PORT=""
  local port
  for _ in $(seq 1 20); do
    port=$((20000 + RANDOM % 40000))
    PG_OPTS="-p $port -k $PG_DIR -c listen_addresses=127.0.0.1 $settings"
    if "${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w -t 30 -o "$PG_OPTS" \
        start >/dev/null 2>&1; then
      PG_PORT=$port
      break
    fi
  done
  if [ -z "$PG_PORT" ]; then
    echo "nexus: error: could not start PostgreSQL (see $PG_DIR/log)" >&2
    cat "$PG_DIR/log" >&2 || true
    return 1
  fi
}

nexus_stop_throwaway_pg() {
  [ -n "${PG_DIR:-}" ] || return 0
  "${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
}

# The interop client's pinned npm packages (tests/interop, also used by bench/).
nexus_install_interop_packages() {
  if [ ! -d tests/interop/node_modules ] ||
      [ tests/interop/package-lock.json -nt tests/interop/node_modules/.package-lock.json ]; then
    echo "nexus: installing the interop test client's npm packages" >&2
    (cd tests/interop && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
}
