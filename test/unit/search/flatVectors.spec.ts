import * as assert from 'node:assert/strict';
import { FlatVectors, sparseQuery } from '../../../src/engine/search/flatVectors';
import { topK } from '../../../src/engine/search/topK';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

describe('FlatVectors layout conversions and shared scoring', () => {
  const D = 19; // not a multiple of the 8-column block: the tail loop runs too
  const random = rng(3);
  const rows = Array.from({ length: 150 }, () => Float32Array.from({ length: D }, () => random() - 0.5));
  const ids = rows.map((_, i) => `r${i}`);
  const rowMajor = new Float32Array(rows.length * D);
  rows.forEach((r, i) => rowMajor.set(r, i * D));

  it('transposes row-major input and gives it back row-major, in any row order', () => {
    const flat = FlatVectors.fromRowMajor(D, ids, rowMajor);
    assert.equal(flat.size, rows.length);
    assert.equal(flat.rowOf('r7'), 7);
    assert.equal(flat.idAt(7), 'r7');
    assert.deepEqual(Array.from(flat.vectorAt(42)), Array.from(rows[42]));
    assert.deepEqual(Array.from(flat.toRowMajor(ids.map((_, i) => i))), Array.from(rowMajor));
    assert.deepEqual(Array.from(flat.toRowMajor([5, 2])), [...rows[5], ...rows[2]]);
    assert.throws(() => FlatVectors.fromRowMajor(D, ids, rowMajor.subarray(1)));
    assert.throws(() => FlatVectors.fromRowMajor(D, ['a', 'a'], new Float32Array(2 * D)));
  });

  it('keeps vectors through growth from an exact-size matrix, deletes and trim', () => {
    const flat = FlatVectors.fromRowMajor(D, ids.slice(0, 20), rowMajor.subarray(0, 20 * D));
    for (let i = 20; i < 150; i++) flat.set(ids[i], rows[i]); // grows from capacity 20
    for (let i = 0; i < 150; i += 3) assert.ok(flat.delete(ids[i]));
    flat.trim();
    for (let i = 0; i < 150; i++) {
      const row = flat.rowOf(ids[i]);
      if (i % 3 === 0) assert.equal(row, undefined);
      else assert.deepEqual(Array.from(flat.vectorAt(row!)), Array.from(rows[i]));
    }
  });

  it('scoreInto adds exact dot products, so matrices can share one score buffer', () => {
    const left = FlatVectors.fromRowMajor(D, ids.slice(0, 60), rowMajor.subarray(0, 60 * D));
    const right = FlatVectors.fromRowMajor(D, ids.slice(60), rowMajor.subarray(60 * D));
    const query = Float32Array.from({ length: D }, (_, d) => (d % 4 === 0 ? 0 : random() - 0.5));
    const q = sparseQuery(query, 2);
    assert.equal(q.dims.length, D - 5);
    const scores = new Float32Array(rows.length);
    left.scoreInto(q, scores.subarray(0, 60));
    right.scoreInto(q, scores.subarray(60));
    rows.forEach((r, i) => {
      const want = 2 * r.reduce((a, x, d) => a + x * query[d], 0);
      assert.ok(Math.abs(scores[i] - want) < 1e-5, `row ${i}`);
    });
    const want = rows.map((r, i) => ({ i, s: r.reduce((a, x, d) => a + x * query[d], 0) })).sort((a, b) => b.s - a.s);
    assert.deepEqual(topK(scores, 10), want.slice(0, 10).map((x) => x.i));
    assert.throws(() => right.scoreInto(q, new Float32Array(3)));
  });
});
