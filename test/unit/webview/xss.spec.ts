/// <reference lib="dom" />
/**
 * The chat webview renders model output, which is untrusted. This suite feeds hostile payloads to the
 * REAL webview bundle (dist/webview/chat.js) in a real Chromium and proves none executes or leaks a
 * request — once behind the production CSP and once with no CSP at all, so the sanitiser alone must
 * hold. A control proves the detectors fire on an unsanitised injection.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { xssPayloads } from '../../fixtures/xss/payloads';
import { launchChromium } from '../../helpers/chromium';
import { DIST, openChatPage, settle, startServer, type Harness } from './harness';

describe('chat webview XSS suite (real Chromium, real bundle)', function () {
  this.timeout(120_000);
  let harness: Harness;
  let browser: Awaited<ReturnType<typeof launchChromium>>;

  before(async () => {
    assert.ok(fs.existsSync(path.join(DIST, 'chat.js')), 'dist/webview/chat.js missing: build first');
    harness = await startServer();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    harness?.server.close();
  });

  const openPage = (withCsp: boolean): Promise<{ page: Page; dialogs: string[] }> => openChatPage(browser.context, harness, { csp: withCsp });

  it('the detectors fire on an unsanitised injection (control)', async () => {
    const { page } = await openPage(false);
    const origin = `http://127.0.0.1:${harness.port}`;
    await page.evaluate((o) => {
      const div = document.createElement('div');
      div.innerHTML = `<img src=x onerror="window.__xss('control')"><img src="${o}/exfil?control">`;
      document.body.append(div);
    }, origin);
    await page.waitForFunction(() => (window as unknown as { __xssHits: string[] }).__xssHits.length > 0);
    await settle(page);
    assert.ok(harness.exfil.includes('control'), 'exfil detector saw the request');
    harness.exfil.length = 0;
    await page.close();
  });

  for (const withCsp of [true, false]) {
    it(`no payload executes or leaks a request ${withCsp ? 'behind the production CSP' : 'with NO CSP (sanitiser alone)'}`, async () => {
      const payloads = xssPayloads(`http://127.0.0.1:${harness.port}`);
      assert.ok(payloads.length >= 50, `expected ≥ 50 payloads, have ${payloads.length}`);
      const { page, dialogs } = await openPage(withCsp);
      const startUrl = page.url();

      // Path 1: restored history (whole answers). Path 2: the same payloads streamed as deltas.
      await page.evaluate((ps) => {
        window.postMessage({ type: 'history', turns: ps.map((p) => ({ id: `h-${p.id}`, question: p.id, answer: p.markdown, pills: [], citations: [] })) }, '*');
      }, payloads);
      await settle(page);
      for (const p of payloads) {
        await page.evaluate((payload) => {
          const turnId = `s-${payload.id}`;
          window.postMessage({ type: 'history', turns: [{ id: turnId, question: payload.id, answer: '', pills: [], citations: [] }] }, '*');
          const text = payload.markdown;
          for (let i = 0; i < text.length; i += 7) window.postMessage({ type: 'delta', turnId, text: text.slice(i, i + 7) }, '*');
          window.postMessage({
            type: 'done', turnId, answer: text, citations: [],
            footer: { provider: 'openai', model: 'x', tier: 'fast', reason: 'r', usage: { input: 1, cacheRead: 0, cacheWrite: 0, output: 1 }, costUsd: 0, cached: false, offline: false },
          }, '*');
        }, p);
        await settle(page);
        // Act like a curious user: hover and click everything the answer rendered.
        await page.evaluate(() => {
          for (const node of Array.from(document.querySelectorAll('.answer *'))) {
            node.dispatchEvent(new MouseEvent('mouseover', { bubbles: true }));
            if (node instanceof HTMLElement && (node.tagName === 'A' || node.tagName === 'BUTTON')) node.click();
          }
        });
        await settle(page);
      }
      // Restore everything at once too (a reload of a poisoned history).
      await page.evaluate((ps) => {
        window.postMessage({ type: 'history', turns: ps.map((p) => ({ id: `r-${p.id}`, question: p.id, answer: p.markdown, pills: [], citations: [] })) }, '*');
      }, payloads);
      await settle(page);

      const state = await page.evaluate(() => {
        const w = window as unknown as { __xssHits: string[]; __posted: Array<{ type: string; href?: string }> };
        const answers = Array.from(document.querySelectorAll('.answer'));
        const bad = answers.flatMap((a) => Array.from(a.querySelectorAll('script,iframe,object,embed,svg,math,style,img,form,input,meta,base,link,template,noscript,textarea,video,audio,portal')).map((n) => n.tagName));
        const handlers = answers.flatMap((a) => Array.from(a.querySelectorAll('*')).flatMap((n) => Array.from(n.attributes).filter((at) => /^on/i.test(at.name) || at.name === 'style').map((at) => `${n.tagName}[${at.name}]`)));
        const hrefs = answers.flatMap((a) => Array.from(a.querySelectorAll('[href],[src],[action],[formaction],[srcset]')).map((n) => n.getAttribute('href') ?? n.getAttribute('src') ?? ''));
        return { hits: w.__xssHits, links: w.__posted.filter((m) => m.type === 'openLink').map((m) => m.href ?? ''), bad, handlers, hrefs, rendered: answers.length };
      });
      const summary = `${payloads.length} payloads, ${withCsp ? 'CSP on' : 'CSP off'}: executed ${state.hits.length}, leaked requests ${harness.exfil.length}, dialogs ${dialogs.length}, dangerous elements ${state.bad.length}, handler/style attributes ${state.handlers.length}`;
      console.log(`      XSS suite — ${summary}`);
      assert.ok(state.rendered >= payloads.length, 'payloads were rendered');
      assert.deepEqual(state.hits, [], 'no payload executed');
      assert.deepEqual(harness.exfil, [], 'no payload made a request');
      assert.deepEqual(dialogs, []);
      assert.deepEqual(state.bad, []);
      assert.deepEqual(state.handlers, []);
      for (const href of [...state.hrefs, ...state.links]) assert.match(href, /^(?:https?:\/\/|#)/i, `unsafe URL survived: ${href}`);
      assert.equal(page.url(), startUrl, 'the webview never navigated');
      harness.exfil.length = 0;
      await page.close();
    });
  }

  it('renders a question started by the extension: turn → context pills → streamed deltas → footer', async () => {
    const { page } = await openPage(true);
    await page.evaluate(() => {
      const turnId = 'ext-1';
      window.postMessage({ type: 'turn', turn: { id: turnId, question: 'why is listing orders slow?', answer: '', pills: [], citations: [] } }, '*');
      window.postMessage({ type: 'context', turnId, ms: 12, pills: [{ id: 'p1', path: 'src/routes/orders.ts', startLine: 11, endLine: 27, symbol: 'ordersRouter' }] }, '*');
      const text = 'Each order loads its items in a loop in src/routes/orders.ts:11-27 (an N+1). Use `include: { items: true }`.';
      for (let i = 0; i < text.length; i += 9) window.postMessage({ type: 'delta', turnId, text: text.slice(i, i + 9) }, '*');
      window.postMessage({
        type: 'done', turnId, answer: text, citations: [{ path: 'src/routes/orders.ts', startLine: 11, endLine: 27 }],
        footer: { provider: 'openai', model: 'gpt-4.1-mini', tier: 'fast', reason: 'Explaining code is fast-tier work.', usage: { input: 900, cacheRead: 0, cacheWrite: 0, output: 40 }, costUsd: 0.00042, cached: false, offline: false },
      }, '*');
    });
    await settle(page);
    const view = await page.evaluate(() => ({
      question: document.querySelector('.turn .question')?.textContent,
      pill: document.querySelector('.turn .pill')?.textContent,
      answer: document.querySelector('.turn .answer')?.textContent,
      chip: document.querySelector('.turn .answer .citation')?.textContent,
      cost: document.querySelector('.turn .turn-footer .cost')?.textContent,
      tier: document.querySelector('.turn .turn-footer .badge')?.textContent,
      busy: document.querySelector('.send')?.textContent,
    }));
    assert.equal(view.question, 'why is listing orders slow?');
    assert.match(view.pill ?? '', /orders\.ts:11/);
    assert.match(view.answer ?? '', /Each order loads its items in a loop/);
    assert.equal(view.chip, 'src/routes/orders.ts:11-27');
    assert.equal(view.cost, '$0.0004');
    assert.equal(view.tier, 'fast');
    assert.equal(view.busy, 'Ask', 'the composer is ready again');
    await page.close();
  });

  it('renders safe markdown faithfully: code highlighting, citation chips, safe links', async () => {
    const { page } = await openPage(true);
    await page.evaluate(() => {
      window.postMessage({ type: 'history', turns: [{ id: 'ok', question: 'q', pills: [], citations: [],
        answer: 'The handler in src/routes/orders.ts:42-57 loops.\n\n```ts\nconst x: number = 1;\n```\n\nSee [the docs](https://www.prisma.io/docs).' }] }, '*');
    });
    await settle(page);
    const info = await page.evaluate(() => ({
      chip: document.querySelector('.answer .citation')?.textContent,
      keyword: document.querySelector('.answer pre .hljs-keyword')?.textContent,
      actions: document.querySelectorAll('.answer .code-actions button').length,
      link: document.querySelector('.answer a')?.getAttribute('href'),
    }));
    assert.equal(info.chip, 'src/routes/orders.ts:42-57');
    assert.equal(info.keyword, 'const');
    assert.equal(info.actions, 3);
    assert.equal(info.link, 'https://www.prisma.io/docs');
    await page.click('.answer .citation');
    const posted = await page.evaluate(() => (window as unknown as { __posted: unknown[] }).__posted.at(-1));
    assert.deepEqual(posted, { type: 'openCitation', path: 'src/routes/orders.ts', line: 42, endLine: 57 });
    await page.close();
  });
});
