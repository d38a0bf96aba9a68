#!/usr/bin/env bash
# Installs the REAL VS Code host that `npm run test:host` and `npm start` use: code-server (the VS Code
# server, here VS Code 1.100.3, which runs on Node 20) from the npm registry into the git-ignored
# .keel-host/, plus Debian's chromium (driven headless by playwright-core), ripgrep and libkrb5-dev, and the
# tools of the network-namespace egress test (strace, iproute2, util-linux).
# Only the npm registry and Debian apt are contacted. Idempotent: a stamp written after a verified
# install makes re-runs a no-op (pass --force to reinstall).
#
# Usage: bash scripts/setup-host.sh [--force]        (env KEEL_HOST_DIR overrides the install folder)
set -euo pipefail

CS_VERSION=4.100.3
NODE_MAJOR=20   # code-server's postinstall refuses any other Node major
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HOST=${KEEL_HOST_DIR:-$ROOT/.keel-host}
STAMP=$HOST/installed.json
CS=$HOST/node_modules/code-server
VSC=$CS/lib/vscode
FORCE=0; [ "${1:-}" = "--force" ] && FORCE=1

say() { echo "[setup-host] $*" >&2; }
die() { say "ERROR: $*"; exit 1; }

# Native pieces the VS Code server needs on Linux. Each is produced by an install script, so their
# presence proves the scripts really ran (npm 11 may skip dependency scripts that are not approved).
NATIVE_FILES=(
  "$VSC/node_modules/node-pty/build/Release/pty.node"
  "$VSC/node_modules/@vscode/spdlog/build/Release/spdlog.node"
  "$VSC/node_modules/native-watchdog/build/Release/watchdog.node"
  "$VSC/node_modules/kerberos/build/Release/kerberos.node"
  "$VSC/node_modules/@vscode/ripgrep/bin/rg"
  "$VSC/node_modules.asar"            # symlink made at the end of code-server's postinstall
  "$VSC/extensions/node_modules"      # built-in extensions' dependencies, the postinstall's last step
)
# Linux-relevant dependencies of lib/vscode with install scripts (the windows-* ones are not needed).
VSCODE_SCRIPT_DEPS=(node-pty @vscode/spdlog @parcel/watcher @vscode/ripgrep @vscode/deviceid kerberos native-watchdog)

missing_natives() {
  local f; for f in "${NATIVE_FILES[@]}"; do [ -e "$f" ] || echo "$f"; done
}

cs_version() {
  XDG_DATA_HOME="$HOST/tmp" XDG_CONFIG_HOME="$HOST/tmp" "$HOST/node_modules/.bin/code-server" \
    --config "$HOST/tmp/check-config.yaml" --version 2>/dev/null | awk '/^[0-9]+\.[0-9]+\.[0-9]+ / { print $1; exit }'
}

have_apt_deps() {
  [ -x /usr/bin/chromium ] && command -v rg >/dev/null && dpkg -s libkrb5-dev >/dev/null 2>&1 \
    && command -v strace >/dev/null && command -v ip >/dev/null && command -v unshare >/dev/null
}

installed_ok() {
  [ -f "$STAMP" ] && grep -q "\"codeServer\": \"$CS_VERSION\"" "$STAMP" && [ -z "$(missing_natives)" ] && have_apt_deps
}

if [ "$FORCE" = 0 ] && installed_ok; then
  say "code-server $CS_VERSION already installed in $HOST (use --force to reinstall)"
  exit 0
fi

node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" = "$NODE_MAJOR" ] || die "code-server $CS_VERSION needs Node $NODE_MAJOR (found $(node -v))"

