/**
 * `chat/ask` end to end in one engine: real indexing of the demo backend, real hybrid search, the real
 * `openai` SDK streaming from the local OpenAI-protocol server, the cost ledger and the semantic cache.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ChatChunk } from '../../../src/protocol';
import { call, type Engine } from '../../../src/engine/engine';
import { createEngine } from '../../../src/engine/createEngine';
import type { KeelError } from '../../../src/common/errors';
import { silentLogger } from '../../../src/engine/log';
import { copyDemoBackend, tempDir, useOpenAIServer } from '../../helpers/setup';

describe('chat/ask (engine, real SDK against the local OpenAI server)', function () {
  this.timeout(120_000);
  const server = useOpenAIServer();
  let tmp: string;
  let workspace: string;
  let engine: Engine;

  before(() => {
    tmp = tempDir('keel-chat-');
    workspace = copyDemoBackend(path.join(tmp, 'ws'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  beforeEach(() => {
    engine = createEngine({ host: 'in-process', log: silentLogger, storageDir: path.join(tmp, 'state'), globalStorageDir: path.join(tmp, 'user') });
  });
  afterEach(async () => engine.shutdown());

  const ask = (question: string, extra: Record<string, unknown> = {}) => {
    const chunks: ChatChunk[] = [];
    const result = call(engine, 'chat/ask', { question, root: workspace, store: path.join(tmp, 'index'), ...extra }, { onChunk: (c) => chunks.push(c) });
    return { chunks, result };
  };

  it('answers offline with cited passages when no provider is configured', async () => {
    await call(engine, 'engine/configure', { settings: { 'keel.provider': 'none' } });
    const { chunks, result } = ask('how does the ordersRouter GET handler load orderItem rows for each order?');
    const answer = await result;
    assert.equal(answer.offline, true);
    assert.equal(answer.provider, 'none');
    assert.equal(answer.costUsd, 0);
    assert.match(answer.answer, /Retrieval answer/);
    assert.ok(answer.citations.length > 0, 'cites passages');
    assert.ok(answer.citations.some((c) => c.path.startsWith('src/routes/orders.ts')), JSON.stringify(answer.citations));
    assert.equal(chunks[0].type, 'context', 'context pills come first');
    for (const c of answer.citations) assert.ok(fs.existsSync(path.join(workspace, c.path)), c.path);
    // Keel's own SQL analysis rides along: orders.ts loads each order's items in a loop (an N+1).
    assert.ok(answer.citations.some((c) => c.path === 'src/routes/orders.ts' && c.startLine <= 22 && c.endLine >= 22), JSON.stringify(answer.citations));
    assert.match(answer.answer, /src\/routes\/orders\.ts:22 — .*KEEL-SQL-N-PLUS-ONE/);
  });

  it('streams a routed, priced, cited answer; records it; serves the repeat from the semantic cache', async () => {
    await call(engine, 'engine/configure', {
      settings: { 'keel.provider': 'openai', 'keel.openai.baseUrl': server.baseURL, 'keel.routing.mode': 'auto', 'keel.cache.enabled': true },
      secrets: { openai: 'sk-test-0123456789' },
    });
    server.replies.push({ text: 'The N+1 is in src/routes/orders.ts:1-400 — each order loads its items in a loop. Use `include: { items: true }`.' });
    const first = ask('explain the ordersRouter handler that loads orderItem rows for each order');
    const answer = await first.result;
    assert.equal(answer.offline, false);
    assert.equal(answer.provider, 'openai');
    assert.equal(answer.tier, 'fast', `routed: ${answer.reason}`);
    assert.equal(answer.model, 'gpt-4.1-mini');
    assert.ok(answer.usage.input > 0 && answer.usage.output > 0, JSON.stringify(answer.usage));
    assert.ok(answer.costUsd > 0);
    const types = first.chunks.map((c) => c.type);
    assert.deepEqual(types.slice(0, 2), ['context', 'route']);
    assert.ok(types.filter((t) => t === 'delta').length > 1, 'the answer streamed in several deltas');
    assert.equal(first.chunks.filter((c) => c.type === 'delta').map((c) => (c as { text: string }).text).join(''), answer.answer);
    assert.deepEqual(answer.citations.map((c) => c.path), ['src/routes/orders.ts']);
    // What went over the wire: instructions, then retrieved code with path:line headers, then the question.
    const body = server.requests.at(-1)!.json as { messages: Array<{ role: string; content: string }>; stream: boolean };
    assert.equal(body.stream, true);
    assert.match(JSON.stringify(body.messages), /\[\d+\] src\/routes\/orders\.ts:\d+-\d+/);

    const cost = await call(engine, 'cost/summary', {});
    assert.equal(cost.calls.total, 1, 'the call is in the ledger');
    assert.equal(cost.total, answer.costUsd);
    assert.equal(cost.perModel[0].key, 'gpt-4.1-mini');

    const requestsBefore = server.requests.length;
    const again = await ask('Explain the ordersRouter handler that loads orderItem rows for each order?').result;
    assert.equal(again.cached, true, 'a paraphrase-level repeat is served from the cache');
    assert.equal(again.costUsd, 0);
    assert.equal(again.answer, answer.answer);
    assert.equal(server.requests.length, requestsBefore, 'no model call for a cache hit');
    const afterHit = await call(engine, 'cost/summary', {});
    assert.equal(afterHit.calls.total, 2, 'the cache hit is recorded too');
    assert.equal(afterHit.total, answer.costUsd, 'at no cost');
    assert.ok(afterHit.savings.semanticCache > 0, 'and counted as a saving');

    // Changing a cited file invalidates the cached answer.
    fs.appendFileSync(path.join(workspace, 'src/routes/orders.ts'), '\n// touched\n');
    server.replies.push({ text: 'Fresh answer after the change (src/routes/orders.ts:1-5).' });
    const fresh = await ask('explain the ordersRouter handler that loads orderItem rows for each order').result;
    assert.equal(fresh.cached, false);
    assert.match(fresh.answer, /Fresh answer/);
  });

  it('routes security-sensitive questions to the reasoning tier', async () => {
    await call(engine, 'engine/configure', {
      settings: { 'keel.provider': 'openai', 'keel.openai.baseUrl': server.baseURL, 'keel.routing.mode': 'auto' },
      secrets: { openai: 'sk-test-0123456789' },
    });
    server.replies.push({ text: 'Review: src/middleware/auth.ts:1-10 trusts the header.' });
    const answer = await ask('review the auth middleware for token validation and permission bypass issues').result;
    assert.equal(answer.tier, 'reasoning', answer.reason);
    assert.equal(answer.model, 'gpt-4.1');
  });

  it('records every model call in the egress audit log, without payloads or keys', async () => {
    await call(engine, 'engine/configure', {
      settings: { 'keel.provider': 'openai', 'keel.openai.baseUrl': server.baseURL },
      secrets: { openai: 'sk-test-0123456789' },
    });
    server.replies.push({ text: 'It returns { ok: true } (src/routes/health.ts:1-5).' });
    await ask('what does the health route return?', { bypassCache: true }).result;
    const log = await call(engine, 'egress/log', { limit: 10 });
    const last = log.entries.at(-1)!;
    assert.equal(last.provider, 'openai');
    assert.equal(last.purpose, 'chat');
    assert.equal(last.host, new URL(server.baseURL).hostname);
    assert.equal(last.outcome, 'ok');
    assert.ok(last.files.length > 0, 'the files whose content was sent are listed');
    assert.ok(last.tokens && last.tokens.output > 0);
    assert.doesNotMatch(JSON.stringify(log), /sk-test-0123456789|health route return/, 'no key and no payload in the log');
  });

  it('cancels mid-stream with CANCELLED', async () => {
    await call(engine, 'engine/configure', {
      settings: { 'keel.provider': 'openai', 'keel.openai.baseUrl': server.baseURL },
      secrets: { openai: 'sk-test-0123456789' },
    });
    server.faults.push({ mode: 'hang-mid-stream', afterEvents: 2 });
    const controller = new AbortController();
    const pending = call(engine, 'chat/ask', { question: 'what does the health route return?', root: workspace, store: path.join(tmp, 'index'), bypassCache: true }, {
      signal: controller.signal,
      onChunk: (c) => {
        if (c.type === 'delta') controller.abort();
      },
    });
    await assert.rejects(pending, (e: KeelError) => e.code === 'CANCELLED');
  });

  it('sends the schema of the tables a data question names (and none for a question that is not about data)', async () => {
    await call(engine, 'engine/configure', {
      settings: { 'keel.provider': 'openai', 'keel.openai.baseUrl': server.baseURL, 'keel.cache.enabled': false },
      secrets: { openai: 'sk-test-0123456789' },
    });
    server.replies.push({ text: 'There is no index on "Order"("userId").' });
    await ask('is there an index on the Order table for the userId column?').result;
    const sent = JSON.stringify(server.requests.at(-1)!.json);
    assert.match(sent, /### schema: prisma\/schema.prisma/);
    assert.match(sent, /CREATE TABLE \\"Order\\"/);
    server.replies.push({ text: 'It formats a number.' });
    await ask('what does the formatting helper return for negative amounts?').result;
    assert.doesNotMatch(JSON.stringify(server.requests.at(-1)!.json), /### schema:/);
  });
});
