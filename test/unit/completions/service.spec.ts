import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KeelError } from '../../../src/common/errors';
import { CompletionService } from '../../../src/engine/completions/service';
import { EngineConfig } from '../../../src/engine/config';
import { EgressGate } from '../../../src/engine/egress/gate';
import { CostLedger } from '../../../src/engine/llm/ledger';
import { OpenAIChatServer } from '../../servers/openaiChat';
import { tempDir } from '../../helpers/setup';

const DOC = 'import { add } from "./math";\n\nexport function total(a: number, b: number): number {\n  return \n}\n';
const OFFSET = DOC.indexOf('return ') + 'return '.length;

describe('completions service (loopback /v1/completions through the egress gate)', () => {
  let server: OpenAIChatServer;
  let dir: string;
  let config: EngineConfig;
  let gate: EgressGate;
  let ledger: CostLedger;
  let service: CompletionService;

  beforeEach(async () => {
    server = await new OpenAIChatServer().start();
    dir = tempDir('keel-completions-');
    config = new EngineConfig();
    config.update({ 'keel.provider': 'openai-compatible', 'keel.openaiCompatible.baseUrl': server.baseURL, 'keel.models.fast': 'qwen2.5-coder:1.5b' }, { 'openai-compatible': 'sk-local-test' });
    gate = new EgressGate({ storageDir: dir });
    ledger = new CostLedger({ dir, prices: { 'qwen2.5-coder:1.5b': { input: 1, cacheWrite: 1, cacheWrite1h: 1, cacheRead: 0.1, output: 2 } } });
    service = new CompletionService({ config, gate, ledger, provider: () => undefined, indexFor: () => undefined, dir, env: {} });
  });
  afterEach(async () => {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const ask = (text = DOC, offset = OFFSET, signal = new AbortController().signal) =>
    service.inline({ path: '/ws/src/total.ts', languageId: 'typescript', text, offset }, signal);

  it('streams a FIM completion with the family template, shows it and books the call', async () => {
    server.replies.push({ text: 'add(a, b);\n}\n\nexport const x = 1;' });
    const result = await ask();
    assert.equal(result.template, 'qwen');
    assert.deepEqual(result.items.map((i) => i.text), ['add(a, b);']);
    const sent = server.requests[0]!;
    assert.equal(sent.path, '/v1/completions');
    const body = sent.json as { prompt: string; stream: boolean; model: string; stop: string[] };
    assert.equal(body.stream, true);
    assert.equal(body.model, 'qwen2.5-coder:1.5b');
    assert.match(body.prompt, /^[\s\S]*<\|fim_prefix\|>[\s\S]*return <\|fim_suffix\|>\n}\n<\|fim_middle\|>$/);
    assert.ok(body.stop.includes('<|endoftext|>'));
    const stats = service.stats();
    assert.equal(stats.calls, 1);
    assert.equal(stats.shown, 1);
    assert.ok(stats.tokens.input > 0 && stats.tokens.output > 0);
    assert.ok(stats.costUsd > 0);
    const entry = JSON.parse(fs.readFileSync(ledger.file, 'utf8').trim()) as { feature: string; taskKind: string; tier: string };
    assert.deepEqual([entry.feature, entry.taskKind, entry.tier], ['completions', 'completion', 'fast']);
  });

  it('sends prompt + suffix to servers that take `suffix`, and records accepts', async () => {
    config.update({ 'keel.completions.template': 'openai-suffix' }, undefined);
    server.replies.push({ text: 'a + b;' });
    const result = await ask();
    const body = server.requests[0]!.json as { prompt: string; suffix: string };
    assert.ok(body.prompt.endsWith('return '));
    assert.equal(body.suffix, '\n}\n');
    const stats = await service.accepted({ id: result.items[0]!.id });
    assert.equal(stats.accepted, 1);
    assert.equal(stats.acceptanceRate, 1);
    await assert.rejects(async () => service.accepted({ id: result.items[0]!.id }), /Unknown completion/);
  });

  it('typing through a suggestion is served from the cache without a request', async () => {
    server.replies.push({ text: 'add(a, b);' });
    await ask();
    const typed = DOC.slice(0, OFFSET) + 'add(' + DOC.slice(OFFSET);
    const again = await ask(typed, OFFSET + 4);
    assert.equal(again.cached, true);
    assert.equal(again.items[0]!.text, 'a, b);');
    assert.equal(server.requests.length, 1);
    assert.equal(service.stats().cacheHits, 1);
  });

  it('cancelling mid-stream aborts the HTTP request and answers CANCELLED', async () => {
    const slow = await new OpenAIChatServer({ gapMs: 150 }).start();
    try {
      config.update({ 'keel.openaiCompatible.baseUrl': slow.baseURL, 'keel.completions.template': 'openai-suffix' }, undefined);
      slow.replies.push({ text: 'a + b + c + d + e + f + g + h + i + j + k + l + m;' });
      const controller = new AbortController();
      const pending = ask(DOC, OFFSET, controller.signal);
      // Wait until the stream has started (headers sent, first pieces on the wire), then cancel.
      const t0 = Date.now();
      while (!slow.requests.length && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, 250));
      controller.abort();
      await assert.rejects(pending, (e: unknown) => e instanceof KeelError && e.code === 'CANCELLED');
      const t1 = Date.now();
      while (slow.requests[0]!.end === undefined && Date.now() - t1 < 5000) await new Promise((r) => setTimeout(r, 10));
      assert.equal(slow.requests[0]!.end, 'client-closed');
    } finally {
      await slow.close();
    }
  });

  it('local-only mode refuses a model that is not on loopback', async () => {
    config.update({ 'keel.openaiCompatible.baseUrl': 'http://203.0.113.7/v1' }, undefined);
    gate.setPolicy({ localOnly: true });
    await assert.rejects(ask(), (e: unknown) => e instanceof KeelError && e.code === 'EGRESS_BLOCKED');
    assert.equal(server.requests.length, 0);
  });

  it('redacts secrets in the prompt before it leaves', async () => {
    const secret = 'AKIAIOSFODNN7EXAMPLE';
    const doc = `const awsKey = "${secret}";\n${DOC}`;
    server.replies.push({ text: 'a + b;' });
    await ask(doc, doc.indexOf('return ') + 7);
    assert.ok(!server.allBodies().includes(secret));
  });

  it('shows nothing for junk, for a mid-word cursor, when disabled, and with the budget used up', async () => {
    server.replies.push({ text: '<|fim_middle|><|endoftext|>' });
    assert.equal((await ask()).reason, 'junk');
    const midWord = DOC.replace('return ', 'return tot');
    assert.equal((await ask(midWord, midWord.indexOf('tot') + 1)).reason, 'position');
    config.update({ 'keel.completions.enabled': false }, undefined);
    assert.equal((await ask()).reason, 'disabled');
    config.update({ 'keel.completions.enabled': true }, undefined);
    ledger.budget = { dailyUsd: 1e-9, monthlyUsd: 0, action: 'block' };
    const before = server.requests.length;
    assert.equal((await ask()).reason, 'budget');
    assert.equal(server.requests.length, before);
  });

  it('a single-line answer ends the stream at its first newline', async () => {
    const slow = await new OpenAIChatServer({ gapMs: 40 }).start();
    try {
      config.update({ 'keel.openaiCompatible.baseUrl': slow.baseURL, 'keel.completions.template': 'starcoder' }, undefined);
      slow.replies.push({ text: 'add(a, b);\n' + 'x'.repeat(400) });
      const doc = 'const v = ';
      const result = await ask(doc, doc.length);
      assert.equal(result.items[0]!.text, 'add(a, b);');
    } finally {
      await slow.close();
    }
  });
});
