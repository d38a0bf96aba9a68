// `npm start`: the Keel demo in a real VS Code (code-server 1.100.3) on 127.0.0.1, opened on the
// demo-backend fixture with Keel installed, until Ctrl-C. Port: $PORT, else 8080 if free, else any free one.
// `node scripts/start.mjs --check` instead opens the workbench in headless chromium, checks that the Keel
// view shows, saves test-results/start.png, and stops (exit code says whether it worked).
import fs from 'node:fs';
import path from 'node:path';
import { launchBrowser } from '../test/host/harness/browser.mjs';
import { freePort, isPortFree, startCodeServer } from '../test/host/harness/codeServer.mjs';
import { ensureBuilt, ensureHost } from '../test/host/harness/prepare.mjs';
import { FIXTURE_WORKSPACE, HOST_DIR, RESULTS_DIR, ROOT } from '../test/host/harness/paths.mjs';
import { checkKeelViewShowing, openKeelView } from '../test/host/harness/workbench.mjs';

const check = process.argv.includes('--check');
const RUN_DIR = path.join(HOST_DIR, 'run');
const say = (m) => console.error(`[start] ${m}`);

async function choosePort() {
  if (process.env.PORT) return Number(process.env.PORT);
  if (!check && (await isPortFree(8080))) return 8080;
  return freePort();
}

/**
 * Installs this checkout as an extension by linking it into the extensions folder under the name VS Code
 * gives installed extensions (<publisher>.<name>-<version>); code-server scans and registers it. The link
 * means a rebuild shows up on the next window reload, with no .vsix to package.
 */
function linkExtension(extensionsDir) {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const id = `${pkg.publisher}.${pkg.name}`;
  fs.mkdirSync(extensionsDir, { recursive: true });
  for (const entry of fs.readdirSync(extensionsDir)) {
    // A stale link (another version) or registry would shadow or duplicate this one: VS Code rescans without them.
    if (entry.startsWith(`${id}-`) || entry === 'extensions.json') fs.rmSync(path.join(extensionsDir, entry), { recursive: true, force: true });
  }
  fs.symlinkSync(ROOT, path.join(extensionsDir, `${id}-${pkg.version}`), 'dir');
  return `${id}@${pkg.version}`;
}

async function verify(origin, url) {
  const profile = fs.mkdtempSync(path.join(RUN_DIR, 'chromium-'));
  const browser = await launchBrowser(profile);
  try {
    const page = browser.pages()[0] ?? (await browser.newPage());
    await page.goto(url);
    await openKeelView(page);
    const result = await checkKeelViewShowing(page);
    if (result.ok) {
      // The demo's point: with no model configured, Keel still answers from the index, with citations.
      const chat = page.frameLocator('iframe.webview').first().frameLocator('#active-frame');
      // Ask once the first index build has finished (the status bar shows its chunk count). A question
      // asked mid-build can still get "No indexed code matched" — a known race, see the session notes.
      await page.locator('.statusbar-item', { hasText: /\d[\d,]* chunks/ }).first().waitFor({ timeout: 120_000 });
      const input = chat.locator('textarea.input');
      await input.fill('where are order items loaded for each order?');
      await input.press('Enter');
      try {
        await chat.locator('.answer', { hasText: 'Retrieval answer' }).waitFor({ timeout: 90_000 });
        const chips = await chat.locator('.answer .citation').count();
        if (chips === 0) Object.assign(result, { ok: false, detail: `${result.detail}; the offline answer has no citation chips` });
        else result.detail += `; offline answer with ${chips} citation chips`;
      } catch (error) {
        Object.assign(result, { ok: false, detail: `${result.detail}; no offline answer: ${error.message.split('\n')[0]}` });
      }
    }
    fs.mkdirSync(RESULTS_DIR, { recursive: true });
    const shot = path.join(RESULTS_DIR, 'start.png');
    await page.screenshot({ path: shot });
    say(`${result.ok ? 'OK' : 'FAILED'}: ${result.detail}; screenshot ${path.relative(ROOT, shot)} (${origin})`);
    return result.ok;
  } finally {
    await browser.close().catch(() => {});
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

ensureHost(say);
ensureBuilt(say);
const extensionsDir = path.join(RUN_DIR, 'extensions');
const installed = linkExtension(extensionsDir);
const port = await choosePort();
const server = await startCodeServer({
  runDir: RUN_DIR,
  port,
  extensionsDir,
  extraArgs: [FIXTURE_WORKSPACE],
  onOutput: check ? undefined : (text) => process.stderr.write(text),
});
const url = `${server.origin}/?folder=${encodeURIComponent(FIXTURE_WORKSPACE)}`;

if (check) {
  let ok = false;
  try {
    ok = await verify(server.origin, url);
  } catch (error) {
    say(`FAILED: ${error.message}`);
  } finally {
    await server.stop();
  }
  process.exit(ok ? 0 : 1);
}

say(`${installed} is installed in ${path.relative(ROOT, extensionsDir)}`);
console.log(`\n  Keel is running in VS Code at ${url}\n  (code-server ${path.relative(ROOT, RUN_DIR)}, no auth, loopback only). Ctrl-C stops it.\n`);
let stopping = false;
const shutdown = async (signal) => {
  if (stopping) return;
  stopping = true;
  say(`${signal}: stopping code-server`);
  await server.stop();
  process.exit(0);
};
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
const code = await server.exited;
if (!stopping) {
  say(`code-server exited unexpectedly (${code})`);
  process.exit(1);
}
