import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLog } from '../../../src/engine/egress/auditLog';
import { AnthropicProvider } from '../../../src/engine/llm/providers/anthropic';
import { OpenAIProvider } from '../../../src/engine/llm/providers/openai';
import { createProvider } from '../../../src/engine/llm/providers/factory';
import { isAllowListed, isLoopbackHost } from '../../../src/engine/egress/hosts';
import { corpus } from './corpus';
import { watchConnections } from '../../helpers/egress';
import { Verdict } from './structuredSchemas';
import { anthropicFixture, openaiFixture, recordingGate, rejection, TEST_ANTHROPIC_KEY, TEST_OPENAI_KEY } from './helpers';

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+|localhost)$/;

describe('llm egress gate', () => {
  it('classifies loopback literally, before DNS', () => {
    for (const h of ['127.0.0.1', '127.8.9.10', 'localhost', '[::1]', '::ffff:127.0.0.1']) assert.ok(isLoopbackHost(h), h);
    for (const h of ['api.openai.com', '10.0.0.1', '169.254.169.254', '127.0.0.1.nip.io', 'localhost.evil.com', '[2001:db8::1]', '0.0.0.0']) {
      assert.ok(!isLoopbackHost(h), h);
    }
    assert.ok(isAllowListed(new URL('http://gpu-box.lan:8000/v1'), ['gpu-box.lan']));
    assert.ok(isAllowListed(new URL('http://gpu-box.lan:8000/v1'), ['GPU-BOX.lan:8000']));
    assert.ok(!isAllowListed(new URL('http://gpu-box.lan:9000/v1'), ['gpu-box.lan:8000']));
  });

  it('local-only mode: zero connections to non-loopback addresses, every attempt refused with EGRESS_BLOCKED', async () => {
    const { gate, transport } = recordingGate({ localOnly: true });
    const watch = watchConnections();
    const targets = [
      'https://api.openai.com/v1',
      'https://api.anthropic.com',
      'http://10.0.0.1:8000/v1',
      'http://169.254.169.254/latest/meta-data',
      'http://127.0.0.1.nip.io:8080/v1',
      'http://127.0.0.1@evil.example.com/v1',
      'http://[2001:db8::1]:8000/v1',
      'http://localhost.evil.example.com/v1',
    ];
    try {
      const codes: string[] = [];
      for (const baseURL of targets) {
        for (const provider of [
          new OpenAIProvider({ kind: 'openai', apiKey: TEST_OPENAI_KEY, baseURL, gate, retry: { maxAttempts: 3, baseDelayMs: 1 } }),
          new AnthropicProvider({ apiKey: TEST_ANTHROPIC_KEY, baseURL, gate, retry: { maxAttempts: 3, baseDelayMs: 1 } }),
        ]) {
          const e = await rejection(() => provider.complete({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }] }));
          codes.push(e.code ?? e.message);
        }
        const embedFetch = gate.fetchFor('embed', 'openai');
        const e = await rejection(() => embedFetch(`${baseURL}/embeddings`, { method: 'POST', body: '{"input":"x"}' }));
        codes.push((e as { code?: string }).code ?? e.message);
      }
      assert.deepEqual(new Set(codes), new Set(['EGRESS_BLOCKED']));
      assert.equal(codes.length, targets.length * 3);
      assert.deepEqual(transport.urls, [], 'the transport was never asked to connect');
      assert.deepEqual(watch.addresses.filter((a) => !LOOPBACK.test(a)), []);
      assert.equal(gate.stats.blocked, codes.length, 'blocked errors are not retried');
    } finally {
      watch.stop();
    }
  });

  it('local-only mode still reaches loopback servers, allow-listed hosts pass, and redirects are never followed', async () => {
    const fx = await openaiFixture({ gate: { localOnly: true } });
    const watch = watchConnections();
    try {
      const r = await fx.provider.complete({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'local' }] });
      assert.ok(r.text.length > 0);
      fx.server.faults.push({ mode: 'redirect-external' });
      const e = await rejection(() => fx.provider.complete({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'follow me' }] }));
      assert.equal(e.code, 'EGRESS_BLOCKED');
      assert.ok(watch.addresses.length > 0, 'connections were observed');
      assert.deepEqual(watch.addresses.filter((a) => !LOOPBACK.test(a)), [], 'never connected to the redirect target');

      // Allow-listing a host by name is honoured (here the name is the loopback literal with a port).
      fx.gate.setPolicy({ localOnly: true, allowHosts: ['gpu-box.lan'] });
      fx.gate.check(new URL('http://gpu-box.lan:8000/v1/chat/completions'));
      assert.throws(() => fx.gate.check(new URL('http://other.lan/v1')), /Local-only mode/);
    } finally {
      watch.stop();
      await fx.server.close();
    }
  });

  it('redaction end to end: no corpus secret reaches any captured request body (both SDKs, code and chat)', async () => {
    const openai = await openaiFixture({ server: { gapMs: 0 } });
    const anthropic = await anthropicFixture({ server: { gapMs: 0 } });
    try {
      for (const entry of corpus.secrets) {
        const request = {
          model: 'gpt-4.1-mini',
          system: 'You are Keel.',
          context: `// config/settings.ts\n${entry.code}`,
          messages: [{ role: 'user' as const, content: entry.chat }],
          files: ['config/settings.ts'],
        };
        await openai.provider.complete(request);
        anthropic.server.replies.push({ json: { ok: true, reason: 'fine' } });
        await anthropic.provider.structured({ ...request, model: 'claude-haiku-4-5' }, Verdict);
      }
      const bodies = openai.server.allBodies() + anthropic.server.allBodies();
      const escaped = (s: string): string => JSON.stringify(s).slice(1, -1);
      const leaked = corpus.secrets.filter((s) => bodies.includes(s.secret) || bodies.includes(escaped(s.secret)));
      assert.deepEqual(leaked.map((s) => s.id), []);
      assert.equal(openai.server.requests.length + anthropic.server.requests.length, corpus.secrets.length * 2);
      assert.ok(openai.gate.stats.redactions >= corpus.secrets.length * 2, 'code and chat were both redacted');

      // Placeholders are stable: the same context is byte-identical in a later request (prompt caches keep hitting).
      const first = corpus.secrets[0]!;
      await openai.provider.complete({ model: 'gpt-4.1-mini', system: 'You are Keel.', context: `// config/settings.ts\n${first.code}`, messages: [{ role: 'user', content: 'again' }] });
      // The context is the user-role message after the system message (workspace code is never in the system role).
      const contextOf = (i: number) => (openai.server.requests[i]!.json as { messages: Array<{ content: string }> }).messages[1]!.content;
      assert.equal(contextOf(openai.server.requests.length - 1), contextOf(0));
      assert.match(contextOf(0), /\[REDACTED:openai-key:[0-9a-f]{8}\]/);
    } finally {
      await openai.server.close();
      await anthropic.server.close();
    }
  });

  it('audit log: one JSONL line per call with host, model, purpose, bytes, tokens, redactions and files — never a key', async () => {
    const fx = await anthropicFixture();
    try {
      const secret = corpus.secrets.find((s) => s.kind === 'stripe-live-key')!;
      await fx.provider.complete({
        model: 'claude-haiku-4-5',
        context: `// billing.ts\nstripe.api_key = "${secret.secret}"`,
        messages: [{ role: 'user', content: 'review billing.ts' }],
        files: ['src/billing.ts'],
      });
      fx.server.faults.push({ mode: 'auth' });
      await rejection(() => fx.provider.complete({ model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'again' }], purpose: 'summarize' }));
      const raw = readFileSync(fx.gate.audit!.file, 'utf8');
      const lines = fx.gate.audit!.read();
      assert.equal(lines.length, 2);
      const [ok, failed] = lines;
      assert.equal(ok!.provider, 'anthropic');
      assert.equal(ok!.host, '127.0.0.1');
      assert.equal(ok!.model, 'claude-haiku-4-5');
      assert.equal(ok!.purpose, 'chat');
      assert.equal(ok!.redactions, 1);
      assert.deepEqual(ok!.files, ['src/billing.ts']);
      assert.ok(ok!.bytes > 100);
      assert.ok(ok!.tokens && ok!.tokens.output > 0);
      assert.equal(ok!.outcome, 'ok');
      assert.equal(failed!.outcome, 'AUTH_FAILED');
      assert.equal(failed!.purpose, 'summarize');
      assert.equal(failed!.tokens, null);
      assert.ok(!raw.includes(TEST_ANTHROPIC_KEY) && !raw.includes(secret.secret), 'no key or secret in the audit log');
      assert.ok(!raw.includes('review billing.ts'), 'no payload in the audit log');
    } finally {
      await fx.server.close();
    }
  });

  it('factory: missing keys are PROVIDER_NOT_CONFIGURED, never a call without a key', () => {
    const { gate } = recordingGate();
    assert.throws(() => createProvider({ provider: 'anthropic' }, { gate }), (e: { code?: string }) => e.code === 'PROVIDER_NOT_CONFIGURED');
    assert.throws(() => createProvider({ provider: 'openai', apiKey: '' }, { gate }), (e: { code?: string }) => e.code === 'PROVIDER_NOT_CONFIGURED');
    assert.equal(createProvider({ provider: 'openai-compatible', baseURL: 'http://127.0.0.1:11434/v1' }, { gate }).id, 'openai-compatible');
  });
});

describe('llm egress audit log file', () => {
  it('rotates once at its size cap, keeps reading across both generations, and skips a torn line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'keel-audit-'));
    const log = new AuditLog(dir, 600);
    const entry = (i: number) => ({ time: `t${i}`, provider: 'openai', host: '127.0.0.1', model: 'gpt-4.1', purpose: 'chat', bytes: i, requests: 1, tokens: null, redactions: 0, files: [], outcome: 'ok' });
    for (let i = 0; i < 8; i++) log.append(entry(i));
    assert.ok(existsSync(log.previousFile), 'rotated');
    appendFileSync(log.file, '{"time": "torn');
    assert.deepEqual(log.read(100).map((e) => e.bytes), [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.deepEqual(log.read(3).map((e) => e.bytes), [5, 6, 7]);
  });
});
