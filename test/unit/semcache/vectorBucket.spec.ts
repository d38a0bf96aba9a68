import { strict as assert } from 'node:assert';
import { unitVector, VectorBucket } from '../../../src/engine/llm/cache/vectorBucket';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

/** A random unit vector of `dims` components drawn from `next`. */
const randomUnit = (next: () => number, dims: number): Float32Array => unitVector(Float32Array.from({ length: dims }, () => next() - 0.5));

/** A bucket and the same rows in a Map (the brute-force reference), added to and removed from together. */
function mirrored(dims: number, capacity: number) {
  const bucket = new VectorBucket(dims, capacity);
  const rows = new Map<string, Float32Array>();
  const add = (id: string, v: Float32Array): void => {
    rows.set(id, v);
    bucket.add(id, v);
  };
  const remove = (id: string): void => {
    bucket.remove(id);
    rows.delete(id);
  };
  return { bucket, rows, add, remove };
}

describe('vector bucket', () => {
  it('finds exactly the rows a brute-force cosine scan finds (early exit loses nothing)', () => {
    const next = rng(42);
    const dims = 64;
    const { bucket, rows, add, remove } = mirrored(dims, 4);
    const base = randomUnit(next, dims);
    for (let i = 0; i < 2000; i++) {
      // Rows at many distances from `base`, so some are above every threshold tested.
      const mix = next();
      const v = unitVector(Float32Array.from(base, (x) => x * mix * 4 + (next() - 0.5) * (1 - mix)));
      add(`r${i}`, v);
    }
    for (let i = 0; i < 2000; i += 3) remove(`r${i}`); // exercise swap-removal
    for (const threshold of [0.5, 0.8, 0.93, 0.99]) {
      const expected = [...rows]
        .map(([id, v]) => ({ id, score: v.reduce((s, x, k) => s + x * base[k], 0) }))
        .filter((r) => r.score >= threshold)
        .sort((a, b) => b.score - a.score);
      const got = bucket.search(base, threshold);
      assert.ok(expected.length > 0, `threshold ${threshold} has matches`);
      assert.deepEqual(got.map((r) => r.id).sort(), expected.map((r) => r.id).sort(), `threshold ${threshold}`);
      for (const r of got) assert.ok(Math.abs(r.score - expected.find((e) => e.id === r.id)!.score) < 1e-5);
      assert.equal(got[0].id, expected[0].id);
    }
    assert.equal(bucket.size, rows.size);
  });

  it('stays exact for any query once its columns are reordered by variance (rows added after the reorder too)', () => {
    const next = rng(7);
    const dims = 48;
    const { bucket, rows, add, remove } = mirrored(dims, 8);
    // Rows sharing a common direction, spread along a few dimensions only: reordering moves those first.
    const common = randomUnit(next, dims);
    const row = () => unitVector(Float32Array.from(common, (x, k) => x + (k % 7 === 0 ? (next() - 0.5) * 0.8 : (next() - 0.5) * 0.02)));
    for (let i = 0; i < 300; i++) {
      const v = row();
      add(`r${i}`, v);
      if (i % 5 === 0) remove(`r${i - 3}`);
    }
    for (let q = 0; q < 20; q++) {
      const query = q % 2 ? row() : randomUnit(next, dims);
      for (const threshold of [0.3, 0.9, 0.97]) {
        const expected = [...rows].filter(([, v]) => v.reduce((s, x, k) => s + x * query[k], 0) >= threshold).map(([id]) => id).sort();
        assert.deepEqual(bucket.search(query, threshold).map((r) => r.id).sort(), expected, `query ${q} at ${threshold}`);
      }
    }
  });

  it('rejects a vector of the wrong size and replaces a re-added id', () => {
    const bucket = new VectorBucket(3);
    assert.throws(() => bucket.add('a', new Float32Array(4)), /dimensions/);
    bucket.add('a', unitVector(Float32Array.of(1, 0, 0)));
    bucket.add('a', unitVector(Float32Array.of(0, 1, 0)));
    assert.equal(bucket.size, 1);
    assert.deepEqual(bucket.search(Float32Array.of(0, 1, 0), 0.99).map((r) => r.id), ['a']);
    assert.equal(bucket.remove('a'), true);
    assert.equal(bucket.remove('a'), false);
  });
});
