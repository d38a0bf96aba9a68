/**
 * Entry point VS Code's extension host loads (extensionTestsPath): runs every bundled `*.test.js` beside
 * it with mocha's programmatic API, then shows the Keel view and has the harness photograph it, and
 * writes the tally to ../results.json for `npm run test:host`'s closing line.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';
import * as vscode from 'vscode';
import { keelApi, waitFor, within } from './helpers';

export interface HostResults {
  passed: number;
  failed: number;
  pending: number;
  failures: { title: string; error: string }[];
}

function runMocha(files: string[]): Promise<HostResults> {
  // Generous per-test limit: a cold host on 2 shared cores is slow; tests poll rather than sleep.
  const mocha = new Mocha({ ui: 'bdd', reporter: 'spec', color: false, timeout: 60_000 });
  for (const f of files) mocha.addFile(f);
  const results: HostResults = { passed: 0, failed: 0, pending: 0, failures: [] };
  return new Promise((resolve) => {
    const runner = mocha.run(() => resolve(results));
    runner.on('pass', () => results.passed++);
    runner.on('pending', () => results.pending++);
    runner.on('fail', (test, error: Error) => {
      results.failed++;
      results.failures.push({ title: test.fullTitle(), error: String(error?.stack ?? error) });
    });
  });
}

/** Must match SCREENSHOT_REQUEST in test/host/harness/workbench.mjs. */
const SCREENSHOT_REQUEST = '[keel-host] screenshot please';

/**
 * Webviews die with the extension host when run() returns, so the harness must photograph the workbench
 * before that: show the Keel view, wait until it rendered, ask, and wait for the harness's report file.
 * Failures here surface in the harness's check, not as a thrown error.
 */
async function holdForScreenshot(): Promise<void> {
  const report = process.env.KEEL_SHOT_REPORT;
  if (!report) return; // not run by scripts/test-host.mjs
  try {
    await vscode.commands.executeCommand('keel.openChat');
    await within(keelApi().then((api) => api.chatView.whenRendered()), 'the chat view to render', 30_000);
  } catch (error) {
    console.log(`could not show the Keel view for the screenshot: ${String(error)}`);
  }
  console.log(SCREENSHOT_REQUEST);
  await waitFor(() => fs.existsSync(report), 'the harness to take its screenshot', 30_000).catch((e) => console.log(String(e)));
}

export async function run(): Promise<void> {
  // KEEL_HOST_ONLY=queryPlan runs only the matching files (a focused run while developing; npm test runs all).
  const only = process.env.KEEL_HOST_ONLY;
  const files = fs.readdirSync(__dirname).filter((f) => f.endsWith('.test.js') && (!only || f.includes(only))).sort().map((f) => path.join(__dirname, f));
  const results = files.length
    ? await runMocha(files)
    : { passed: 0, failed: 1, pending: 0, failures: [{ title: 'host suite', error: `no *.test.js beside ${__dirname}` }] };
  await holdForScreenshot();
  fs.writeFileSync(path.join(__dirname, '..', 'results.json'), JSON.stringify(results, null, 2));
  if (results.failed > 0) throw new Error(`${results.failed} host test(s) failed`);
}
