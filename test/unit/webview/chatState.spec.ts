/// <reference lib="dom" />
/**
 * The chat webview without retainContextWhenHidden: it restores itself from saved state, saves what it
 * shows, and renders a streamed answer incrementally (finished blocks once, the growing tail per frame)
 * without loosening the sanitiser — on the REAL bundle in Chromium (harness.ts).
 */
import * as assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { xssPayloads } from '../../fixtures/xss/payloads';
import { launchChromium } from '../../helpers/chromium';
import { openChatPage, settle, startServer, type Harness } from './harness';

type Win = { __state: { turns: Array<{ id: string; answer: string }>; draft: string } | null; __xssHits: string[] };

/** Post messages to the page, one animation frame apart (as a stream arrives). */
async function stream(page: Page, messages: unknown[]): Promise<void> {
  await page.evaluate(async (ms) => {
    for (const m of ms) {
      window.postMessage(m, '*');
      await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    }
  }, messages);
  await settle(page);
}

/** A fresh page showing turn `id`, started by the extension, with `deltas` streamed into it. */
async function pageWithTurn(browser: Awaited<ReturnType<typeof launchChromium>>, harness: Harness, id: string, deltas: string[]): Promise<Page> {
  const { page } = await openChatPage(browser.context, harness, { csp: true });
  await stream(page, [{ type: 'turn', turn: { id, question: 'q', answer: '', pills: [], citations: [] } }, ...deltas.map((text) => ({ type: 'delta', turnId: id, text }))]);
  return page;
}

const FOOTER = { provider: 'openai', model: 'x', tier: 'fast', reason: 'r', usage: { input: 1, cacheRead: 0, cacheWrite: 0, output: 1 }, costUsd: 0, cached: false, offline: false };

