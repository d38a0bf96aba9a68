/**
 * Time and size limits of the door, through the official SDKs against servers that misbehave:
 * a hung provider fails with TIMEOUT within keel.llm.timeoutS (#24), a never-ending stream with
 * RESPONSE_TOO_LONG and a flooding one with RESPONSE_TOO_LARGE (#23 item 11) — for chat on both SDKs
 * and for the embedder.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigKey } from '../../../src/engine/config';
import { engineServices } from '../../helpers/egress';
import { EgressGate } from '../../../src/engine/egress/gate';
import { OpenAIEmbedder } from '../../../src/engine/embed/openaiEmbedder';
import { EmbedderKey } from '../../../src/engine/embed/service';
import { AnthropicProvider } from '../../../src/engine/llm/providers/anthropic';
import { OpenAIProvider } from '../../../src/engine/llm/providers/openai';
import { LlmProviderKey } from '../../../src/engine/llm/services';
import type { LlmProvider } from '../../../src/engine/llm/types';
import { MisbehavingServer, type Dialect } from '../../servers/misbehaving';

async function failure(fn: () => Promise<unknown>): Promise<{ code: string; ms: number; message: string }> {
  const started = Date.now();
  try {
    await fn();
  } catch (error) {
    const e = error as { code?: string; message?: string };
    return { code: e.code ?? 'uncoded', ms: Date.now() - started, message: e.message ?? '' };
  }
  throw new Error('expected a failure');
}

const PROVIDERS: Array<{ dialect: Dialect; settings: (url: string) => Record<string, unknown>; secrets: Record<string, string>; model: string }> = [
  { dialect: 'openai', settings: (url) => ({ 'keel.provider': 'openai', 'keel.openai.baseUrl': url }), secrets: { openai: 'sk-test' }, model: 'gpt-4.1' },
  { dialect: 'anthropic', settings: (url) => ({ 'keel.provider': 'anthropic', 'keel.anthropic.baseUrl': url }), secrets: { anthropic: 'sk-ant-test' }, model: 'claude-sonnet-4-6' },
];

describe('egress bounds: time limits a user can set, and streams that cannot run or grow forever', function () {
  this.timeout(30_000);
  let storageDir: string;
  let server: MisbehavingServer | undefined;
  beforeEach(() => {
    storageDir = mkdtempSync(join(tmpdir(), 'keel-bounds-'));
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    rmSync(storageDir, { recursive: true, force: true });
  });

  for (const p of PROVIDERS) {
    for (const via of ['keel.llm.timeoutS', 'KEEL_TIMEOUT_S']) {
      it(`${p.dialect}: a provider that accepts the connection and never answers → TIMEOUT within ${via} = 1 s, not retried`, async () => {
        server = await new MisbehavingServer('silent', { dialect: p.dialect }).start();
        const settings = { ...p.settings(server.baseURL), ...(via === 'keel.llm.timeoutS' ? { 'keel.llm.timeoutS': 1 } : {}) };
        const registry = engineServices(settings, p.secrets, storageDir, via === 'KEEL_TIMEOUT_S' ? { KEEL_TIMEOUT_S: '1' } : {});
        const provider = registry.get(LlmProviderKey) as LlmProvider;
        const f = await failure(() => provider.complete({ model: p.model, messages: [{ role: 'user', content: 'hello?' }] }));
        assert.equal(f.code, 'TIMEOUT', f.message);
        assert.ok(f.ms >= 900 && f.ms < 5000, `TIMEOUT after ${f.ms} ms`);
        assert.equal(server.requests.length, 1, 'a timed-out call is not retried behind the user\'s back');
      });
    }
  }

  it('embedder: a hung embeddings endpoint → TIMEOUT within keel.llm.timeoutS', async () => {
    server = await new MisbehavingServer('silent').start();
    const registry = engineServices(
      { 'keel.embedder': 'openai-compatible:nomic-embed-text', 'keel.openaiCompatible.baseUrl': server.baseURL, 'keel.llm.timeoutS': 1 },
      {},
      storageDir,
    );
    const f = await failure(() => registry.get(EmbedderKey).embed(['x']));
    assert.equal(f.code, 'TIMEOUT', f.message);
    assert.ok(f.ms < 5000, `TIMEOUT after ${f.ms} ms`);
  });

  it('a changed keel.llm.timeoutS applies to the next request without rebuilding anything', async () => {
    server = await new MisbehavingServer('silent').start();
    const registry = engineServices(PROVIDERS[0]!.settings(server.baseURL), PROVIDERS[0]!.secrets, storageDir);
    const provider = registry.get(LlmProviderKey) as LlmProvider;
    registry.get(ConfigKey).update({ 'keel.llm.timeoutS': 0.5 }, undefined);
    const f = await failure(() => provider.complete({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }] }));
    assert.equal(f.code, 'TIMEOUT');
    assert.ok(f.ms < 4000, `${f.ms} ms`);
  });

  for (const dialect of ['openai', 'anthropic'] as Dialect[]) {
    const provider = (gate: EgressGate, baseURL: string): LlmProvider =>
      dialect === 'openai'
        ? new OpenAIProvider({ kind: 'openai', apiKey: 'sk-test', baseURL, gate })
        : new AnthropicProvider({ apiKey: 'sk-ant-test', baseURL, gate });

    it(`${dialect}: a never-ending stream is cut at its maximum duration → RESPONSE_TOO_LONG`, async () => {
      server = await new MisbehavingServer('endless', { dialect, gapMs: 10 }).start();
      const gate = new EgressGate({ storageDir, limits: { maxDurationMs: 800 } });
      const f = await failure(() => provider(gate, server!.baseURL).complete({ model: 'm', messages: [{ role: 'user', content: 'go on' }] }));
      assert.equal(f.code, 'RESPONSE_TOO_LONG', f.message);
      assert.ok(f.ms < 5000, `${f.ms} ms`);
      assert.equal(server.requests.length, 1, 'not retried after output');
    });

    it(`${dialect}: a flooding stream is cut at its byte limit → RESPONSE_TOO_LARGE`, async () => {
      server = await new MisbehavingServer('flood', { dialect }).start();
      const gate = new EgressGate({ storageDir, limits: { maxBytes: 1024 * 1024 } });
      const f = await failure(() => provider(gate, server!.baseURL).complete({ model: 'm', messages: [{ role: 'user', content: 'more' }] }));
      assert.equal(f.code, 'RESPONSE_TOO_LARGE', f.message);
      await new Promise((r) => setTimeout(r, 100));
      assert.ok(server.bytesSent < 32 * 1024 * 1024, `the connection was dropped (server wrote ${server.bytesSent} bytes)`);
    });
  }

  it('embedder: a response over the byte limit → RESPONSE_TOO_LARGE, not an out-of-memory', async () => {
    server = await new MisbehavingServer('flood').start();
    const gate = new EgressGate({ storageDir, limits: { maxBytes: 512 * 1024 } });
    const embedder = new OpenAIEmbedder({ provider: 'openai-compatible', model: 'm', baseURL: server.baseURL, gate });
    const f = await failure(() => embedder.embed(['x']));
    assert.equal(f.code, 'RESPONSE_TOO_LARGE', f.message);
  });
});
