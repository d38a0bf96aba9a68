import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { StoreFiles } from '../../../src/engine/index/storeFiles';
import { SHARD_COUNT, VectorStore, type VectorMeta } from '../../../src/engine/index/vectorStore';

const D = 40;
const FOLDER = 'vectors-test';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

/** The reference: cosine of every stored vector with the query, full sort, best first. */
function bruteForce(stored: Map<string, Float32Array>, query: Float32Array, k: number): Array<{ id: string; score: number }> {
  const norm = (v: Float32Array): number => Math.sqrt(v.reduce((a, x) => a + x * x, 0));
  const qn = norm(query);
  return [...stored]
    .map(([id, v]) => ({ id, score: v.reduce((a, x, d) => a + x * query[d], 0) / (norm(v) * qn) }))
    .sort((a, b) => b.score - a.score)
    .slice(0, k);
}

describe('VectorStore (dimension-major shards)', () => {
  let dir: string;
  const random = rng(11);
  const vector = (sparse = false): Float32Array =>
    Float32Array.from({ length: D }, (_, d) => (sparse && d % 3 !== 0 ? 0 : random() * 2 - 1));
  const meta = (id: string): VectorMeta => ({ root: 0, path: `${id}.ts`, startLine: 1, endLine: 2, symbol: '', language: 'ts', hash: `h-${id}` });

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-vectors-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function open(): Promise<VectorStore> {
    const store = new VectorStore(new StoreFiles(dir), FOLDER, D);
    await store.load();
    return store;
  }

  /** Upserts, replaces and removes across every shard, mirroring each step in `stored`. */
  function mutate(store: VectorStore, stored: Map<string, Float32Array>, n: number, prefix: string): void {
    for (let i = 0; i < n; i++) {
      const id = `${prefix}${i}`;
      const v = vector();
      store.upsert(i % SHARD_COUNT, id, v, `h-${id}`);
      stored.set(id, v);
    }
    for (let i = 0; i < n; i += 7) {
      const id = `${prefix}${i}`;
      const v = vector();
      store.upsert(i % SHARD_COUNT, id, v, `h-${id}`); // replace in place
      stored.set(id, v);
    }
    for (let i = 3; i < n; i += 5) {
      store.remove(i % SHARD_COUNT, `${prefix}${i}`); // moves each shard's last row into the hole
      stored.delete(`${prefix}${i}`);
    }
  }

  async function assertMatchesBruteForce(store: VectorStore, stored: Map<string, Float32Array>): Promise<void> {
    for (let t = 0; t < 25; t++) {
      const q = vector(t % 2 === 1); // odd queries are sparse: their zero dimensions are skipped
      const want = bruteForce(stored, q, 12);
      const got = await store.query(q, 12);
      assert.deepEqual(got.map((h) => h.id), want.map((h) => h.id));
      got.forEach((h, i) => assert.ok(Math.abs(h.score - want[i].score) < 1e-5, `${h.score} vs ${want[i].score}`));
    }
  }

  it('gives the brute-force top-k after upserts, replacements and removals', async () => {
    const store = await open();
    const stored = new Map<string, Float32Array>();
    mutate(store, stored, 900, 'a'); // ~28 rows a shard: grows past the initial capacity
    assert.equal(store.count, stored.size);
    await assertMatchesBruteForce(store, stored);
    // Content hashes follow their rows when a removal moves the last row into a hole.
    for (let i = 0; i < 900; i++) assert.equal(store.has(`a${i}`, `h-a${i}`), stored.has(`a${i}`), `a${i}`);
    assert.deepEqual(await store.query(vector(), 0), []);
    assert.equal((await store.query(vector(), 10_000)).length, stored.size);
  });

  it('reopens from the sidecar (and from the vectra file alone) to the same answers, then keeps mutating', async () => {
    const files = new StoreFiles(dir);
    const first = new VectorStore(files, FOLDER, D);
    await first.load();
    const stored = new Map<string, Float32Array>();
    mutate(first, stored, 600, 'a');
    await first.stage(meta);
    await files.commit();
    const queries = Array.from({ length: 10 }, (_, t) => vector(t % 2 === 0));
    const before = await Promise.all(queries.map((q) => first.query(q, 10)));

    const reopened = await open();
    assert.deepEqual(reopened.problems, []);
    assert.equal(reopened.count, stored.size);
    assert.deepEqual(await Promise.all(queries.map((q) => reopened.query(q, 10))), before);
    const unit = reopened.vectorFor('h-a1')!;
    const raw = stored.get('a1')!;
    const rawNorm = Math.sqrt(raw.reduce((a, x) => a + x * x, 0));
    unit.forEach((x, d) => assert.ok(Math.abs(x - raw[d] / rawNorm) < 1e-6));
    assert.ok(reopened.has('a1', 'h-a1') && !reopened.has('a1', 'other') && !reopened.has('a3', 'h-a3'));

    // A loaded shard has no growth slack: adding and removing must grow and compact it correctly.
    mutate(reopened, stored, 300, 'b');
    await assertMatchesBruteForce(reopened, stored);

    // Without sidecars the shards are read from vectra's own files (indexes written before sidecars).
    for (const name of fs.readdirSync(path.join(dir, FOLDER))) if (name.endsWith('.f32')) fs.rmSync(path.join(dir, FOLDER, name));
    const fromVectra = await open();
    for (const [t, q] of queries.entries()) {
      const got = await fromVectra.query(q, 10);
      assert.deepEqual(got.map((h) => h.id), before[t].map((h) => h.id));
      got.forEach((h, i) => assert.ok(Math.abs(h.score - before[t][i].score) < 1e-6)); // re-normalised on load
    }
  });

  it('opens a row-major sidecar written byte for byte in the on-disk format', async () => {
    const ids = ['x', 'y', 'z'];
    const rows = [vector(), vector(), vector()].map((v) => {
      const n = Math.sqrt(v.reduce((a, x) => a + x * x, 0));
      return v.map((x) => x / n);
    });
    const header = Buffer.from(JSON.stringify([ids, ids.map((id) => `h-${id}`)]));
    const head = Buffer.alloc(6 + 12);
    head.write('KVEC1\n', 0, 'latin1');
    head.writeUInt32LE(D, 6);
    head.writeUInt32LE(ids.length, 10);
    head.writeUInt32LE(header.length, 14);
    const pad = (4 - ((head.length + header.length) % 4)) % 4;
    const body = new Float32Array(ids.length * D);
    rows.forEach((r, i) => body.set(r, i * D));
    fs.mkdirSync(path.join(dir, FOLDER), { recursive: true });
    fs.writeFileSync(path.join(dir, FOLDER, 'shard-05.f32'), Buffer.concat([head, header, Buffer.alloc(pad), Buffer.from(body.buffer)]));

    const store = await open();
    assert.equal(store.count, 3);
    for (const [i, id] of ids.entries()) {
      const [best] = await store.query(rows[i], 1);
      assert.equal(best.id, id);
      assert.ok(Math.abs(best.score - 1) < 1e-5);
      assert.deepEqual(Array.from(store.vectorFor(`h-${id}`)!), Array.from(rows[i]));
    }
  });
});
