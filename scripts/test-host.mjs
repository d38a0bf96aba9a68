// `npm run test:host`: runs test/host/suite/*.test.ts INSIDE a real VS Code extension host (code-server
// 1.100.3 driven by headless chromium) via @vscode/test-electron's runTests and our code-server shim.
// Sets up the host and builds the extension first when needed. Ends with `host: N passed, N failed`;
// the exit code is non-zero if anything failed.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { runTests } from '@vscode/test-electron';
import { ensureBuilt, ensureHost } from '../test/host/harness/prepare.mjs';
import { FIXTURE_WORKSPACE, OUT_DIR, RESULTS_DIR, ROOT } from '../test/host/harness/paths.mjs';

const SUITE_SRC = path.join(ROOT, 'test', 'host', 'suite');
const SUITE_OUT = path.join(OUT_DIR, 'suite');
const SHIM = path.join(ROOT, 'test', 'host', 'harness', 'code-test-shim.mjs');
const started = Date.now();
const seconds = () => ((Date.now() - started) / 1000).toFixed(1);

async function bundleSuite() {
  fs.rmSync(SUITE_OUT, { recursive: true, force: true });
  const entryPoints = fs.readdirSync(SUITE_SRC).filter((f) => f === 'index.ts' || f.endsWith('.test.ts')).map((f) => path.join(SUITE_SRC, f));
  await esbuild.build({
    entryPoints, outdir: SUITE_OUT, bundle: true, platform: 'node', target: 'node20', format: 'cjs',
    // vscode is the host's; mocha is resolved from the repo's node_modules at run time (it loads test files by path).
    external: ['vscode', 'mocha'], sourcemap: 'inline', logLevel: 'warning',
  });
  return entryPoints.length - 1;
}

/** One row per check that ran: the mocha tests inside the host plus the harness's screenshot check. */
function collectResults(shotReport) {
  const results = readJson(path.join(OUT_DIR, 'results.json'));
  let passed = results?.passed ?? 0;
  let failed = results?.failed ?? 0;
  if (!results) { console.error('[host] the suite reported no results (the host did not run it to the end)'); failed++; }
  for (const f of results?.failures ?? []) console.error(`[host] FAILED ${f.title}\n${f.error}\n`);
  if (results?.pending) { failed += results.pending; console.error(`[host] ${results.pending} pending (skipped) host test(s): pending is not passing`); }
  const shot = readJson(shotReport);
  if (shot?.ok) passed++;
  else { failed++; console.error(`[host] FAILED the final screenshot shows the Keel view: ${shot?.detail ?? 'no report'}`); }
  return { passed, failed };
}

function readJson(file) {
  try { return JSON.parse(fs.readFileSync(file, 'utf8')); } catch { return undefined; }
}

let outcome = { passed: 0, failed: 1 };
// runTests relays Ctrl-C to the shim (which stops code-server); we must then stop too, not run on.
let interrupted = false;
process.on('SIGINT', () => { interrupted = true; });
try {
  ensureHost();
  ensureBuilt();
  if (!fs.existsSync(FIXTURE_WORKSPACE)) throw new Error(`fixture workspace missing: ${FIXTURE_WORKSPACE}`);
  const files = await bundleSuite();
  console.error(`[host] bundled ${files} test file(s) into ${path.relative(ROOT, SUITE_OUT)} (${seconds()} s)`);

  // Fresh profile every run: no state leaks between runs. Kept under out/host for post-mortems.
  for (const d of ['user-data', 'extensions', 'results.json']) fs.rmSync(path.join(OUT_DIR, d), { recursive: true, force: true });
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  fs.chmodSync(SHIM, 0o755); // git may not keep the executable bit; runTests spawns the shim directly
  const shot = path.join(RESULTS_DIR, 'host-workbench.png');
  const shotReport = path.join(OUT_DIR, 'screenshot-check.json');
  fs.rmSync(shotReport, { force: true });
  await runTests({
    vscodeExecutablePath: SHIM,
    extensionDevelopmentPath: ROOT,
    extensionTestsPath: path.join(SUITE_OUT, 'index.js'),
    launchArgs: [FIXTURE_WORKSPACE, `--user-data-dir=${path.join(OUT_DIR, 'user-data')}`, `--extensions-dir=${path.join(OUT_DIR, 'extensions')}`],
    extensionTestsEnv: { KEEL_SHOT: shot, KEEL_SHOT_REPORT: shotReport, KEEL_HOST_LOG: path.join(OUT_DIR, 'code-server.log') },
  }).catch((error) => console.error(`[host] ${error.message}`)); // the tally below says what failed
  if (interrupted) throw new Error('interrupted (Ctrl-C)');
  outcome = collectResults(shotReport);
  console.error(`[host] screenshot: ${path.relative(ROOT, shot)}; code-server log: ${path.relative(ROOT, path.join(OUT_DIR, 'code-server.log'))}`);
  // `npm start` is part of the tier: it must serve a workbench that shows Keel.
  console.error('[host] checking npm start: node scripts/start.mjs --check');
  const start = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'start.mjs'), '--check'], { cwd: ROOT, stdio: ['ignore', 2, 2] });
  if (start.status === 0) outcome.passed++;
  else { outcome.failed++; console.error(`[host] FAILED npm start --check (exit ${start.status ?? start.signal})`); }
} catch (error) {
  console.error(`[host] ${error.stack ?? error}`);
}
console.error(`[host] ${seconds()} s`);
console.log(`host: ${outcome.passed} passed, ${outcome.failed} failed`);
process.exit(outcome.failed > 0 ? 1 : 0);
