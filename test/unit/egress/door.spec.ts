/**
 * One door for every outbound request. Two halves:
 *  1. a source scan: no file in src/ other than the door constructs an SDK client, calls a fetch
 *     implementation or opens sockets (a lint rule can say the same; this fails the unit tier);
 *  2. every provider, embedder and re-ranker, built exactly as the engine builds it from settings and
 *     secrets, sends through the engine's one gate: an audit line is written, secrets are redacted in
 *     the body the server receives, and local-only mode (the setting or KEEL_LOCAL_ONLY) refuses a
 *     TEST-NET address without a single connection attempt.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { AUDIT_FILE } from '../../../src/engine/egress/auditLog';
import { EgressGateKey } from '../../../src/engine/egress/service';
import { EmbedderKey } from '../../../src/engine/embed/service';
import { LlmProviderKey } from '../../../src/engine/llm/services';
import { rerankerDepsFor } from '../../../src/engine/search/rerank/engineDeps';
import { createReranker } from '../../../src/engine/search/rerank/registry';
import type { RerankCandidate } from '../../../src/engine/search/rerank/types';
import { ServiceRegistry } from '../../../src/engine/services';
import { AnthropicServer } from '../../servers/anthropic';
import { EmbeddingsServer } from '../../servers/openaiEmbeddings';
import { OpenAIChatServer } from '../../servers/openaiChat';
import { RerankServer } from '../../servers/rerank';
import { corpus } from '../llm/corpus';
import { engineServices, watchConnections } from '../../helpers/egress';

const ROOT = join(__dirname, '../../..');
/** The only files allowed to build HTTP clients or touch a fetch implementation. */
const DOOR = new Set(['src/engine/egress/clients.ts', 'src/engine/egress/transport.ts']);

