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

describe('VectorStore (dimension-major shards)', function () {
  this.timeout(120_000); // the first import of vectra alone took 15–23 s at load ~25 on this machine
  let dir: string;
  const random = rng(11);
  const vector = (sparse = false): Float32Array =>
    Float32Array.from({ length: D }, (_, d) => (sparse && d % 3 !== 0 ? 0 : random() * 2 - 1));
  const meta = (id: string): VectorMeta => ({ root: 0, path: `${id}.ts`, startLine: 1, endLine: 2, symbol: '', language: 'ts', hash: `h-${id}` });

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-vectors-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** `stored`: what the catalog would say is current (id → its vector; hash `h-<id>`). */
  async function open(stored?: Map<string, Float32Array>, files = new StoreFiles(dir)): Promise<VectorStore> {
    const store = new VectorStore(files, FOLDER, D, stored && { liveHash: (id) => (stored.has(id) ? `h-${id}` : undefined) });
    await store.load();
    return store;
  }

  /** Stages `store`'s pending changes and commits them. */
  async function stageAndCommit(store: VectorStore, files: StoreFiles): Promise<void> {
    await store.stage(meta);
    await files.commit();
  }

  /** Deletes every acceleration file, leaving only the vectra segments. */
  const dropAccelerationFiles = (): void => {
    for (const name of fs.readdirSync(path.join(dir, FOLDER))) if (name.endsWith('.acc')) fs.rmSync(path.join(dir, FOLDER, name));
  };

  /** Deletes the acceleration files and opens the store from the vectra segments alone. */
  async function openFromSegmentsAlone(stored: Map<string, Float32Array>): Promise<VectorStore> {
    dropAccelerationFiles();
    return open(stored);
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

  /** A store with `n` vectors mutated in (mirrored in `stored`) and committed. */
  async function committedStore(n: number): Promise<{ files: StoreFiles; stored: Map<string, Float32Array>; store: VectorStore }> {
    const files = new StoreFiles(dir);
    const stored = new Map<string, Float32Array>();
    const store = await open(stored, files);
    mutate(store, stored, n, 'a');
    await stageAndCommit(store, files);
    return { files, stored, store };
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

  it('reopens from the acceleration files (and from the vectra segments alone) to the same answers, then keeps mutating', async () => {
    const files = new StoreFiles(dir);
    const first = await open(undefined, files);
    const stored = new Map<string, Float32Array>();
    mutate(first, stored, 600, 'a');
    await stageAndCommit(first, files);
    const queries = Array.from({ length: 10 }, (_, t) => vector(t % 2 === 0));
    const before = await Promise.all(queries.map((q) => first.query(q, 10)));

    const reopened = await open(stored);
    assert.deepEqual(reopened.problems, []);
    assert.deepEqual(reopened.rebuilt, []);
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

    // Without acceleration files the shards are rebuilt from vectra's segments (superseded and removed
    // items are dropped by the catalog's answer), to the same answers.
    dropAccelerationFiles();
    const fromVectra = await open(new Map([...stored].filter(([id]) => id.startsWith('a'))));
    assert.equal(fromVectra.rebuilt.length, SHARD_COUNT);
    assert.ok(fromVectra.rebuilt.every((r) => r.reason === 'missing'));
    for (const [t, q] of queries.entries()) {
      const got = await fromVectra.query(q, 10);
      assert.deepEqual(got.map((h) => h.id), before[t].map((h) => h.id));
      got.forEach((h, i) => assert.ok(Math.abs(h.score - before[t][i].score) < 1e-6)); // re-normalised on load
    }
  });

  /** vectra's own view of a segment file (default LocalFileStorage, public API). */
  async function segmentIds(name: string): Promise<string[]> {
    const { LocalIndex, ProtobufCodec } = await import('vectra');
    return (await new LocalIndex(path.join(dir, FOLDER), name, undefined, new ProtobufCodec()).listItems()).map((item) => item.id);
  }
  const segmentList = (): { shards: string[][] } => JSON.parse(fs.readFileSync(path.join(dir, FOLDER, 'segments.json'), 'utf8')) as { shards: string[][] };

  it('commits append: a commit writes only the vectors changed since the last one; compaction folds the segments', async () => {
    const files = new StoreFiles(dir);
    const stored = new Map<string, Float32Array>();
    const store = await open(stored, files);
    const put = (i: number): void => {
      const v = vector();
      store.upsert(i % SHARD_COUNT, `a${i}`, v, `h-a${i}`);
      stored.set(`a${i}`, v);
    };
    for (let i = 0; i < 4 * SHARD_COUNT; i++) put(i);
    await stageAndCommit(store, files);
    const first = segmentList().shards;
    assert.ok(first.every((segs) => segs.length === 1));
    assert.deepEqual((await segmentIds(first[3][0])).sort(), ['a3', 'a35', 'a67', 'a99']);

    // one changed vector in shard 3: one new segment holding it alone; no other shard is rewritten
    put(35);
    await stageAndCommit(store, files);
    const second = segmentList().shards;
    assert.equal(second[3].length, 2);
    assert.deepEqual(await segmentIds(second[3][1]), ['a35']);
    second.forEach((segs, s) => s !== 3 && assert.deepEqual(segs, first[s]));

    // a removal writes no segment (the catalog no longer names the id); answers stay exact
    store.remove(3, 'a67');
    stored.delete('a67');
    await stageAndCommit(store, files);
    assert.deepEqual(segmentList().shards[3], second[3]);
    await assertMatchesBruteForce(store, stored);

    // segment after segment up to the limit (8), then the shard is compacted into one and the old files are gone
    const round = async (): Promise<void> => {
      put(3);
      await stageAndCommit(store, files);
    };
    for (let r = 0; r < 6; r++) await round();
    assert.equal(segmentList().shards[3].length, 8);
    await round();
    const compacted = segmentList().shards[3];
    assert.equal(compacted.length, 1, JSON.stringify(compacted));
    assert.deepEqual((await segmentIds(compacted[0])).sort(), ['a3', 'a35', 'a99']);
    const onDisk = fs.readdirSync(path.join(dir, FOLDER)).filter((n) => n.startsWith('seg-03-'));
    assert.deepEqual(onDisk, compacted);

    // the segments alone (no acceleration files) give the same answers
    const fromVectra = await openFromSegmentsAlone(stored);
    assert.equal(fromVectra.count, stored.size);
    await assertMatchesBruteForce(fromVectra, stored);
  });

  it('a commit that failed after staging is written again whole by the next one', async () => {
    const { files, stored, store } = await committedStore(200);
    mutate(store, stored, 100, 'b');
    await store.stage(meta);
    await files.discard(); // what WorkspaceIndex.persist does when the commit throws
    store.unstage();
    assert.ok(store.hasPending);
    await stageAndCommit(store, files);
    const fromVectra = await openFromSegmentsAlone(stored);
    assert.deepEqual(fromVectra.problems, []);
    assert.equal(fromVectra.count, stored.size);
    await assertMatchesBruteForce(fromVectra, stored);
  });

  it('rebuilds a missing, damaged, stale or foreign acceleration file from vectra and never trusts it', async () => {
    const { files, stored, store: writer } = await committedStore(300);
    const acc = path.join(dir, FOLDER, 'shard-03.acc');
    const older = fs.readFileSync(acc);
    // shard 3 changes after `older` was written: that file is intact (its checksum holds) but stale
    for (let i = 3; i < 300; i += SHARD_COUNT) {
      const v = vector();
      writer.upsert(3, `a${i}`, v, `h-a${i}`);
      stored.set(`a${i}`, v);
    }
    await stageAndCommit(writer, files);
    const current = fs.readFileSync(acc);

    const damaged = Buffer.from(current);
    damaged[Math.floor(damaged.length / 2)] ^= 0x10;
    const cases: Array<[string, (() => void), RegExp]> = [
      ['missing', () => fs.rmSync(acc), /^missing$/],
      ['damaged', () => fs.writeFileSync(acc, damaged), /damaged/],
      ['truncated', () => fs.writeFileSync(acc, current.subarray(0, 100)), /not an acceleration file|damaged/],
      ['stale', () => fs.writeFileSync(acc, older), /stale/],
      ['foreign', () => fs.writeFileSync(acc, Buffer.concat([Buffer.from('KVEC1\n'), current.subarray(6)])), /not an acceleration file/],
    ];
    for (const [what, spoil, reason] of cases) {
      spoil();
      const reopenedFiles = new StoreFiles(dir);
      const reopened = await open(stored, reopenedFiles);
      assert.deepEqual(reopened.rebuilt.map((r) => r.shard), [3], what);
      assert.match(reopened.rebuilt[0].reason, reason, what);
      assert.deepEqual(reopened.problems, [], what);
      await assertMatchesBruteForce(reopened, stored); // the stale file's older vectors are not served
      // the rebuilt shard's acceleration file is rewritten at the next commit, and then trusted again
      await stageAndCommit(reopened, reopenedFiles);
      const again = await open(stored);
      assert.deepEqual(again.rebuilt, [], what);
      await assertMatchesBruteForce(again, stored);
    }
  });

  it('opens a format-1 store (one vectra file and a float32 sidecar per shard) and migrates it at the next commit', async () => {
    const { LocalIndex, ProtobufCodec } = await import('vectra');
    const folder = path.join(dir, FOLDER);
    const legacy = new LocalIndex(folder, 'shard-05.pb', undefined, new ProtobufCodec());
    await legacy.createIndex({ version: 1 });
    const rows = new Map(['x', 'y', 'z'].map((id) => [id, vector()]));
    await legacy.batchInsertItems([...rows].map(([id, v]) => ({ id, metadata: meta(id), vector: Array.from(v) })));
    fs.writeFileSync(path.join(folder, 'shard-05.f32'), 'a sidecar of the old format');

    const files = new StoreFiles(dir);
    const store = await open(undefined, files);
    assert.equal(store.count, 3);
    for (const [id, v] of rows) assert.equal((await store.query(v, 1))[0].id, id);
    assert.ok(store.hasPending, 'a format-1 shard is rewritten at the next commit');
    await stageAndCommit(store, files);
    const names = fs.readdirSync(folder).sort();
    assert.ok(!names.includes('shard-05.pb') && !names.includes('shard-05.f32'), names.join(', '));
    assert.deepEqual(segmentList().shards[5].length, 1);
    const reopened = await open(new Map(rows));
    assert.deepEqual(reopened.rebuilt, []);
    for (const [id, v] of rows) assert.equal((await reopened.query(v, 1))[0].id, id);
  });
});
