#!/usr/bin/env bash
# Installs the REAL PostgreSQL the database tests use: Debian's postgresql-15 server, the HypoPG
# extension (hypothetical indexes for proven index advice), and pgvector for the team store
# (src/engine/store/postgres/). Only Debian apt is contacted; pgvector is built from the vendored
# tarball beside the repository (../shared/vendor, or $KEEL_PGVECTOR_TARBALL) — read here at setup
# time only, never by Keel at run time. Nothing is started here — each test run starts its own server
# in a temp folder (test/helpers/postgres.ts). Idempotent: a no-op when everything is present.
set -euo pipefail
say() { echo "[setup-postgres] $*" >&2; }

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PG_BIN=/usr/lib/postgresql/15/bin
PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config
PGVECTOR_VERSION=0.8.6
SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo

missing=()
[ -x "$PG_BIN/postgres" ] || missing+=(postgresql-15)
[ -f /usr/share/postgresql/15/extension/hypopg.control ] || missing+=(postgresql-15-hypopg)
if [ ! -f "/usr/share/postgresql/15/extension/vector--${PGVECTOR_VERSION}.sql" ]; then
  [ -x "$PG_CONFIG" ] && [ -d /usr/include/postgresql/15/server ] || missing+=(postgresql-server-dev-15)
  command -v make >/dev/null || missing+=(make)
  command -v gcc >/dev/null || missing+=(gcc)
fi
if [ ${#missing[@]} -gt 0 ]; then
  say "apt: installing ${missing[*]}"
  $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
  # The server package's postinst creates a default cluster and may start it; the tests never use it.
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  say "installed: $("$PG_BIN/postgres" --version)"
else
  say "postgresql-15 and hypopg already installed"
fi

if [ -f "/usr/share/postgresql/15/extension/vector--${PGVECTOR_VERSION}.sql" ] && [ -f /usr/lib/postgresql/15/lib/vector.so ]; then
  say "pgvector ${PGVECTOR_VERSION} already installed"
  exit 0
fi
tarball="${KEEL_PGVECTOR_TARBALL:-$HERE/../shared/vendor/pgvector-${PGVECTOR_VERSION}.tar.gz}"
if [ ! -f "$tarball" ]; then
  say "pgvector tarball not found at $tarball (set KEEL_PGVECTOR_TARBALL)"
  exit 1
fi
build="$(mktemp -d)"
trap 'rm -rf "$build"' EXIT
tar -xzf "$tarball" -C "$build"
src="$(find "$build" -maxdepth 1 -mindepth 1 -type d | head -n1)"
say "building pgvector from $(basename "$tarball")"
# OPTFLAGS='' : no -march=native, so the build runs on any CI machine of the same architecture.
make -s -C "$src" PG_CONFIG="$PG_CONFIG" OPTFLAGS="" -j2 >/dev/null
$SUDO make -s -C "$src" PG_CONFIG="$PG_CONFIG" install >/dev/null
say "installed pgvector ${PGVECTOR_VERSION}"
