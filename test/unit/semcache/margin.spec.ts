import { strict as assert } from 'node:assert';
import { cacheMarginFor, cacheThresholdFor, FALLBACK_CACHE_MARGIN } from '../../../src/engine/embed/thresholds';
import type { Embedder } from '../../../src/engine/embed/types';
import { contentHash, defaultMargin, SemanticCache, type CacheRequest, type CacheScope } from '../../../src/engine/llm/cache';

/**
 * Questions placed at chosen cosines from every query (unit vectors in 4 dimensions), so the ambiguity
 * rule can be tested at exact similarities. Each placed question leans off the query's axis along its
 * own axis, so two placed questions are not near-duplicates of each other. Unplaced text is the query.
 */
class PlacedEmbedder implements Embedder {
  readonly id = 'test-placed';
  readonly dimensions = 4;
  readonly local = true;
  readonly cosine = new Map<string, number>();
  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    return texts.map((text) => {
      const v = Float32Array.from([1, 0, 0, 0]);
      const cos = this.cosine.get(text);
      if (cos === undefined) return v;
      const axis = 1 + ([...this.cosine.keys()].indexOf(text) % 3);
      v[0] = cos;
      v[axis] = Math.sqrt(1 - cos * cos);
      return v;
    });
  }
}

const scope: CacheScope = { workspace: '/ws', taskKind: 'chat', tier: 'reasoning', systemPromptVersion: 'p1' };
const req = (question: string): CacheRequest => ({ question, scope });
const answer = (text: string) => ({ answer: text, model: 'm', usage: { input: 1, cacheWrite: 0, cacheRead: 0, output: 1 }, costUsd: 0 });
const noFiles = () => ({});

/** A cache holding `entries` ([question, its cosine with the query, files]); the query is any other text. */
async function cacheWith(entries: Array<[string, number, Record<string, string>?]>, margin: number, threshold = 0.85) {
  const embedder = new PlacedEmbedder();
  for (const [q, cos] of entries) embedder.cosine.set(q, cos);
  const cache = new SemanticCache({ embedder, threshold, margin });
  for (const [q, , files] of entries) await cache.put(req(q), answer(q), files ?? {});
  return cache;
}

describe('semantic cache ambiguity margin', () => {
  it('serves the best candidate when it stands clear of the runner-up by the margin', async () => {
    const cache = await cacheWith([['alpha', 0.95], ['beta', 0.80]], 0.09);
    const out = await cache.lookup(req('query'), noFiles);
    assert.equal(out.kind, 'hit');
    if (out.kind === 'hit') assert.equal(out.entry.answer, 'alpha');
  });

  it('refuses a hit when a rival scores within the margin (an ambiguous neighbourhood)', async () => {
    const cache = await cacheWith([['alpha', 0.95], ['beta', 0.90]], 0.09);
    assert.equal((await cache.lookup(req('query'), noFiles)).kind, 'miss');
    // Margin 0 is the plain threshold rule: the best one is served.
    const plain = await cacheWith([['alpha', 0.95], ['beta', 0.90]], 0);
    const out = await plain.lookup(req('query'), noFiles);
    assert.equal(out.kind === 'hit' && out.entry.answer, 'alpha');
  });

  it('counts a rival below the threshold but within the margin', async () => {
    const cache = await cacheWith([['alpha', 0.90], ['beta', 0.84]], 0.09, 0.85);
    assert.equal((await cache.lookup(req('query'), noFiles)).kind, 'miss');
    const clear = await cacheWith([['alpha', 0.90], ['beta', 0.80]], 0.09, 0.85);
    assert.equal((await clear.lookup(req('query'), noFiles)).kind, 'hit');
  });

  it('ignores rivals that cannot be served: stale ones are dropped, other identifiers skipped', async () => {
    const files: Record<string, string | null> = { 'src/a.ts': contentHash('v1') };
    const cache = await cacheWith([['alpha', 0.95], ['beta', 0.92, { 'src/a.ts': contentHash('v1') }]], 0.09);
    files['src/a.ts'] = contentHash('v2');
    const out = await cache.lookup(req('query'), (paths) => Object.fromEntries(paths.map((p) => [p, files[p] ?? null])));
    assert.equal(out.kind === 'hit' && out.entry.answer, 'alpha');
    assert.equal(cache.size, 1, 'the stale rival is forgotten');

    const named = await cacheWith([['alpha about orderTotal', 0.95], ['beta about invoiceTotal', 0.92]], 0.09);
    const hit = await named.lookup(req('query about orderTotal'), noFiles);
    assert.equal(hit.kind === 'hit' && hit.entry.answer, 'alpha about orderTotal');
  });

  it('falls back to the runner-up when the best is stale, and still applies the margin after it', async () => {
    const files: Record<string, string | null> = { 'src/a.ts': contentHash('v1') };
    const hash = (paths: string[]) => Object.fromEntries(paths.map((p) => [p, files[p] ?? null]));
    const cache = await cacheWith([['alpha', 0.97, { 'src/a.ts': contentHash('v1') }], ['beta', 0.93], ['gamma', 0.70]], 0.09);
    files['src/a.ts'] = contentHash('v2');
    const out = await cache.lookup(req('query'), hash);
    assert.equal(out.kind === 'hit' && out.entry.answer, 'beta');
    const crowded = await cacheWith([['alpha', 0.97, { 'src/a.ts': contentHash('v1') }], ['beta', 0.93], ['gamma', 0.88]], 0.09);
    assert.equal((await crowded.lookup(req('query'), hash)).kind, 'miss');
  });

  it('takes the calibrated margin per embedder, none for uncalibrated ones', () => {
    assert.equal(cacheMarginFor('keel-code-v1'), 0.09);
    assert.equal(cacheThresholdFor('keel-code-v1'), 0.7);
    assert.equal(cacheMarginFor('openai:text-embedding-3-small'), FALLBACK_CACHE_MARGIN);
    assert.equal(defaultMargin('keel-code-v1'), 0.09);
    assert.equal(new SemanticCache({ embedder: new PlacedEmbedder() }).margin, FALLBACK_CACHE_MARGIN);
  });
});
