// Headless Debian chromium driven by playwright-core: the "window" of the web workbench.
import fs from 'node:fs';
import path from 'node:path';
import util from 'node:util';
import { chromium } from 'playwright-core';
import { CHROMIUM } from './paths.mjs';

export async function launchBrowser(profileDir, viewport = { width: 1400, height: 900 }) {
  // Webviews are served from another origin and need their service worker: allow third-party storage.
  fs.mkdirSync(path.join(profileDir, 'Default'), { recursive: true });
  fs.writeFileSync(path.join(profileDir, 'Default', 'Preferences'), JSON.stringify({ profile: { cookie_controls_mode: 0 } }));
  return chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

// The workbench's own chatter, not the tests' output.
const NOISE = /Resolving connection|Creating a socket|Resolved connection|Service Worker|ChatModelSelection|AgentHost|AccountPolicyGate|ChatSessionStore|Updating additional|open-vsx|^\s+at /;

/**
 * The web workbench re-logs extension-host console output in the page as `%c INFO`-style logger calls;
 * forward those (and only those) to `write`, so mocha's report shows up in the terminal.
 */
export function mirrorExtensionHostConsole(page, write) {
  page.on('console', async (message) => {
    let args;
    try { args = await Promise.all(message.args().map((a) => a.jsonValue())); } catch { args = [message.text()]; }
    if (typeof args[0] !== 'string' || !/^%c\s+(INFO|WARN| ERR|DEBUG|TRACE)$/.test(args[0])) return;
    const text = util.format(...args.slice(2));
    if (!NOISE.test(text)) write(text);
  });
}
