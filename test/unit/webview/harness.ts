/// <reference lib="dom" />
/**
 * Serves the REAL chat webview bundle (dist/webview/chat.js) to Chromium the way VS Code would: the
 * production CSP (or none, `?csp=0`), a stand-in `acquireVsCodeApi` that records what the page posts
 * (`window.__posted`) and saves (`window.__state`), primed with saved state from `?state=<json>`, and an
 * `/exfil` endpoint that records any request a payload manages to make.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';

export const DIST = path.resolve(__dirname, '../../../dist/webview');
const NONCE = 'test-nonce-0123456789';

export interface Harness {
  server: http.Server;
  port: number;
  exfil: string[];
}

export function startServer(): Promise<Harness> {
  const exfil: string[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/exfil') {
      exfil.push(url.search.slice(1));
      res.writeHead(204).end();
      return;
    }
    if (url.pathname === '/index.html') {
      const port = (server.address() as AddressInfo).port;
      const self = `http://localhost:${port}`;
      // Same policy shape as src/vscode/webviewHtml.ts, with the asset origin in place of cspSource.
      const csp = `default-src 'none'; img-src ${self} data:; style-src ${self}; font-src ${self}; script-src 'nonce-${NONCE}'`;
      const withCsp = url.searchParams.get('csp') === '1';
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!DOCTYPE html><html><head><meta charset="UTF-8">
${withCsp ? `<meta http-equiv="Content-Security-Policy" content="${csp}">` : ''}
<link rel="stylesheet" href="/codicon.css"><link rel="stylesheet" href="/chat.css"></head>
<body data-nonce="${NONCE}"><main id="keel-chat-root"></main>
<script nonce="${NONCE}">
  window.__xssHits = []; window.__posted = [];
  window.__xss = (id) => window.__xssHits.push(String(id));
  window.__state = ${JSON.stringify(url.searchParams.get('state') ?? 'null')};
  window.__state = window.__state && JSON.parse(window.__state);
  window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), getState: () => window.__state ?? undefined, setState: (s) => (window.__state = s) });
</script>
<script nonce="${NONCE}" src="/chat.js"></script></body></html>`);
      return;
    }
    const file = path.join(DIST, path.basename(url.pathname));
    if (fs.existsSync(file)) {
      const type = file.endsWith('.js') ? 'text/javascript' : file.endsWith('.css') ? 'text/css' : 'font/ttf';
      res.writeHead(200, { 'content-type': type }).end(fs.readFileSync(file));
      return;
    }
    res.writeHead(404).end();
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as AddressInfo).port, exfil })));
}

export async function settle(page: Page): Promise<void> {
  // Let queued renders (requestAnimationFrame), resource loads and event handlers run.
  await page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 0)))));
  await page.waitForLoadState('networkidle').catch(() => undefined);
}


/** A new page with the chat webview loaded (it has posted `ready`); `dialogs` collects any alert/confirm. */
export async function openChatPage(context: BrowserContext, harness: Harness, options: { csp: boolean; state?: unknown }): Promise<{ page: Page; dialogs: string[] }> {
  const page = await context.newPage();
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  const state = options.state === undefined ? '' : `&state=${encodeURIComponent(JSON.stringify(options.state))}`;
  await page.goto(`http://localhost:${harness.port}/index.html?csp=${options.csp ? 1 : 0}${state}`);
  await page.waitForFunction(() => (window as unknown as { __posted: Array<{ type: string }> }).__posted.some((m) => m.type === 'ready'));
  return { page, dialogs };
}
