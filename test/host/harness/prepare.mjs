// Steps shared by `npm run test:host` and `npm start` before a host can run: the code-server install
// (scripts/setup-host.sh, only when missing) and an up-to-date extension build (esbuild.mjs).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CODE_SERVER_VERSION, HOST_STAMP, ROOT, SETUP_SCRIPT } from './paths.mjs';

export function isHostInstalled() {
  try {
    return JSON.parse(fs.readFileSync(HOST_STAMP, 'utf8')).codeServer === CODE_SERVER_VERSION;
  } catch {
    return false;
  }
}

/** Runs setup-host.sh unless its stamp says the right code-server is there (the script re-checks). */
export function ensureHost(log = console.error) {
  if (isHostInstalled()) return;
  log(`[host] code-server ${CODE_SERVER_VERSION} is not installed yet: running scripts/setup-host.sh`);
  const r = spawnSync('bash', [SETUP_SCRIPT], { cwd: ROOT, stdio: ['ignore', 2, 2] });
  if (r.status !== 0) throw new Error(`scripts/setup-host.sh failed (exit ${r.status ?? r.signal})`);
}

const BUNDLES = ['dist/extension.js', 'dist/cli.js', 'dist/webview/chat.js'];
const SOURCES = ['src', 'media', 'package.json', 'esbuild.mjs'];

function newestMtime(p) {
  const st = fs.statSync(p, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const e of fs.readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, e)));
  return newest;
}

/** Why dist/ must be rebuilt, or undefined when it is present and newer than every source. */
export function staleBuildReason() {
  const missing = BUNDLES.find((f) => !fs.existsSync(path.join(ROOT, f)));
  if (missing) return `${missing} is missing`;
  const built = Math.min(...BUNDLES.map((f) => fs.statSync(path.join(ROOT, f)).mtimeMs));
  const changed = SOURCES.find((s) => newestMtime(path.join(ROOT, s)) > built);
  return changed ? `${changed} changed since the last build` : undefined;
}

export function ensureBuilt(log = console.error) {
  const reason = staleBuildReason();
  if (!reason) return;
  log(`[host] building the extension (${reason}): node esbuild.mjs`);
  // esbuild's report goes to stderr: stdout is for the caller's own output (npm start's URL, the tally).
  const r = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, stdio: ['ignore', 2, 2] });
  if (r.status !== 0) throw new Error(`node esbuild.mjs failed (exit ${r.status ?? r.signal})`);
}
