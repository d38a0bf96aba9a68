/// <reference lib="dom" />
/**
 * The cost report webview in a real Chromium, behind the production CSP: its totals must match the
 * ledger's summary, its charts must have one bar per data point, and data (model / feature names) must
 * reach the page as text only — a hostile model name neither executes nor becomes markup. The bundle is
 * built from media/cost/main.ts with esbuild for the test (the same options as the webview bundle).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { build } from 'esbuild';
import type { CostSummary } from '../../../src/protocol';
import { CostLedger } from '../../../src/engine/llm/ledger';
import { launchChromium } from '../../helpers/chromium';

const NONCE = 'cost-test-nonce-0123';
const MEDIA = path.resolve(__dirname, '../../../media/cost');
const HOSTILE = '<img src=x onerror="window.__xss=1">gpt-evil';

describe('cost report webview (real Chromium, production CSP)', function () {
  this.timeout(180_000);
  let dir: string;
  let server: http.Server;
  let port: number;
  let summary: CostSummary;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-cost-report-'));
    await build({ entryPoints: { cost: path.join(MEDIA, 'main.ts') }, bundle: true, platform: 'browser', target: 'es2022', format: 'iife', outdir: dir, logLevel: 'silent' });
    fs.copyFileSync(path.join(MEDIA, 'cost.css'), path.join(dir, 'cost.css'));

    const ledger = new CostLedger({ dir: path.join(dir, 'state'), budget: { dailyUsd: 1, monthlyUsd: 0, action: 'warn' } });
    const base = { feature: 'chat', taskKind: 'chat' as const, provider: 'openai' as const, tier: 'reasoning' as const, latencyMs: 5 };
    ledger.record({ ...base, model: 'gpt-4.1', usage: { input: 200_000, cacheWrite: 0, cacheRead: 0, output: 10_000 } }); // $0.48
    ledger.record({ ...base, model: HOSTILE, feature: '<b>sql-fix</b>', costUsd: 0.25, usage: { input: 1, cacheWrite: 0, cacheRead: 0, output: 1 } });
    ledger.record({ ...base, time: new Date(Date.now() - 2 * 86_400_000).toISOString(), model: 'gpt-4.1-mini', tier: 'fast', routedFrom: 'gpt-4.1', usage: { input: 100_000, cacheWrite: 0, cacheRead: 0, output: 0 } });
    summary = ledger.summary();

    server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const self = `http://localhost:${port}`;
      if (url.pathname === '/index.html') {
        const csp = `default-src 'none'; img-src ${self} data:; style-src ${self}; font-src ${self}; script-src 'nonce-${NONCE}'`;
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(`<!DOCTYPE html><html><head><meta charset="UTF-8"><meta http-equiv="Content-Security-Policy" content="${csp}">
<link rel="stylesheet" href="/cost.css"></head><body><main id="keel-cost-root"></main>
<script nonce="${NONCE}">window.__posted = []; window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), getState: () => undefined, setState: () => undefined });</script>
<script nonce="${NONCE}" src="/cost.js"></script></body></html>`);
        return;
      }
      const file = path.join(dir, path.basename(url.pathname));
      if (fs.existsSync(file)) return void res.writeHead(200, { 'content-type': file.endsWith('.js') ? 'text/javascript' : 'text/css' }).end(fs.readFileSync(file));
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  after(() => {
    server?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('renders the ledger totals and charts, and keeps data as text', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.context.newPage();
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(`http://localhost:${port}/index.html`);
      await page.waitForFunction(() => (window as unknown as { __posted: Array<{ type: string }> }).__posted.some((m) => m.type === 'ready'));
      await page.evaluate((s) => window.postMessage({ type: 'summary', summary: s }, '*'), summary);
      await page.waitForSelector('[data-figure="today"]');

      const figure = (id: string) => page.$eval(`[data-figure="${id}"] .card-value`, (n) => n.textContent);
      assert.equal(await figure('today'), `$${summary.today.toFixed(2)}`);
      assert.equal(await figure('month'), `$${summary.monthToDate.toFixed(2)}`);
      assert.equal(await figure('total'), `$${summary.total.toFixed(2)}`);
      assert.equal(await figure('saved'), `$${summary.savings.total.toFixed(2)}`);
      assert.equal(summary.today, 0.73);
      assert.equal(await page.$eval('.budget', (n) => (n as HTMLElement).dataset.state), 'ok');

      const charts = await page.$$eval('section.chart', (sections) => sections.map((s) => ({ title: s.querySelector('h2')?.textContent, bars: s.querySelectorAll('rect.bar').length })));
      assert.deepEqual(charts, [
        { title: 'Spend per day (last 30 days)', bars: 30 },
        { title: 'Spend per model', bars: summary.perModel.length },
        { title: 'Spend per feature', bars: summary.perFeature.length },
        { title: 'Savings by mechanism', bars: 3 },
      ]);

      const text = await page.$eval('#keel-cost-root', (n) => n.textContent ?? '');
      assert.ok(text.includes('<b>sql-fix</b>'), 'feature names are shown literally');
      assert.ok(text.includes('<img src=x'), 'model names are shown literally');
      assert.equal(await page.$$eval('#keel-cost-root img, #keel-cost-root b', (n) => n.length), 0, 'no markup from data');
      assert.equal(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined);
      assert.deepEqual(requests.filter((u) => !/\/(index\.html|cost\.js|cost\.css)$/.test(u)), []);

      await page.click('button.refresh');
      assert.ok(await page.evaluate(() => (window as unknown as { __posted: Array<{ type: string }> }).__posted.some((m) => m.type === 'refresh')));
    } finally {
      await browser.close();
    }
  });
});