describe('chat webview: saved state and incremental streaming (real Chromium, real bundle)', function () {
  this.timeout(120_000);
  let harness: Harness;
  let browser: Awaited<ReturnType<typeof launchChromium>>;

  before(async () => {
    harness = await startServer();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    harness?.server.close();
  });

  it('restores the transcript and the draft from saved state at once, then takes the history as the truth', async () => {
    const saved = { turns: [{ id: 's1', question: 'where are orders listed?', answer: 'In **src/routes/orders.ts:11**.', pills: [], citations: [] }], draft: 'and the N+1 in' };
    const { page } = await openChatPage(browser.context, harness, { csp: true, state: saved });
    const restored = await page.evaluate(() => ({
      question: document.querySelector('.turn .question')?.textContent,
      answer: document.querySelector('.turn .answer')?.textContent?.trim(),
      draft: (document.querySelector('textarea.input') as HTMLTextAreaElement).value,
    }));
    assert.deepEqual(restored, { question: 'where are orders listed?', answer: 'In src/routes/orders.ts:11.', draft: 'and the N+1 in' });
    await stream(page, [{ type: 'history', turns: [] }]);
    assert.equal(await page.evaluate(() => document.querySelectorAll('.turn').length), 0);
    await page.close();
  });

  it('saves the turns it shows and the draft with setState', async () => {
    const page = await pageWithTurn(browser, harness, 't1', ['partial ']);
    await stream(page, [{ type: 'done', turnId: 't1', answer: 'partial answer', citations: [], footer: FOOTER }]);
    await page.fill('textarea.input', 'next question');
    await settle(page);
    const state = await page.evaluate(() => (window as unknown as Win).__state);
    assert.equal(state?.turns.length, 1);
    assert.equal(state?.turns[0].id, 't1');
    assert.equal(state?.turns[0].answer, 'partial answer');
    assert.equal(state?.draft, 'next question');
    await page.close();
  });

  it('renders a finished block once while the stream grows; only the tail is rendered again', async () => {
    const page = await pageWithTurn(browser, harness, 't2', ['The loop in src/routes/orders.ts:11 is an N+1.\n\n', 'Use an include']);
    // Mark the first paragraph's node: it must survive the next frames untouched.
    await page.evaluate(() => ((document.querySelector('.answer p') as unknown as { __mark: number }).__mark = 1));
    await stream(page, [
      { type: 'delta', turnId: 't2', text: ' instead:\n\n```ts\nprisma.order.findMany({\n' },
      { type: 'delta', turnId: 't2', text: '  include: { items: true } })\n```\n' },
    ]);
    const mid = await page.evaluate(() => {
      const first = document.querySelector('.answer p') as unknown as { __mark?: number; textContent: string };
      return { kept: first.__mark === 1, first: first.textContent, text: document.querySelector('.answer')?.textContent ?? '', chips: document.querySelectorAll('.answer .citation').length, code: document.querySelector('.answer pre code')?.textContent ?? '' };
    });
    assert.ok(mid.kept, 'the settled paragraph was rendered again');
    assert.match(mid.first, /The loop in/);
    assert.match(mid.text, /Use an include instead:/);
    assert.equal(mid.chips, 1, 'citation chip in the settled block');
    assert.match(mid.code, /include: \{ items: true \}/);
    await stream(page, [{ type: 'done', turnId: 't2', answer: 'The loop in src/routes/orders.ts:11 is an N+1.\n\nUse an include instead.', citations: [], footer: FOOTER }]);
    const final = await page.evaluate(() => ({ streaming: document.querySelector('.answer')?.classList.contains('streaming'), text: document.querySelector('.answer')?.textContent?.replace(/\s+/g, ' ').trim() }));
    assert.equal(final.streaming, false);
    assert.equal(final.text, 'The loop in src/routes/orders.ts:11 is an N+1. Use an include instead.');
    await page.close();
  });

  it('keeps every XSS payload inert when it streams frame by frame (settled blocks and tail both sanitised)', async () => {
    const payloads = xssPayloads(`http://127.0.0.1:${harness.port}`);
    const { page, dialogs } = await openChatPage(browser.context, harness, { csp: false });
    for (const p of payloads) {
      const text = `Intro paragraph.\n\n${p.markdown}\n\nTrailing paragraph.`;
      const deltas = [];
      for (let i = 0; i < text.length; i += 11) deltas.push({ type: 'delta', turnId: `x-${p.id}`, text: text.slice(i, i + 11) });
      await stream(page, [{ type: 'turn', turn: { id: `x-${p.id}`, question: p.id, answer: '', pills: [], citations: [] } }, ...deltas]);
    }
    const state = await page.evaluate(() => {
      const answers = Array.from(document.querySelectorAll('.answer'));
      return {
        hits: (window as unknown as Win).__xssHits,
        bad: answers.flatMap((a) => Array.from(a.querySelectorAll('script,iframe,object,embed,svg,math,style,img,form,input,meta,base,link')).map((n) => n.tagName)),
        handlers: answers.flatMap((a) => Array.from(a.querySelectorAll('*')).flatMap((n) => Array.from(n.attributes).filter((at) => /^on/i.test(at.name) || at.name === 'style').map((at) => at.name))),
        streaming: answers.filter((a) => a.classList.contains('streaming')).length,
      };
    });
    console.log(`      streamed XSS — ${payloads.length} payloads: executed ${state.hits.length}, leaked ${harness.exfil.length}, dangerous elements ${state.bad.length}`);
    assert.equal(state.streaming, payloads.length, 'the payloads were still streaming (the incremental path rendered them)');
    assert.deepEqual(state.hits, []);
    assert.deepEqual(harness.exfil, []);
    assert.deepEqual(dialogs, []);
    assert.deepEqual(state.bad, []);
    assert.deepEqual(state.handlers, []);
    harness.exfil.length = 0;
    await page.close();
  });

  it('shows the attached selection first, as a chip that is not offered for removal, in the composer and in the turn', async () => {
    const { page } = await openChatPage(browser.context, harness, { csp: true });
    const selection = { id: 'selection:src/routes/orders.ts:11-27', path: 'src/routes/orders.ts', startLine: 11, endLine: 27, symbol: 'selection', attached: 'selection' };
    await stream(page, [{ type: 'prefill', text: '#selection ', attachment: selection }]);
    const composer = await page.evaluate(() => ({
      draft: (document.querySelector('textarea.input') as HTMLTextAreaElement).value,
      chip: (document.querySelector('.composer-attachment:not([hidden]) .pill') as HTMLElement | null)?.textContent,
    }));
    assert.equal(composer.draft, '#selection ');
    assert.match(composer.chip ?? '', /orders\.ts:11-27/);
    await stream(page, [
      { type: 'turn', turn: { id: 't3', question: '#selection why slow?', answer: '', pills: [], citations: [] } },
      { type: 'context', turnId: 't3', ms: 3, pills: [selection, { id: 'p1', path: 'src/db.ts', startLine: 1, endLine: 9, symbol: 'prisma' }] },
    ]);
    const pills = await page.evaluate(() => Array.from(document.querySelectorAll('.turn .pill-wrap')).map((w) => ({ attached: w.classList.contains('attached'), text: w.textContent, removable: !!w.querySelector('.icon-button') })));
    assert.equal(pills.length, 2);
    assert.deepEqual(pills.map((p) => [p.attached, p.removable]), [[true, false], [false, true]]);
    assert.match(pills[0].text ?? '', /orders\.ts:11-27/);
    await page.close();
  });
});
