#!/usr/bin/env bash
# Installs the REAL PostgreSQL the database tests use: Debian's postgresql-15 server and the HypoPG
# extension (hypothetical indexes for proven index advice). Only Debian apt is contacted; nothing is
# started here — each test run starts its own server in a temp folder (test/helpers/postgres.ts).
# Idempotent: a no-op when the packages are present.
set -euo pipefail
say() { echo "[setup-postgres] $*" >&2; }

PG_BIN=/usr/lib/postgresql/15/bin
missing=()
[ -x "$PG_BIN/postgres" ] || missing+=(postgresql-15)
[ -f /usr/share/postgresql/15/extension/hypopg.control ] || missing+=(postgresql-15-hypopg)
if [ ${#missing[@]} -eq 0 ]; then
  say "postgresql-15 and hypopg already installed"
  exit 0
fi
SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
say "apt: installing ${missing[*]}"
$SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
# The server package's postinst creates a default cluster and may start it; the tests never use it.
DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
say "installed: $("$PG_BIN/postgres" --version)"
