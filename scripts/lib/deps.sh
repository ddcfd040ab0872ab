# Sourced by run.sh and test.sh: installs the Debian packages that are
# missing, and nothing else. Safe to run again; quiet when all is present.

nexus_require_packages() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "nexus: installing missing packages: ${missing[*]}" >&2
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
      sudo=(sudo)
    else
      echo "nexus: error: need root or sudo to install: ${missing[*]}" >&2
      echo "nexus: hint: run as root, or install them yourself with apt-get" >&2
      return 1
    fi
  fi
  "${sudo[@]}" apt-get update -qq >&2 &&
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
      "${missing[@]}" >&2
}

# What building and running nexusd needs. postgresql-15 and libpq-dev are only
# installed when absent (naming an installed one would upgrade it mid-run).
NEXUS_BUILD_PACKAGES=(cmake g++ make ccache pkg-config libcaf-dev libssl-dev libboost1.81-dev
  libsodium-dev rapidjson-dev doctest-dev libpq-dev libjemalloc-dev postgresql-15 acl)

# What the tests need on top: Node.js + npm for tests/interop (the
# independent ws/libsodium client) and psql for its per-file databases. Only
# named when the command is absent, so a NodeSource or other install is kept.
NEXUS_TEST_PACKAGES=()
command -v node >/dev/null 2>&1 || NEXUS_TEST_PACKAGES+=(nodejs)
command -v npm >/dev/null 2>&1 || NEXUS_TEST_PACKAGES+=(npm)
command -v psql >/dev/null 2>&1 || NEXUS_TEST_PACKAGES+=(postgresql-client-15)

nexus_jobs() { nproc 2>/dev/null || echo 2; }

# ccache keeps warm rebuilds at a few seconds; PCH needs the sloppiness.
export CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
# Reuse cached objects across clones of the repo (CI clones afresh): paths
# are hashed relative to the checkout, and the working directory is not.
export CCACHE_BASEDIR="$PWD"
export CCACHE_NOHASHDIR=true