# --- Debian packages, only those missing -------------------------------------------------------------
apt_missing=()
[ -x /usr/bin/chromium ] || apt_missing+=(chromium)
command -v rg >/dev/null || apt_missing+=(ripgrep)
dpkg -s libkrb5-dev >/dev/null 2>&1 || apt_missing+=(libkrb5-dev)   # headers for the kerberos module
command -v make >/dev/null && command -v g++ >/dev/null || apt_missing+=(build-essential)  # node-gyp
command -v python3 >/dev/null || apt_missing+=(python3)
# The local-only test runs the CLI in a fresh network namespace with connect() traced (test/unit/egress/netns.spec.ts).
command -v strace >/dev/null || apt_missing+=(strace)
command -v ip >/dev/null || apt_missing+=(iproute2)
command -v unshare >/dev/null || apt_missing+=(util-linux)
if [ ${#apt_missing[@]} -gt 0 ]; then
  SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
  say "apt: installing ${apt_missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${apt_missing[@]}" >/dev/null
fi

# --- code-server from npm ----------------------------------------------------------------------------
mkdir -p "$HOST"
[ "$FORCE" = 1 ] && rm -rf "$HOST/node_modules" "$HOST/package-lock.json" "$STAMP"
cd "$HOST"
# allowScripts: the only top-level packages whose install scripts we need (npm 11 blocks the rest).
cat > package.json <<JSON
{
  "name": "keel-host",
  "private": true,
  "description": "code-server for Keel's host tests and npm start; installed by scripts/setup-host.sh",
  "allowScripts": { "code-server": true, "argon2": true }
}
JSON

# @vscode/ripgrep's postinstall downloads rg from GitHub unless it finds the release tarball in
# $TMPDIR/vscode-ripgrep-cache-<version>/: seed that cache with Debian's rg (same binary, offline).
export TMPDIR=$HOST/tmp
rm -rf "$TMPDIR"; mkdir -p "$TMPDIR/rgseed"; cp "$(command -v rg)" "$TMPDIR/rgseed/rg"
for v in 1.15.9 1.15.10 1.15.11 1.15.12 1.15.13 1.15.14 1.16.0 1.16.1 1.17.0; do
  for tag in v13.0.0-10 v13.0.0-13 v14.1.1-1; do
    mkdir -p "$TMPDIR/vscode-ripgrep-cache-$v"
    tar -czf "$TMPDIR/vscode-ripgrep-cache-$v/ripgrep-$tag-x86_64-unknown-linux-musl.tar.gz" -C "$TMPDIR/rgseed" rg
  done
done

# npm_config_yes: node-pty's scripts run `npx node-gyp` (a user ~/.npmrc may say yes=false).
# npm_config_unsafe_perm: code-server's postinstall refuses to run as root without it.
# npm_config_build_from_source: argon2 and kerberos would first try prebuilt binaries from GitHub; compile
# them straight away instead (offline: only the npm registry and apt may be contacted).
export npm_config_yes=true npm_config_unsafe_perm=true npm_config_fund=false npm_config_audit=false
export npm_config_build_from_source=true
# node-gyp builds against the running Node's own headers when present (no download from nodejs.org).
node_headers=$(dirname "$(dirname "$(command -v node)")")
[ -f "$node_headers/include/node/node.h" ] && export npm_config_nodedir=$node_headers

# Two steps so the nested install is approved whatever npm's script policy: first unpack without
# scripts, then approve lib/vscode's native dependencies, then run the postinstall (which runs
# `npm install` inside lib/vscode and lib/vscode/extensions).
say "npm: code-server@$CS_VERSION (unpack)"
npm install --save-exact --ignore-scripts --loglevel=error "code-server@$CS_VERSION" >/dev/null
approve=""; for d in "${VSCODE_SCRIPT_DEPS[@]}"; do approve="$approve\"$d\": true, "; done
node -e '
  const fs = require("fs"); const f = process.argv[1];
  const pkg = JSON.parse(fs.readFileSync(f, "utf8"));
  pkg.allowScripts = JSON.parse("{" + process.argv[2].replace(/, $/, "") + "}");
  fs.writeFileSync(f, JSON.stringify(pkg, null, 2));' "$VSC/package.json" "$approve"
say "npm: building code-server's native modules (takes a few minutes on 2 cores)"
if ! nice -n 5 npm rebuild --foreground-scripts code-server argon2 >"$HOST/install.log" 2>&1; then
  tail -40 "$HOST/install.log" >&2; die "code-server postinstall failed (full log: $HOST/install.log)"
fi

missing=$(missing_natives)
[ -z "$missing" ] || { tail -40 "$HOST/install.log" >&2; die "install scripts did not produce:
$missing"; }
version=$(cs_version)
[ "$version" = "$CS_VERSION" ] || die "code-server --version printed '$version', expected $CS_VERSION"
rm -rf "$TMPDIR"
printf '{\n  "codeServer": "%s",\n  "vscode": "%s",\n  "node": "%s",\n  "installedAt": "%s"\n}\n' \
  "$CS_VERSION" "$(node -p "require('$VSC/package.json').version")" "$(node -v)" "$(date -u +%FT%TZ)" > "$STAMP"
say "code-server $version installed in $HOST"
