/** Small shared helpers for host tests (bundled into each test file). */
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { KeelApi } from '../../../src/api';

export const EXTENSION_ID = 'keel-dev.keel';

export function keelExtension(): vscode.Extension<KeelApi> {
  const ext = vscode.extensions.getExtension<KeelApi>(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} is not loaded in this host`);
  return ext;
}

/** Activates Keel if the host has not already (it activates on startup) and returns its API. */
export async function keelApi(): Promise<KeelApi> {
  return keelExtension().activate();
}

/** Polls `probe` until it returns a truthy value; for state VS Code updates asynchronously. */
export async function waitFor<T>(probe: () => T | Promise<T>, what: string, timeoutMs = 20_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Rejects if `promise` does not settle in time, naming what was awaited. */
export function within<T>(promise: Promise<T>, what: string, timeoutMs = 20_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Must match PANEL_SCREENSHOT_REQUEST in test/host/harness/workbench.mjs. */
const PANEL_SCREENSHOT_REQUEST = '[keel-host] panel screenshot';

/** Must match PAGE_SCREENSHOT_REQUEST in test/host/harness/workbench.mjs. */
const PAGE_SCREENSHOT_REQUEST = '[keel-host] page screenshot';

/**
 * Ask the harness to photograph the side bar now (test-results/panel-<name>.png) — or, `whole`, the
 * window (test-results/page-<name>.png) — and wait until it has.
 * Outside the harness (no KEEL_SHOT_REPORT) there is no camera: returns false.
 */
export async function panelScreenshot(name: string, whole = false): Promise<boolean> {
  const report = process.env.KEEL_SHOT_REPORT;
  if (!report) return false;
  const file = `${report}.${name}`;
  fs.rmSync(file, { force: true });
  console.log(`${whole ? PAGE_SCREENSHOT_REQUEST : PANEL_SCREENSHOT_REQUEST} ${name}`);
  await waitFor(() => fs.existsSync(file), `the panel screenshot "${name}"`, 30_000);
  const result = JSON.parse(fs.readFileSync(file, 'utf8')) as { ok: boolean; detail: string; text?: string };
  if (!result.ok) throw new Error(result.detail);
  return true;
}

/**
 * One user action done by the harness: prints `<request> <id> <arg>` for it, waits for its answer file
 * (`<KEEL_SHOT_REPORT>.<fileTag>-<id>`) and throws the answer's detail if it failed. Outside the harness
 * nobody can act: throws (`cannot`), so a test that needs the answer fails rather than hangs.
 */
async function harnessAction<T extends object>(a: {
  request: string; idPrefix: string; fileTag: string; arg: string; cannot: string; waitingFor: string; timeoutMs: number;
}): Promise<T> {
  const report = process.env.KEEL_SHOT_REPORT;
  if (!report) throw new Error(`${a.cannot} (KEEL_SHOT_REPORT is not set): run npm run test:host`);
  const id = `${a.idPrefix}${Date.now().toString(36)}`;
  const file = `${report}.${a.fileTag}-${id}`;
  fs.rmSync(file, { force: true });
  console.log(`${a.request} ${id} ${a.arg}`);
  await waitFor(() => fs.existsSync(file), a.waitingFor, a.timeoutMs);
  const result = JSON.parse(fs.readFileSync(file, 'utf8')) as { ok: boolean; detail: string } & T;
  if (!result.ok) throw new Error(result.detail);
  return result;
}

/** Must match CLICK_NOTIFICATION_REQUEST in test/host/harness/workbench.mjs. */
const CLICK_NOTIFICATION_REQUEST = '[keel-host] click notification';

/**
 * Ask the harness to click a notification's button (`label`), as a user would; resolves once it has.
 * Outside the harness nobody can click: throws, so a test that needs the answer fails rather than hangs.
 */
export async function clickNotification(label: string): Promise<void> {
  await harnessAction<object>({
    request: CLICK_NOTIFICATION_REQUEST, idPrefix: 'n', fileTag: 'click', arg: label,
    cannot: 'no harness to click notifications', waitingFor: `the harness to click "${label}"`, timeoutMs: 30_000,
  });
}

/** Must match PRESS_KEY_REQUEST in test/host/harness/workbench.mjs. */
const PRESS_KEY_REQUEST = '[keel-host] press key';

/**
 * Ask the harness to wait for ghost text in the focused editor and press `key` (e.g. Tab) in the
 * browser, as a user would; resolves with the ghost text the DOM showed. Outside the harness: throws.
 */
export async function pressKeyOverGhostText(key: string): Promise<string> {
  const result = await harnessAction<{ ghost?: string }>({
    request: PRESS_KEY_REQUEST, idPrefix: 'k', fileTag: 'key', arg: key,
    cannot: 'no harness to press keys', waitingFor: `the harness to press ${key}`, timeoutMs: 40_000,
  });
  return result.ghost ?? '';
}

/** Shows Keel's chat view and resolves once its webview has rendered. */
export async function showChat(): Promise<KeelApi> {
  const api = await keelApi();
  await vscode.commands.executeCommand('keel.openChat');
  await within(api.chatView.whenRendered(), 'the chat view', 45_000);
  return api;
}

/** Points Keel at an OpenAI-protocol server (a test key in SecretStorage, the base URL, the provider). */
export async function useOpenAI(baseURL: string): Promise<void> {
  await vscode.commands.executeCommand('keel.setApiKey', 'openai', 'sk-host-test-0123456789');
  await vscode.workspace.getConfiguration('keel').update('openai.baseUrl', baseURL, vscode.ConfigurationTarget.Global);
  await vscode.workspace.getConfiguration('keel').update('provider', 'openai', vscode.ConfigurationTarget.Global);
}

/** Undoes useOpenAI (and any provider a test chose): the settings and the key as a fresh profile has them. */
export async function resetProvider(): Promise<void> {
  await vscode.workspace.getConfiguration('keel').update('provider', undefined, vscode.ConfigurationTarget.Global);
  await vscode.workspace.getConfiguration('keel').update('openai.baseUrl', undefined, vscode.ConfigurationTarget.Global);
  await vscode.commands.executeCommand('keel.setApiKey', 'openai', '');
}