const FORBIDDEN: Array<[RegExp, string]> = [
  [/\bnew\s+(OpenAI|AzureOpenAI|Anthropic|AnthropicBedrock|AnthropicVertex)\s*\(/, 'constructs an SDK client'],
  [/(?<!\b[gs]et\s+|[.\w$])fetch\s*\(/, 'calls the global fetch'],
  [/\b(globalThis|window|self)\s*\.\s*fetch\b/, 'reaches for the global fetch'],
  [/from\s+['"](undici|node:http|node:https|node:http2|http|https|http2)['"]/, 'imports an HTTP stack'],
  [/require\(\s*['"](undici|node:http|node:https|http|https)['"]\s*\)/, 'requires an HTTP stack'],
  [/\b(net|tls)\.(connect|createConnection)\s*\(/, 'opens a socket'],
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : /\.(ts|mts|js|mjs)$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

/** Code without comments and string contents, so prose about fetch() is not a finding. */
function codeOnly(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:])\/\/.*$/gm, '$1')
    .replace(/`(?:\\.|[^`\\])*`/g, '``')
    .replace(/"(?:\\.|[^"\\\n])*"/g, '""')
    .replace(/'(?:\\.|[^'\\\n])*'/g, (m) => (/^'(undici|node:https?|node:http2|https?|http2)'$/.test(m) ? m : "''"));
}

export function doorViolations(files: string[]): string[] {
  const found: string[] = [];
  for (const file of files) {
    const rel = relative(ROOT, file).split('\\').join('/');
    if (DOOR.has(rel)) continue;
    const code = codeOnly(readFileSync(file, 'utf8'));
    for (const [pattern, what] of FORBIDDEN) if (pattern.test(code)) found.push(`${rel} ${what}`);
  }
  return found;
}

const KEY = 'sk-test';
const RERANK_KEY = 'rr-test-key-0123456789abcdef';
const OUTSIDE = 'http://203.0.113.7:8080';
const SECRETS = corpus.secrets.slice(0, 12);
const HOSTILE = SECRETS.map((s) => s.code).join('\n');

function candidate(text: string): RerankCandidate {
  return { chunk: { id: 'src/config.ts', path: 'src/config.ts', language: 'typescript', symbol: '', startLine: 1, endLine: 12 }, text, fusedRank: 1, fusedScore: 1 / 61 };
}

interface Server {
  start(): Promise<unknown>;
  close(): Promise<void>;
  readonly baseURL: string;
  bodies(): string;
}

interface Target {
  name: string;
  server: () => Server;
  /** Settings and secrets that point the engine at `baseURL`. */
  settings: (baseURL: string) => Record<string, unknown>;
  secrets: Record<string, string>;
  /** Sends `text` the way the product does. */
  send: (registry: ServiceRegistry, text: string) => Promise<unknown>;
}

const wire = <S extends { start(): Promise<unknown>; close(): Promise<void>; baseURL: string }>(s: S, bodies: (s: S) => string): Server => ({
  start: () => s.start(),
  close: () => s.close(),
  get baseURL() {
    return s.baseURL;
  },
  bodies: () => bodies(s),
});

const chat = (provider: string, setting: string, model: string): Target => ({
  name: `chat: ${provider}`,
  server: () => (provider === 'anthropic' ? wire(new AnthropicServer(), (s) => s.allBodies()) : wire(new OpenAIChatServer(), (s) => s.allBodies())),
  settings: (baseURL) => ({ 'keel.provider': provider, [setting]: baseURL }),
  secrets: { [provider]: provider === 'anthropic' ? 'sk-ant-api03-keeltest0123456789abcdefghijklmnopqrstuvwxyz' : KEY },
  send: async (registry, text) => {
    const provider = registry.get(LlmProviderKey);
    assert.ok(provider, 'a provider is configured');
    return provider.complete({ model, messages: [{ role: 'user', content: text }] });
  },
});

const embedder = (id: string, setting: string, secret: string): Target => ({
  name: `embedder: ${id}`,
  server: () => wire(new EmbeddingsServer(KEY), (s) => JSON.stringify(s.requests.map((r) => r.body))),
  settings: (baseURL) => ({ 'keel.embedder': id, [setting]: baseURL }),
  secrets: { [secret]: KEY },
  send: (registry, text) => registry.get(EmbedderKey).embed([text]),
});

const reranker = (api: 'cohere' | 'voyage' | 'jina'): Target => ({
  name: `re-ranker: ${api}`,
  server: () => wire(new RerankServer(api, RERANK_KEY), (s) => s.allBodies()),
  settings: (baseURL) => ({ [`keel.rerank.${api}.baseUrl`]: baseURL }),
  secrets: { [api]: RERANK_KEY },
  send: (registry, text) => createReranker(api, rerankerDepsFor(registry, {}))!.rerank('where is the key', [candidate(text)]),
});

const llmReranker: Target = {
  name: 're-ranker: llm (fast tier)',
  server: () => {
    const s = new OpenAIChatServer();
    const server = wire(s, (x) => x.allBodies());
    const start = server.start;
    server.start = async () => {
      await start();
      for (let i = 0; i < 4; i++) s.replies.push({ json: { grades: [{ passage: 1, relevance: 7 }] } });
    };
    return server;
  },
  settings: (baseURL) => ({ 'keel.provider': 'openai', 'keel.openai.baseUrl': baseURL }),
  secrets: { openai: KEY },
  send: (registry, text) => createReranker('llm', rerankerDepsFor(registry, {}))!.rerank('where is the key', [candidate(text)]),
};

export const TARGETS: Target[] = [
  chat('openai', 'keel.openai.baseUrl', 'gpt-4.1'),
  chat('anthropic', 'keel.anthropic.baseUrl', 'claude-sonnet-4-6'),
  chat('openai-compatible', 'keel.openaiCompatible.baseUrl', 'llama3.1'),
  embedder('openai:text-embedding-3-small', 'keel.openai.baseUrl', 'openai'),
  embedder('openai-compatible:nomic-embed-text', 'keel.openaiCompatible.baseUrl', 'openai-compatible'),
  reranker('cohere'),
  reranker('voyage'),
  reranker('jina'),
  llmReranker,
];

function auditLines(storageDir: string): Array<{ host: string; purpose: string; redactions: number; outcome: string; bytes: number }> {
  try {
    return readFileSync(join(storageDir, AUDIT_FILE), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  } catch {
    return [];
  }
}

async function codeOf(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
  return 'no error';
}

describe('egress: one door for every outbound request', function () {
  this.timeout(60_000);

  it('no file in src/ other than the door builds an SDK client, calls fetch or opens a socket', () => {
    const files = [...sourceFiles(join(ROOT, 'src')), ...sourceFiles(join(ROOT, 'media'))];
    assert.ok(files.length > 100, 'the scan sees the source tree');
    assert.deepEqual(doorViolations(files), []);
  });

  it('the scan catches each forbidden shape (so an empty list above means something)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'keel-door-'));
    try {
      const probes = [
        "import OpenAI from 'openai';\nconst c = new OpenAI({ apiKey: k });",
        'const a = new Anthropic({ apiKey });',
        'const r = await fetch(url, { method: "POST" });',
        'const f = globalThis.fetch;',
        "import { request } from 'node:https';",
        "import { Agent } from 'undici';",
        'const s = net.connect(443, host);',
      ];
      const files = probes.map((p, i) => {
        const file = join(dir, `probe${i}.ts`);
        writeFileSync(file, p);
        return file;
      });
      assert.equal(doorViolations(files).length, probes.length, doorViolations(files).join('\n'));
      const innocent = join(dir, 'innocent.ts');
      writeFileSync(innocent, "// we never fetch() here\nconst s = 'fetch(x)';\nawait this.options.fetch(url);\nconst deps = { get fetch() { return gated; } };\n");
      assert.deepEqual(doorViolations([innocent]), []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  for (const target of TARGETS) {
    describe(target.name, () => {
      let server: Server;
      let storageDir: string;
      beforeEach(async () => {
        server = target.server();
        await server.start();
        storageDir = mkdtempSync(join(tmpdir(), 'keel-door-'));
      });
      afterEach(async () => {
        await server.close();
        rmSync(storageDir, { recursive: true, force: true });
      });

      it('goes through the gate: audit line written, every secret redacted in the body the server received', async () => {
        const registry = engineServices(target.settings(server.baseURL), target.secrets, storageDir);
        await target.send(registry, HOSTILE);
        const bodies = server.bodies();
        assert.ok(bodies.length > 0, 'the server received the request');
        for (const s of SECRETS) assert.ok(!bodies.includes(s.secret), `${s.id} reached the server`);
        assert.match(bodies, /\[REDACTED/);
        const gate = registry.get(EgressGateKey);
        assert.ok(gate.stats.requests >= 1 && gate.stats.redactions >= 1, JSON.stringify(gate.stats));
        const lines = auditLines(storageDir);
        assert.ok(lines.length >= 1, 'an audit line was written');
        assert.ok(lines.every((l) => l.host === '127.0.0.1' && l.bytes > 0));
        assert.equal(lines.reduce((n, l) => n + l.redactions, 0), gate.stats.redactions, 'the audit log counts every redaction');
      });

      for (const via of ['setting keel.localOnly', 'KEEL_LOCAL_ONLY=1']) {
        it(`local-only (${via}) refuses a TEST-NET endpoint before any connection`, async () => {
          const settings = { ...target.settings(OUTSIDE), ...(via.startsWith('setting') ? { 'keel.localOnly': true } : {}) };
          const registry = engineServices(settings, target.secrets, storageDir, via.startsWith('KEEL') ? { KEEL_LOCAL_ONLY: '1' } : {});
          const watch = watchConnections();
          try {
            assert.equal(await codeOf(() => target.send(registry, HOSTILE)), 'EGRESS_BLOCKED');
          } finally {
            watch.stop();
          }
          assert.deepEqual(watch.addresses, [], 'no connection was attempted');
          assert.equal(registry.get(EgressGateKey).stats.requests, 0);
        });
      }
    });
  }
});
