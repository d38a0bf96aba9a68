#!/usr/bin/env node
// A stand-in "VS Code executable" for @vscode/test-electron's runTests({ vscodeExecutablePath }).
// It takes the Electron-style command line runTests builds (--extensionDevelopmentPath=,
// --extensionTestsPath=, --user-data-dir=, --extensions-dir=, a folder), runs code-server (the real
// VS Code server and extension host) on a free loopback port, opens the workbench in headless chromium
// with the development/test parameters in ?payload=, mirrors the extension host's console to stdout,
// waits for the workbench to call window.codeAutomationExit(code), screenshots it, and exits with code.
//
// Screenshot handshake: webviews die with the extension host once the tests finish, so the suite asks
// for the screenshot while it is still running, by logging SCREENSHOT_REQUEST; the shim checks that the
// Keel view is showing, saves the png, writes { ok, detail } to KEEL_SHOT_REPORT (the suite waits for
// that file to appear), and only then lets the suite end.
//
// Env: KEEL_SHOT=<png>          where the workbench screenshot goes
//      KEEL_SHOT_REPORT=<json>  where the Keel-view check goes (also tells the suite to ask for it)
//      KEEL_HOST_LOG=<file>     code-server's own output (default: discarded unless it fails to start)
//      TEST_TIMEOUT_MS          whole-run limit (default 240000)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launchBrowser, mirrorExtensionHostConsole } from './browser.mjs';
import { smokeTestDriverArgs, startCodeServer } from './codeServer.mjs';
import { checkKeelViewShowing, clickNotificationButton, CLICK_NOTIFICATION_REQUEST, PAGE_SCREENSHOT_REQUEST, PANEL_SCREENSHOT_REQUEST, PRESS_KEY_REQUEST, pressKeyOverGhostText, SCREENSHOT_REQUEST } from './workbench.mjs';

function parseArgs(argv) {
  const devPaths = [];
  const opts = {};
  let folder;
  for (const a of argv) {
    const m = /^--([^=]+)=(.*)$/.exec(a);
    if (m) {
      if (m[1] === 'extensionDevelopmentPath') devPaths.push(path.resolve(m[2]));
      else opts[m[1]] = m[2];
    } else if (!a.startsWith('-')) folder = path.resolve(a);
  }
  return { devPaths, testsPath: opts.extensionTestsPath && path.resolve(opts.extensionTestsPath), opts, folder };
}

const { devPaths, testsPath, opts, folder } = parseArgs(process.argv.slice(2));
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-host-'));
const timeoutMs = Number(process.env.TEST_TIMEOUT_MS || 240_000);
const log = process.env.KEEL_HOST_LOG ? fs.createWriteStream(process.env.KEEL_HOST_LOG) : undefined;

function writeReport(report) {
  const file = process.env.KEEL_SHOT_REPORT;
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(report));
  fs.renameSync(`${file}.tmp`, file); // the suite polls for the file: never let it see half of it
}

async function takeScreenshot(page) {
  const check = await checkKeelViewShowing(page).catch((e) => ({ ok: false, detail: e.message }));
  if (process.env.KEEL_SHOT) {
    fs.mkdirSync(path.dirname(process.env.KEEL_SHOT), { recursive: true });
    await page.screenshot({ path: process.env.KEEL_SHOT }).catch((e) => { check.ok = false; check.detail += `; screenshot failed: ${e.message}`; });
  }
  if (process.env.KEEL_SHOT_REPORT) writeReport(check);
}

/**
 * A named picture of the side bar (the chat panel) mid-suite, e.g. in the dark and the light theme —
 * or, `whole`, of the window (a report open in an editor).
 */
async function takePanelScreenshot(page, name, whole = false) {
  const report = { ok: false, detail: '' };
  if (process.env.KEEL_SHOT) {
    const file = path.join(path.dirname(process.env.KEEL_SHOT), `${whole ? 'page' : 'panel'}-${name}.png`);
    // A theme switch reaches the workbench and then each webview asynchronously: wait for both to carry
    // the theme's class (vs / vs-dark on the workbench, vscode-light / vscode-dark on the webview body).
    const theme = { dark: ['.monaco-workbench.vs-dark', 'body.vscode-dark'], light: ['.monaco-workbench.vs:not(.vs-dark)', 'body.vscode-light'] }[name];
    if (theme) {
      await page.locator(theme[0]).first().waitFor({ timeout: 15_000 }).catch(() => {});
      await page.frameLocator('iframe.webview').first().frameLocator('#active-frame').locator(theme[1]).waitFor({ timeout: 15_000 }).catch(() => {});
    }
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))).catch(() => {});
    // `editor-…` names photograph the editor area (webview panels such as the query plan), the rest the side bar.
    const editor = name.startsWith('editor-');
    const frames = page.frameLocator(editor ? '.part.editor iframe.webview' : 'iframe.webview');
    const text = await (editor ? frames.last() : frames.first()).frameLocator('#active-frame').locator('body').innerText({ timeout: 5000 }).catch(() => '');
    await (whole ? page.screenshot({ path: file }) : page.locator(editor ? '.part.editor' : '.part.sidebar').screenshot({ path: file })).then(
      () => Object.assign(report, { ok: true, detail: file, text }),
      (e) => Object.assign(report, { detail: `panel screenshot failed: ${e.message}` }),
    );
  }
  if (process.env.KEEL_SHOT_REPORT) {
    const file = `${process.env.KEEL_SHOT_REPORT}.${name}`;
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(report));
    fs.renameSync(`${file}.tmp`, file);
  }
}

