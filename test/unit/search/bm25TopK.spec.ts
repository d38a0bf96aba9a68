import * as assert from 'node:assert/strict';
import { analyze } from '../../../src/engine/search/analyzer';
import { Bm25Index, type Bm25Hit } from '../../../src/engine/search/bm25';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

interface Internals {
  termIds: Map<string, number>;
  postings: Array<ArrayLike<number>>;
  docIds: Array<string | undefined>;
  docNums: Map<string, number>;
  docLen: number[];
  totalLen: number;
}

/**
 * The ranking search() used before the bounded top-k: score every touched document, stable-sort them
 * all by score, then walk the sorted list through the filter. Reads the index's own postings so the
 * two differ only in how they rank.
 */
function fullSortSearch(index: Bm25Index, query: string, k: number, filter?: (id: string) => boolean): Bm25Hit[] {
  const x = index as unknown as Internals;
  const n = x.docNums.size;
  if (n === 0 || k <= 0) return [];
  const avgLen = x.totalLen / n || 1;
  const scores = new Float64Array(x.docIds.length);
  const touched: number[] = [];
  for (const term of new Set(analyze(query))) {
    const id = x.termIds.get(term);
    if (id === undefined) continue;
    const list = x.postings[id];
    const df = list.length;
    if (df === 0) continue;
    const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
    for (let i = 0; i < df; i++) {
      const doc = Math.floor(list[i] / 4096);
      const tf = list[i] - doc * 4096;
      if (scores[doc] === 0) touched.push(doc);
      scores[doc] += (idf * tf * (index.k1 + 1)) / (tf + index.k1 * (1 - index.b + (index.b * x.docLen[doc]) / avgLen));
    }
  }
  touched.sort((a, b) => scores[b] - scores[a]);
  const hits: Bm25Hit[] = [];
  for (const doc of touched) {
    const docId = x.docIds[doc]!;
    if (filter && !filter(docId)) continue;
    hits.push({ docId, score: scores[doc] });
    if (hits.length >= k) break;
  }
  return hits;
}

describe('Bm25Index bounded top-k', () => {
  const random = rng(5);
  const words = ['user', 'order', 'invoice', 'payment', 'query', 'database', 'cache', 'retry', 'token', 'session', 'common'];
  const pick = (): string => words[Math.floor(random() * words.length)];
  const doc = (): string => Array.from({ length: 3 + Math.floor(random() * 12) }, pick).join(' ') + ' common';

  function corpus(size: number): Bm25Index {
    const index = new Bm25Index();
    for (let i = 0; i < size; i++) index.add(`d${i}`, { text: doc(), symbol: i % 9 === 0 ? pick() : undefined, path: `src/${pick()}.ts` });
    // Identical documents score identically: their order must still be the old one (first added first).
    for (let i = 0; i < 5; i++) index.add(`twin${i}`, { text: 'payment retry token', path: 'src/twin.ts' });
    return index;
  }

  const queries = ['common', 'user order', 'payment retry token', 'cache session database query', 'nothing here', 'invoice common user'];
  const filters: Array<((id: string) => boolean) | undefined> = [undefined, (id) => id.endsWith('3'), (id) => id.startsWith('twin'), () => false];

  function assertSameAsFullSort(index: Bm25Index): void {
    for (const q of queries) {
      for (const k of [1, 7, 50, 10_000]) {
        for (const filter of filters) assert.deepEqual(index.search(q, k, filter), fullSortSearch(index, q, k, filter), `${q} k=${k}`);
      }
    }
  }

  it('returns exactly what the full sort returned, ties and filters included', () => {
    const index = corpus(3000);
    assertSameAsFullSort(index);
    const twins = index.search('payment retry token', 5, (id) => id.startsWith('twin'));
    assert.deepEqual(twins.map((h) => h.docId), ['twin0', 'twin1', 'twin2', 'twin3', 'twin4']);
    assert.deepEqual(index.search('common', 0), []);
  });

  it('stays exact across repeated queries, removals, additions (score buffer grows) and a reopen', () => {
    const index = corpus(500);
    const first = index.search('user order', 20);
    assert.deepEqual(index.search('user order', 20), first, 'the reused buffer was left clean');
    for (let i = 0; i < 500; i += 4) index.remove(`d${i}`);
    for (let i = 500; i < 1500; i++) index.add(`d${i}`, { text: doc() });
    assertSameAsFullSort(index);
    const reopened = Bm25Index.deserialize(index.serialize());
    for (const q of queries) assert.deepEqual(reopened.search(q, 30).map((h) => h.docId), index.search(q, 30).map((h) => h.docId));
    assertSameAsFullSort(reopened);
  });
});
