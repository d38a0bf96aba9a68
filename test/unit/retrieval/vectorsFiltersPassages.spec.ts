import * as assert from 'node:assert/strict';
import { KeelError } from '../../../src/common/errors';
import { chunkFilter, globMatcher } from '../../../src/engine/search/filters';
import { FlatVectors } from '../../../src/engine/search/flatVectors';
import { topK } from '../../../src/engine/search/topK';
import { diversify, toPassages } from '../../../src/engine/search/passages';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function unit(v: Float32Array): Float32Array {
  const n = Math.hypot(...v) || 1;
  return v.map((x) => x / n);
}

describe('FlatVectors', () => {
  const D = 24;
  const random = rng(7);
  const vecs = Array.from({ length: 300 }, () => unit(Float32Array.from({ length: D }, () => random() - 0.5)));

  function brute(query: Float32Array, rows: Array<[string, Float32Array]>, k: number): string[] {
    return rows
      .map(([id, v]) => ({ id, s: v.reduce((a, x, d) => a + x * query[d], 0) }))
      .sort((a, b) => b.s - a.s)
      .slice(0, k)
      .map((x) => x.id);
  }

  it('returns exactly the brute-force top-k, for dense and sparse queries, across growth', () => {
    const flat = new FlatVectors(D, 16); // forces several grow() calls
    vecs.forEach((v, i) => flat.set(`v${i}`, v));
    assert.equal(flat.size, 300);
    const rows = vecs.map((v, i) => [`v${i}`, v] as [string, Float32Array]);
    for (let t = 0; t < 20; t++) {
      const q = unit(Float32Array.from({ length: D }, (_, d) => (t % 2 === 0 || d % 5 === 0 ? random() - 0.5 : 0)));
      const got = flat.search(q, 10);
      assert.deepEqual(got.map((h) => h.id), brute(q, rows, 10));
      const expectScore = vecs[Number(got[0].id.slice(1))].reduce((a, x, d) => a + x * q[d], 0);
      assert.ok(Math.abs(got[0].score - expectScore) < 1e-5);
    }
  });

  it('replaces, deletes (moving the last row) and filters', () => {
    const flat = new FlatVectors(D);
    vecs.slice(0, 50).forEach((v, i) => flat.set(`v${i}`, v));
    flat.set('v3', vecs[60]);
    assert.equal(flat.size, 50);
    assert.equal(flat.search(vecs[60], 1)[0].id, 'v3');
    assert.ok(flat.delete('v0'));
    assert.ok(!flat.delete('v0'));
    assert.equal(flat.size, 49);
    assert.equal(flat.search(vecs[49], 1)[0].id, 'v49', 'the moved row is still found under its id');
    assert.ok(!flat.search(vecs[0], 49).some((h) => h.id === 'v0'));
    const odd = flat.search(vecs[5], 5, (id) => Number(id.slice(1)) % 2 === 1);
    assert.ok(odd.length === 5 && odd.every((h) => Number(h.id.slice(1)) % 2 === 1));
    assert.throws(() => flat.set('bad', new Float32Array(3)));
  });

  it('topK keeps the k best rows in order, ties by row', () => {
    assert.deepEqual(topK([0.1, 0.9, 0.5, 0.9, 0.3], 3), [1, 3, 2]);
    assert.deepEqual(topK([0.1, 0.9, 0.5], 10), [1, 2, 0]);
    assert.deepEqual(topK([0.1, 0.9, 0.5], 2, (r) => r !== 1), [2, 0]);
  });
});

