import * as assert from 'node:assert/strict';
import { KeelError } from '../../../src/common/errors';
import { hybridSearch, MAX_QUERY_CHARS, quotedPhrases } from '../../../src/engine/search/hybrid';
import type { Reranker } from '../../../src/engine/search/rerank/types';
import { MemorySource } from '../../../src/engine/search/source';
import { chunk, CORPUS, HashEmbedder, memorySource } from './helpers';

describe('hybridSearch', () => {
  it('fuses keyword and vector hits and returns passages best first', async () => {
    const source = await memorySource();
    const result = await hybridSearch(source, 'find user by email', { top: 3 });
    assert.equal(result.mode, 'hybrid');
    assert.equal(result.passages[0].path, 'src/users/userService.ts');
    assert.equal(result.passages[0].symbol.split(',')[0], 'UserService.findByEmail');
    const best = result.passages[0];
    assert.ok(best.bm25Rank !== undefined && best.vectorRank !== undefined, 'found by both retrievers');
    for (let i = 1; i < result.passages.length; i++) assert.ok(result.passages[i - 1].score >= result.passages[i].score);
  });

  it('one passage per file leads by default, and scores stay non-increasing', async () => {
    const source = await memorySource(undefined, [
      chunk('a1', 'a.ts', 1, 10, 'one', 'token alpha token'),
      chunk('a2', 'a.ts', 30, 40, 'two', 'token alpha again token'),
      chunk('b1', 'b.ts', 1, 10, 'three', 'token other'),
    ]);
    const diverse = await hybridSearch(source, 'token alpha', { mode: 'bm25' });
    assert.deepEqual(diverse.passages.map((p) => p.path), ['a.ts', 'b.ts', 'a.ts']);
    for (let i = 1; i < diverse.passages.length; i++) assert.ok(diverse.passages[i - 1].score >= diverse.passages[i].score);
    const unlimited = await hybridSearch(source, 'token alpha', { mode: 'bm25', maxPerFile: 0 });
    assert.deepEqual(unlimited.passages.map((p) => p.path), ['a.ts', 'a.ts', 'b.ts']);
  });

  it('honours the mode: bm25 has no vector ranks and vector has no keyword ranks', async () => {
    const source = await memorySource();
    const bm25 = await hybridSearch(source, 'customer orders', { mode: 'bm25' });
    assert.ok(bm25.passages.length > 0 && bm25.passages.every((p) => p.vectorRank === undefined && p.bm25Rank !== undefined));
    const vector = await hybridSearch(source, 'customer orders', { mode: 'vector' });
    assert.ok(vector.passages.length > 0 && vector.passages.every((p) => p.bm25Rank === undefined && p.vectorRank !== undefined));
  });

  it('falls back to bm25 on an index without vectors', async () => {
    const source = new MemorySource();
    await source.add(CORPUS);
    const result = await hybridSearch(source, 'delete user', { mode: 'vector' });
    assert.equal(result.mode, 'bm25');
    assert.equal(result.passages[0].symbol.split(',')[0], 'UserService.deleteUser');
  });

  it('answers from keywords (with a warning) when the embedder fails in hybrid mode, but not in vector mode', async () => {
    const source = await memorySource();
    source.vectorSearch = async () => {
      throw new KeelError('PROVIDER_UNAVAILABLE', 'embedding server down');
    };
    const result = await hybridSearch(source, 'delete user');
    assert.equal(result.mode, 'bm25');
    assert.match(result.warnings[0], /embedding server down \[PROVIDER_UNAVAILABLE\]/);
    assert.equal(result.passages[0].symbol.split(',')[0], 'UserService.deleteUser');
    await assert.rejects(hybridSearch(source, 'delete user', { mode: 'vector' }), (e: KeelError) => e.code === 'PROVIDER_UNAVAILABLE');
  });

  it('merges adjacent chunks of one file into one passage', async () => {
    const source = await memorySource();
    const result = await hybridSearch(source, 'user email delete', { top: 5 });
    const users = result.passages.filter((p) => p.path === 'src/users/userService.ts');
    assert.equal(users.length, 1, 'lines 1-20 and 21-40 are one passage');
    assert.equal(users[0].startLine, 1);
    assert.equal(users[0].endLine, 40);
    assert.deepEqual(users[0].chunkIds.sort(), ['users#0', 'users#1']);
  });

  it('filters by language and path glob on both retrievers', async () => {
    const source = await memorySource();
    const py = await hybridSearch(source, 'orders for a month', { filters: { language: 'python' } });
    assert.deepEqual([...new Set(py.passages.map((p) => p.path))], ['analytics/reports.py']);
    const orders = await hybridSearch(source, 'customer', { filters: { path: 'src/orders/**' } });
    assert.ok(orders.passages.length > 0 && orders.passages.every((p) => p.path.startsWith('src/orders/')));
    const notMd = await hybridSearch(source, 'DATABASE_URL', { filters: { path: ['!*.md'] } });
    assert.ok(notMd.passages.every((p) => !p.path.endsWith('.md')));
  });

  it('puts chunks containing a quoted phrase first', async () => {
    const source = await memorySource();
    const result = await hybridSearch(source, 'DATABASE_URL "connection refused"');
    assert.equal(result.passages[0].path, 'src/db/pool.ts');
    assert.deepEqual(quotedPhrases('a "Connection Refused" and `RFC 1918`'), ['connection refused', 'rfc 1918']);
  });

  it('re-orders candidates with a re-ranker and reports it', async () => {
    const source = await memorySource();
    const pickPython: Reranker = { id: 'test', rerank: async (_q, cands) => cands.map((c) => (c.chunk.language === 'python' ? 10 : c.fusedScore)) };
    const result = await hybridSearch(source, 'orders customer', { reranker: pickPython, fileRank: false });
    assert.equal(result.reranker, 'test');
    assert.equal(result.passages[0].path, 'analytics/reports.py');
    // With file ranking, a re-ranker moves files in proportion to rerankFileWeight (and always orders passages within a file)
    const weighted = await hybridSearch(source, 'orders customer', { reranker: pickPython, rerankFileWeight: 10 });
    assert.equal(weighted.passages[0].path, 'analytics/reports.py');
    const broken: Reranker = { id: 'broken', rerank: async () => [1] };
    await assert.rejects(hybridSearch(source, 'orders customer', { reranker: broken }), (e: KeelError) => e.code === 'BAD_RESPONSE');
  });

  it("hands the re-ranker each retriever's own score and the range of its list", async () => {
    const source = await memorySource();
    const keyword = new Map(source.keywordSearch('orders customer', 50).map((h) => [h.chunk.id, h.score]));
    const vector = new Map((await source.vectorSearch('orders customer', 50)).map((h) => [h.chunk.id, h.score]));
    let seen: Parameters<Reranker['rerank']>[1] = [];
    const capture: Reranker = { id: 'capture', rerank: async (_q, cands) => ((seen = cands), cands.map((c) => -c.fusedRank)) };
    await hybridSearch(source, 'orders customer', { reranker: capture });
    assert.ok(seen.length > 1);
    for (const c of seen) {
      assert.equal(c.bm25Score, keyword.get(c.chunk.id), `bm25 score of ${c.chunk.id}`);
      assert.equal(c.vectorScore, vector.get(c.chunk.id), `vector score of ${c.chunk.id}`);
      assert.equal(c.bm25Score === undefined, c.bm25Rank === undefined);
      assert.deepEqual(c.bm25Range, { max: Math.max(...keyword.values()), min: Math.min(...keyword.values()) });
      assert.deepEqual(c.vectorRange, { max: Math.max(...vector.values()), min: Math.min(...vector.values()) });
    }
  });

  it('rejects bad input with INVALID_PARAMS', async () => {
    const source = await memorySource();
    for (const [query, options] of [
      ['   ', {}],
      ['x'.repeat(MAX_QUERY_CHARS + 1), {}],
      ['users', { top: 0 }],
      ['users', { top: 2.5 }],
      ['users', { mode: 'fuzzy' as never }],
      ['users', { filters: { path: '{a,b' } }],
    ] as const) {
      await assert.rejects(hybridSearch(source, query, options), (e: KeelError) => e.code === 'INVALID_PARAMS', `${query.slice(0, 10)} ${JSON.stringify(options)}`);
    }
  });

  it('stops with CANCELLED when the signal fires', async () => {
    const source = await memorySource(new HashEmbedder());
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(hybridSearch(source, 'users', { signal: controller.signal }), (e: KeelError) => e.code === 'CANCELLED');
  });

  it('returns nothing (not an error) when nothing matches', async () => {
    const source = await memorySource(undefined, [chunk('a', 'a.ts', 1, 2, 'a', 'alpha beta')]);
    const result = await hybridSearch(source, 'zzzz qqqq', { mode: 'bm25' });
    assert.deepEqual(result.passages, []);
  });
});