async function pressKey(page, id, key) {
  const report = await pressKeyOverGhostText(page, key).then(
    (ghost) => ({ ok: true, detail: `pressed ${key}`, ghost }),
    (e) => ({ ok: false, detail: `could not press ${key} over ghost text: ${e.message}` }),
  );
  if (process.env.KEEL_SHOT_REPORT) {
    const file = `${process.env.KEEL_SHOT_REPORT}.key-${id}`;
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(report));
    fs.renameSync(`${file}.tmp`, file);
  }
}

async function answerNotification(page, id, label) {
  const report = await clickNotificationButton(page, label).then(
    () => ({ ok: true, detail: `clicked "${label}"` }),
    (e) => ({ ok: false, detail: `could not click "${label}": ${e.message}` }),
  );
  if (process.env.KEEL_SHOT_REPORT) {
    const file = `${process.env.KEEL_SHOT_REPORT}.click-${id}`;
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(report));
    fs.renameSync(`${file}.tmp`, file);
  }
}

let server;
let context;
let code = 1;
const shutdown = async () => {
  await context?.close().catch(() => {});
  await server?.stop();
  log?.end();
  fs.rmSync(scratch, { recursive: true, force: true });
};
// runTests forwards Ctrl-C as SIGINT: leave no code-server or chromium behind.
process.once('SIGINT', () => void shutdown().then(() => process.exit(130)));
process.once('SIGTERM', () => void shutdown().then(() => process.exit(143)));

try {
  server = await startCodeServer({
    runDir: scratch,
    userDataDir: opts['user-data-dir'] && path.resolve(opts['user-data-dir']),
    extensionsDir: opts['extensions-dir'] && path.resolve(opts['extensions-dir']),
    extraArgs: smokeTestDriverArgs(),
    onOutput: (text) => log?.write(text),
  });
  const authority = new URL(server.origin).host;
  const remote = (p) => `vscode-remote://${authority}${p}`;
  const payload = [
    ...devPaths.map((p) => ['extensionDevelopmentPath', remote(p)]),
    ...(testsPath ? [['extensionTestsPath', remote(testsPath)]] : []),
  ];
  const url = `${server.origin}/?${folder ? `folder=${encodeURIComponent(folder)}` : 'ew=true'}&payload=${encodeURIComponent(JSON.stringify(payload))}`;

  context = await launchBrowser(path.join(scratch, 'chromium'));
  const page = context.pages()[0] ?? (await context.newPage());
  let screenshot;
  mirrorExtensionHostConsole(page, (text) => {
    const panel = new RegExp(`${PANEL_SCREENSHOT_REQUEST.replace(/[[\]]/g, '\\$&')} ([\\w-]+)`).exec(text);
    const whole = new RegExp(`${PAGE_SCREENSHOT_REQUEST.replace(/[[\]]/g, '\\$&')} ([\\w-]+)`).exec(text);
    const click = new RegExp(`${CLICK_NOTIFICATION_REQUEST.replace(/[[\]]/g, '\\$&')} ([\\w-]+) (.+)$`).exec(text.trim());
    const key = new RegExp(`${PRESS_KEY_REQUEST.replace(/[[\]]/g, '\\$&')} ([\\w-]+) (\\S+)$`).exec(text.trim());
    if (text.includes(SCREENSHOT_REQUEST)) screenshot ??= takeScreenshot(page);
    else if (key) void pressKey(page, key[1], key[2]);
    else if (panel) void takePanelScreenshot(page, panel[1]);
    else if (whole) void takePanelScreenshot(page, whole[1], true);
    else if (click) void answerNotification(page, click[1], click[2]);
    else console.log(text);
  });
  // The workbench calls window.codeAutomationExit(code) once the extension host's run() settled.
  let reportExit;
  const exitCode = new Promise((resolve) => { reportExit = resolve; });
  await page.exposeFunction('codeAutomationExit', async (c) => reportExit(c));
  // A loaded machine (2 shared cores) can take longer than Playwright's 30 s default to serve the workbench.
  await page.goto(url, { timeout: 120_000 });
  let timer;
  const outcome = await Promise.race([
    exitCode,
    new Promise((resolve) => { timer = setTimeout(() => resolve('timeout'), timeoutMs); }),
    server.exited.then((c) => `code-server exited (${c})`),
  ]);
  clearTimeout(timer);
  if (typeof outcome === 'number') code = outcome;
  else console.error(`[shim] no test result: ${outcome === 'timeout' ? `timed out after ${timeoutMs} ms` : outcome}`);

  if (screenshot) await screenshot;
  else if (process.env.KEEL_SHOT) {
    // Keep a picture of how it ended for the post-mortem; the check itself failed.
    await page.screenshot({ path: process.env.KEEL_SHOT }).catch(() => {});
    if (process.env.KEEL_SHOT_REPORT) writeReport({ ok: false, detail: 'the suite never asked for the screenshot' });
  }
} catch (error) {
  console.error(`[shim] ${error.stack ?? error}`);
  if (server && !log) console.error(server.output());
} finally {
  await shutdown();
}
process.exit(code);