describe('path and language filters', () => {
  it('compiles globs like .gitignore users expect', () => {
    const m = (glob: string, p: string): boolean => globMatcher(glob)(p);
    assert.ok(m('*.ts', 'src/a/b.ts'), 'no slash: matches the name anywhere');
    assert.ok(!m('*.ts', 'src/a/b.tsx'));
    assert.ok(m('src/**/*.ts', 'src/a/b/c.ts'));
    assert.ok(m('src/**/*.ts', 'src/c.ts'));
    assert.ok(!m('src/*.ts', 'src/a/c.ts'));
    assert.ok(m('src/routes', 'src/routes/users.ts'), 'a folder matches what is inside it');
    assert.ok(m('**/*.{ts,py}', 'x/y.py'));
    assert.ok(m('file?.js', 'lib/file1.js'));
    assert.ok(m('[ab].js', 'a.js') && !m('[!ab].js', 'a.js'));
    assert.ok(m('a.b+c(d).js', 'a.b+c(d).js') && !m('a.b.js', 'aXb.js'), 'regex characters are literal');
    assert.throws(() => globMatcher('{a,b'), (e: KeelError) => e.code === 'INVALID_PARAMS');
  });

  it('combines languages, includes and excludes', () => {
    const f = chunkFilter({ language: ['TypeScript'], path: ['src/**', '!**/*.spec.ts'] })!;
    const c = (path: string, language = 'typescript') => ({ id: path, path, language, symbol: '', startLine: 1, endLine: 1 });
    assert.ok(f(c('src/a.ts')));
    assert.ok(!f(c('src/a.spec.ts')));
    assert.ok(!f(c('lib/a.ts')));
    assert.ok(!f(c('src/a.py', 'python')));
    assert.equal(chunkFilter({}), undefined);
    assert.equal(chunkFilter({ language: [], path: [' '] }), undefined);
  });
});

describe('toPassages', () => {
  const c = (id: string, path: string, startLine: number, endLine: number, symbol = '') => ({ chunk: { id, path, language: 'ts', symbol, startLine, endLine }, score: 0 });

  it('merges touching chunks, drops overlapping ones, keeps the best rank order', () => {
    const out = toPassages(
      [
        { ...c('a2', 'a.ts', 11, 20, 'B'), score: 3 },
        { ...c('b1', 'b.ts', 1, 10, 'X'), score: 2 },
        { ...c('a1', 'a.ts', 1, 10, 'A'), score: 1 },
        { ...c('a1dup', 'a.ts', 5, 8, 'A'), score: 0.5 },
        { ...c('a9', 'a.ts', 50, 60, 'Z'), score: 0.4 },
      ],
      { limit: 10 },
    );
    assert.deepEqual(out.map((p) => [p.path, p.startLine, p.endLine, p.symbol, p.score]), [
      ['a.ts', 1, 20, 'B, A', 3],
      ['b.ts', 1, 10, 'X', 2],
      ['a.ts', 50, 60, 'Z', 0.4],
    ]);
    assert.deepEqual(out[0].chunkIds, ['a2', 'a1']);
  });

  it('stops at the limit and never grows a passage past maxLines', () => {
    const ranked = [c('1', 'a.ts', 1, 150), c('2', 'a.ts', 151, 300), c('3', 'b.ts', 1, 5), c('4', 'c.ts', 1, 5)];
    const out = toPassages(ranked, { limit: 2, maxLines: 200 });
    assert.deepEqual(out.map((p) => `${p.path}:${p.startLine}-${p.endLine}`), ['a.ts:1-150', 'a.ts:151-300']);
    assert.equal(toPassages(ranked, { limit: 10, maxLines: 400 })[0].endLine, 300);
  });
});

describe('diversify', () => {
  it('lets at most maxPerFile passages of a file lead; the rest keep their order behind', () => {
    const p = (path: string, n: number) => ({ root: 0, path, n });
    const ranked = [p('a', 1), p('a', 2), p('b', 3), p('a', 4), p('c', 5), p('b', 6)];
    assert.deepEqual(diversify(ranked, 1).map((x) => x.n), [1, 3, 5, 2, 4, 6]);
    assert.deepEqual(diversify(ranked, 2).map((x) => x.n), [1, 2, 3, 5, 6, 4]);
    assert.deepEqual(diversify(ranked, 0).map((x) => x.n), [1, 2, 3, 4, 5, 6]);
  });
});
