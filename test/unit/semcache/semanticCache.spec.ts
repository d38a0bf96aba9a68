import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KeelError } from '../../../src/common/errors';
import { CACHE_FILE, contentHash, normalizeQuestion, SemanticCache, type CacheRequest, type CacheScope } from '../../../src/engine/llm/cache';
import { HashingEmbedder } from './hashingEmbedder';

const scope: CacheScope = { workspace: '/ws/shop', taskKind: 'chat', tier: 'reasoning', systemPromptVersion: 'p1' };
const answer = (text: string) => ({ answer: { answer: text }, model: 'claude-sonnet-4-5', usage: { input: 1000, cacheWrite: 0, cacheRead: 0, output: 200 }, costUsd: 0.006 });
const req = (question: string, over: Partial<CacheRequest> = {}): CacheRequest => ({ question, scope, ...over });

describe('semantic cache', () => {
  let dir: string;
  let now: number;
  let files: Record<string, string | null>;
  const hashFiles = (paths: string[]) => Object.fromEntries(paths.map((p) => [p, files[p] ?? null]));
  const open = (over: Partial<ConstructorParameters<typeof SemanticCache>[0]> = {}) =>
    // The test embedder is case- and punctuation-sensitive, so these tests use full normalisation.
    new SemanticCache({ dir, embedder: new HashingEmbedder(), threshold: 0.8, now: () => now, saveDelayMs: 0, normalize: 'full', ...over });

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-semcache-'));
    now = 1_000_000;
    files = { 'src/orders.ts': contentHash('v1'), 'src/db.ts': contentHash('db') };
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('normalises case, punctuation and whitespace (full) or only forms and whitespace (light)', () => {
    assert.equal(normalizeQuestion('  How does   ORDER totals work?!\n'), 'how does order totals work');
    assert.equal(normalizeQuestion('Ｆｕｌｌwidth — “quotes”'), 'fullwidth quotes');
    assert.equal(normalizeQuestion('  How does\t ORDER.total work?\n', 'light'), 'How does ORDER.total work?');
    assert.equal(normalizeQuestion(' as is ', 'none'), ' as is ');
  });

  it('applies light normalisation by default: whitespace differences still hit', async () => {
    const cache = new SemanticCache({ embedder: new HashingEmbedder(), threshold: 0.99 });
    await cache.put(req('How is the total computed?'), answer('x'), {});
    assert.equal((await cache.lookup(req('  How is the\ttotal   computed? '), hashFiles)).kind, 'hit');
  });

  it('serves a paraphrase of a cached question, with the original question and similarity', async () => {
    const cache = open();
    assert.equal(await cache.put(req('How is the order total computed?'), answer('sum of items'), { 'src/orders.ts': files['src/orders.ts']! }), true);
    const hit = await cache.lookup(req('how is the order total computed'), hashFiles);
    assert.equal(hit.kind, 'hit');
    if (hit.kind !== 'hit') return;
    assert.equal(hit.entry.question, 'How is the order total computed?');
    assert.deepEqual(hit.entry.answer, { answer: 'sum of items' });
    assert.ok(hit.similarity > 0.99);
    const miss = await cache.lookup(req('Which queue library do we use for emails?'), hashFiles);
    assert.equal(miss.kind, 'miss');
  });

  it('never serves an answer outside its scope', async () => {
    const cache = open();
    await cache.put(req('How is the order total computed?'), answer('x'), {});
    for (const other of [
      { ...scope, workspace: '/ws/other' },
      { ...scope, taskKind: 'sql-review' as const },
      { ...scope, tier: 'fast' as const },
      { ...scope, systemPromptVersion: 'p2' },
    ]) {
      assert.equal((await cache.lookup({ question: 'How is the order total computed?', scope: other }, hashFiles)).kind, 'miss', JSON.stringify(other));
    }
    // Another embedder's vectors are another space.
    const other = new SemanticCache({ dir, embedder: new HashingEmbedder(256, 'another-embedder'), threshold: 0.8, saveDelayMs: 0 });
    cache.flush();
    assert.equal((await other.lookup(req('How is the order total computed?'), hashFiles)).kind, 'miss');
  });

  it('never serves an answer whose cited code changed, and forgets it', async () => {
    const cache = open();
    await cache.put(req('How is the order total computed?'), answer('x'), { 'src/orders.ts': files['src/orders.ts']!, 'src/db.ts': files['src/db.ts']! });
    files['src/orders.ts'] = contentHash('v2');
    assert.equal((await cache.lookup(req('How is the order total computed?'), hashFiles)).kind, 'miss');
    files['src/orders.ts'] = contentHash('v1'); // even if it changes back, the entry is gone
    assert.equal((await cache.lookup(req('How is the order total computed?'), hashFiles)).kind, 'miss');
    assert.equal(cache.size, 0);
    // A deleted file counts as changed.
    await cache.put(req('What does db.ts export?'), answer('y'), { 'src/db.ts': files['src/db.ts']! });
    delete files['src/db.ts'];
    assert.equal((await cache.lookup(req('What does db.ts export?'), hashFiles)).kind, 'miss');
  });

  it('falls through to the next-best entry when the best one is stale', async () => {
    const cache = open();
    await cache.put(req('How is the order total computed?'), answer('stale'), { 'src/orders.ts': files['src/orders.ts']! });
    await cache.put(req('How is the order total computed'), answer('fresh'), { 'src/db.ts': files['src/db.ts']! });
    files['src/orders.ts'] = contentHash('v2');
    const hit = await cache.lookup(req('How is the order total computed?'), hashFiles);
    assert.equal(hit.kind, 'hit');
    if (hit.kind === 'hit') assert.deepEqual(hit.entry.answer, { answer: 'fresh' });
  });

  it('does not cache requests with a selection or edit context, or non-chat kinds', async () => {
    const cache = open();
    assert.equal(await cache.put(req('Explain this', { hasSelection: true }), answer('x'), {}), false);
    assert.equal(await cache.put(req('Fix this', { hasEditContext: true }), answer('x'), {}), false);
    assert.equal(await cache.put({ question: 'a commit message', scope: { ...scope, taskKind: 'commit-message' } }, answer('x'), {}), false);
    assert.equal(cache.size, 0);
    const out = await cache.lookup(req('Explain this', { hasSelection: true }), hashFiles);
    assert.equal(out.kind, 'uncacheable');
    if (out.kind === 'uncacheable') assert.match(out.why, /selection/);
  });

  it('is bounded: least recently used entries go first', async () => {
    const cache = open({ maxEntries: 3 });
    for (const q of ['alpha question one', 'beta question two', 'gamma question three']) await cache.put(req(q), answer(q), {});
    now += 10;
    assert.equal((await cache.lookup(req('alpha question one'), hashFiles)).kind, 'hit'); // alpha is now most recent
    await cache.put(req('delta question four'), answer('d'), {});
    assert.equal(cache.size, 3);
    assert.equal((await cache.lookup(req('beta question two'), hashFiles)).kind, 'miss');
    assert.equal((await cache.lookup(req('alpha question one'), hashFiles)).kind, 'hit');
  });

  it('expires entries after the TTL', async () => {
    const cache = open({ ttlMs: 1000 });
    await cache.put(req('How is the order total computed?'), answer('x'), {});
    now += 999;
    assert.equal((await cache.lookup(req('How is the order total computed?'), hashFiles)).kind, 'hit');
    now += 2;
    assert.equal((await cache.lookup(req('How is the order total computed?'), hashFiles)).kind, 'miss');
    assert.equal(cache.size, 0);
  });

  it('persists atomically and reloads, and clears', async () => {
    const cache = open();
    await cache.put(req('How is the order total computed?'), answer('x'), { 'src/orders.ts': files['src/orders.ts']! });
    assert.ok(fs.existsSync(path.join(dir, CACHE_FILE)));
    assert.deepEqual(fs.readdirSync(dir).filter((f) => f.includes('.tmp')), []);
    const reopened = open();
    const hit = await reopened.lookup(req('how is the order total computed'), hashFiles);
    assert.equal(hit.kind, 'hit');
    if (hit.kind === 'hit') assert.equal(hit.entry.files['src/orders.ts'], files['src/orders.ts']);
    assert.equal(reopened.clear(), 1);
    assert.equal(open().size, 0);
  });

  it('moves an unreadable cache file aside and starts empty', async () => {
    fs.writeFileSync(path.join(dir, CACHE_FILE), '{"format":1,"entries":[{"id":');
    const warnings: string[] = [];
    const cache = open({ warn: (m) => warnings.push(m) });
    assert.equal(cache.size, 0);
    assert.ok(fs.existsSync(path.join(dir, `${CACHE_FILE}.corrupt`)));
    assert.match(warnings[0], /moved to/);
    assert.equal(await cache.put(req('a question'), answer('x'), {}), true);
  });

  it('coalesces writes and flushes on demand', async () => {
    const cache = open({ saveDelayMs: 60_000 });
    await cache.put(req('How is the order total computed?'), answer('x'), {});
    assert.equal(fs.existsSync(path.join(dir, CACHE_FILE)), false);
    cache.flush();
    assert.equal(open().size, 1);
  });

  it('replaces the answer when the same question is stored again', async () => {
    const cache = open();
    await cache.put(req('How is the order total computed?'), answer('old'), {});
    await cache.put(req('how is the order total computed'), answer('new'), {});
    assert.equal(cache.size, 1);
    const hit = await cache.lookup(req('How is the order total computed?'), hashFiles);
    assert.ok(hit.kind === 'hit' && (hit.entry.answer as { answer: string }).answer === 'new');
  });

  it('does nothing when disabled', async () => {
    const embedder = new HashingEmbedder();
    const cache = new SemanticCache({ embedder, enabled: false });
    assert.equal(await cache.put(req('q'), answer('x'), {}), false);
    assert.deepEqual(await cache.lookup(req('q'), hashFiles), { kind: 'disabled' });
    assert.equal(embedder.calls, 0);
  });

  it('honours cancellation while embedding', async () => {
    const controller = new AbortController();
    const embedder = new HashingEmbedder();
    embedder.embed = async () => {
      controller.abort();
      return [new Float32Array(256)];
    };
    const cache = new SemanticCache({ embedder });
    await assert.rejects(cache.lookup(req('q'), hashFiles, controller.signal), (e: unknown) => e instanceof KeelError && e.code === 'CANCELLED');
  });
});
