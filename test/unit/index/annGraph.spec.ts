import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { StoreFiles } from '../../../src/engine/index/storeFiles';
import { SHARD_COUNT, VectorStore, type VectorMeta } from '../../../src/engine/index/vectorStore';

const D = 48;
const FOLDER = 'vectors-ann';
const N = 3000;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

/** Vectors in clusters (like code chunks of one module), so the graph has structure to find. */
function clustered(random: () => number, centres: Float32Array[]): Float32Array {
  const c = centres[Math.floor(random() * centres.length)];
  return Float32Array.from(c, (x) => x + (random() - 0.5) * 0.6);
}

describe('VectorStore nearest-neighbour graph (derived, re-scored exactly)', function () {
  this.timeout(120_000);
  let dir: string;
  const random = rng(7);
  const centres = Array.from({ length: 40 }, () => Float32Array.from({ length: D }, () => random() * 2 - 1));
  const meta = (id: string): VectorMeta => ({ root: 0, path: `${id}.ts`, startLine: 1, endLine: 2, symbol: '', language: 'ts', hash: `h-${id}` });

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-ann-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function open(annMinRows = 1000): Promise<VectorStore> {
    const store = new VectorStore(new StoreFiles(dir), FOLDER, D, { annMinRows, annCandidates: 60 });
    await store.load();
    return store;
  }

  async function filled(): Promise<VectorStore> {
    const files = new StoreFiles(dir);
    const store = new VectorStore(files, FOLDER, D, { annMinRows: 1000, annCandidates: 60 });
    await store.load();
    for (let i = 0; i < N; i++) store.upsert(i % SHARD_COUNT, `c${i}`, clustered(random, centres), `h-c${i}`);
    await store.stage(meta);
    await files.commit();
    await store.maybeStartAnn();
    return store;
  }

  /** Share of the exact top 10 the store returns, counting a tie with the 10th exact score as found. */
  async function recall(store: VectorStore, queries: Float32Array[]): Promise<number> {
    let found = 0;
    for (const q of queries) {
      const norm = Math.sqrt(q.reduce((a, x) => a + x * x, 0));
      const exact = await store.exactQuery(q, 1 / norm, 10);
      const got = await store.query(q, 10);
      const tenth = exact[9].score;
      found += got.filter((h) => h.score >= tenth - 1e-6).length;
    }
    return found / (queries.length * 10);
  }

  it('answers large unfiltered queries through the graph with exact scores and recall ≥ 0.98', async () => {
    const store = await filled();
    assert.equal(store.annReady, true);
    const queries = Array.from({ length: 50 }, () => clustered(random, centres));
    const before = store.counters.ann;
    const r = await recall(store, queries);
    assert.equal(store.counters.ann - before, queries.length, 'every query went through the graph');
    assert.ok(r >= 0.98, `recall@10 ${r}`);
    // scores are the exact cosine, not the graph's quantised distance
    const q = queries[0];
    const norm = Math.sqrt(q.reduce((a, x) => a + x * x, 0));
    const [top] = await store.query(q, 1);
    const [exactTop] = await store.exactQuery(q, 1 / norm, 1);
    if (top.id === exactTop.id) assert.equal(top.score, exactTop.score);
    assert.ok(fs.existsSync(path.join(dir, FOLDER, 'ann.usearch')), 'the graph was saved beside the shards');
    for (const f of ['ann.usearch', 'ann.meta.json']) assert.equal(fs.statSync(path.join(dir, FOLDER, f)).mode & 0o777, 0o600, `${f} is owner-only`);
  });

  it('widens the search beam without rebuilding: a beam as large as the graph finds the exact top 10', async () => {
    const store = await filled();
    const queries = Array.from({ length: 30 }, () => clustered(random, centres));
    // 20 re-scored candidates (a margin over 10 for the graph's half-precision scores), beam 20 vs every row
    store.annCandidates = 20;
    store.annExpansion = 20;
    const narrow = await recall(store, queries);
    store.annExpansion = N;
    const wide = await recall(store, queries);
    assert.ok(wide >= narrow, `beam ${N}: ${wide} < beam 20: ${narrow}`);
    assert.equal(wide, 1, `a beam over every row is an exhaustive search (recall ${wide})`);
  });

  it('keeps filtered and small-index queries on the exact scan', async () => {
    const store = await filled();
    const before = { ...store.counters };
    const q = clustered(random, centres);
    const hits = await store.query(q, 5, (id) => id.endsWith('7'));
    assert.ok(hits.length === 5 && hits.every((h) => h.id.endsWith('7')));
    assert.equal(store.counters.exact - before.exact, 1);
    assert.equal(store.counters.ann, before.ann);

    const small = new VectorStore(new StoreFiles(fs.mkdtempSync(path.join(os.tmpdir(), 'keel-ann-small-'))), FOLDER, D, { annMinRows: 1000 });
    await small.load();
    for (let i = 0; i < 50; i++) small.upsert(i % SHARD_COUNT, `s${i}`, clustered(random, centres), `h-s${i}`);
    await small.maybeStartAnn();
    assert.equal(small.annReady, false);
    await small.query(q, 5);
    assert.equal(small.counters.exact, 1);
  });

  it('sees upserts and removals at once, and reconciles a graph file that fell behind the store', async () => {
    const store = await filled();
    const target = clustered(random, centres);
    store.upsert(3, 'fresh', target, 'h-fresh');
    assert.equal((await store.query(target, 1))[0].id, 'fresh');
    store.remove(3, 'fresh');
    assert.ok((await store.query(target, 10)).every((h) => h.id !== 'fresh'));

    // change the store of record behind the saved graph: the next open must not serve the removed rows
    const files = new StoreFiles(dir);
    const writer = new VectorStore(files, FOLDER, D, { annMinRows: Infinity });
    await writer.load();
    for (let i = 0; i < 300; i++) writer.remove(i % SHARD_COUNT, `c${i}`);
    writer.upsert(5, 'late', target, 'h-late');
    await writer.stage(meta);
    await files.commit();

    const reopened = await open();
    await reopened.maybeStartAnn();
    assert.equal(reopened.annReady, true);
    const hits = await reopened.query(target, 10);
    assert.equal(hits[0].id, 'late');
    const removed = new Set(Array.from({ length: 300 }, (_, i) => `c${i}`));
    for (let i = 0; i < 30; i++) {
      for (const h of await reopened.query(clustered(random, centres), 10)) assert.ok(!removed.has(h.id), `${h.id} was removed`);
    }
  });

  it('rebuilds a damaged graph file instead of trusting it', async () => {
    await filled();
    const graphFile = path.join(dir, FOLDER, 'ann.usearch');
    const bytes = fs.readFileSync(graphFile);
    bytes[bytes.length >> 1] ^= 0xff;
    fs.writeFileSync(graphFile, bytes);
    const reopened = await open();
    await reopened.maybeStartAnn();
    assert.equal(reopened.annReady, true);
    const queries = Array.from({ length: 30 }, () => clustered(random, centres));
    assert.ok((await recall(reopened, queries)) >= 0.98);

    fs.writeFileSync(graphFile, 'not a graph');
    const again = await open();
    await again.maybeStartAnn();
    assert.equal(again.annReady, true);
    assert.ok((await recall(again, queries)) >= 0.98);
  });

  it('scores the lexical channel exactly beside the graph, so a rare shared identifier is never lost', async () => {
    // rows: dense part [0, D) clustered, a sparse "lexical" tail [D, D + 32) with one hashed bucket each
    const L = 32;
    const files = new StoreFiles(dir);
    const store = new VectorStore(files, FOLDER, D + L, { annMinRows: 1000, annCandidates: 20, sparseFrom: D });
    await store.load();
    const row = (dense: Float32Array, bucket: number, lexical: number): Float32Array => {
      const v = new Float32Array(D + L);
      v.set(dense);
      v[D + bucket] = lexical;
      return v;
    };
    for (let i = 0; i < N; i++) store.upsert(i % SHARD_COUNT, `c${i}`, row(clustered(random, centres), i % (L - 1), 0.5), `h-c${i}`);
    // the only row with bucket L-1, its dense part far from every cluster (opposite of a centre)
    const far = Float32Array.from(centres[0], (x) => -x);
    store.upsert(9, 'rare', row(far, L - 1, 20), 'h-rare');
    await store.stage(meta);
    await files.commit();
    await store.maybeStartAnn();
    assert.equal(store.annReady, true);
    // a query that shares only the rare identifier (plus a dense part near cluster 1)
    const q = row(centres[1], L - 1, 20);
    const norm = Math.sqrt(q.reduce((a, x) => a + x * x, 0));
    const exact = await store.exactQuery(q, 1 / norm, 10);
    assert.equal(exact[0].id, 'rare', 'the exact scan ranks the rare row first');
    const got = await store.query(q, 10);
    assert.equal(got[0].id, 'rare');
    assert.equal(got[0].score, exact[0].score);
  });
});
