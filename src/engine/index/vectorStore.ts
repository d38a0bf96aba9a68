/**
 * Chunk vectors: persisted as vectra LocalIndex shard files, searched from a compact in-memory matrix.
 *
 * Why not keep vectra's LocalIndex objects loaded: vectra holds every vector as a JS number[] (8 bytes
 * per dimension plus object overhead) — measured 217 MB of heap for 53k × 512-d vectors, which alone
 * breaks the 300 MB engine budget — and its queryItems is a plain full scan anyway. So the engine keeps
 * one Float32Array per shard (4 bytes per dimension, 108 MB at 53k × 512) and scans it itself, while the
 * files on disk stay in vectra's LocalIndex format, written and read with vectra's own codec (a unit
 * test opens them with LocalIndex and queries them).
 * In memory each shard is dimension-major (FlatVectors, shared with the in-memory search source): the
 * scan then reads whole columns in order and skips the query's zero dimensions. At 50k × 512 that took
 * the vector leg from ~33 ms to ~11 ms. The sidecar on disk stays row-major (the format is unchanged,
 * older indexes open as they are); it is transposed on load and back when a shard is written.
 * Why shards: a one-file change rewrites only its shard (1/32 of the vectors; a file's chunks always
 * share a shard, by a hash of its path) instead of the whole index file vectra would rewrite.
 * Why protobuf: on 1,600 items × 256-d the JSON codec wrote 8.6 MB per shard (serialise 51 ms, load
 * 43 ms) and protobuf 2.0 MB (6 ms, 18–24 ms warm): 4× less disk and I/O.
 * Writes are staged through the store journal (storeFiles.ts), so a crash never tears a shard.
 */
import type { IndexCodec, IndexData } from 'vectra';
import { FlatVectors, sparseQuery, type SparseQuery } from '../search/flatVectors';
import { topK } from '../search/topK';
import { AnnGraph, DEFAULT_ANN, usearchProblem, type AnnSettings } from './annGraph';
import type { StoreFiles } from './storeFiles';

export const SHARD_COUNT = 32;

export interface VectorMeta {
  [key: string]: string | number;
  root: number;
  path: string;
  startLine: number;
  endLine: number;
  symbol: string;
  language: string;
  hash: string;
}

export interface VectorHit {
  id: string;
  score: number;
}

export interface VectorStoreOptions {
  /**
   * Below this many vectors every query is an exact scan (DEFAULT_ANN_MIN_ROWS); at or above it an ANN graph is built in the background and serves unfiltered queries once
   * ready. Infinity disables the graph.
   */
  annMinRows?: number;
  /** Graph candidates re-scored exactly per query (at least k). */
  annCandidates?: number;
  ann?: AnnSettings;
  /** The embedder's sparse lexical channel starts here (Embedder.sparseFrom): scored exactly beside the graph. */
  sparseFrom?: number;
}

/** A query touching more lexical buckets than this skips the sparse leg (it would cost a full scan). */
const SPARSE_LEG_MAX_DIMS = 96;

/**
 * With the graph settings of DEFAULT_ANN the vector leg's recall@10 against the exact scan is 0.997 on
 * 721 real questions over 58.5k real chunks (test/bench/annTune.bench.ts), at 5.3 ms CPU p50 where the
 * exact scan took 13.2 ms — the exact scan grows with the rows, the graph with their logarithm. Below 50k
 * the exact scan is cheap enough (< ~11 ms) that the graph's memory (~0.8 KB a chunk) and background
 * build are not worth it; it also stays for filtered queries.
 */
export const DEFAULT_ANN_MIN_ROWS = 50_000;
export const DEFAULT_ANN_CANDIDATES = 100;
const ANN_FILE = 'ann';

/** Stable shard of a file: FNV-1a of `root:path`. */
export function shardOf(root: number, path: string): number {
  let h = 0x811c9dc5;
  const key = `${root}:${path}`;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % SHARD_COUNT;
}

/** One shard's vectors (unit length, dimension-major for the scan) and the content hash of each row. */
class Shard {
  /** hashes[row] belongs to vectors.idAt(row); kept in step with FlatVectors' move-last-row delete. */
  hashes: string[] = [];

  constructor(readonly dims: number, public vectors = new FlatVectors(dims, 64)) {}

  get count(): number {
    return this.vectors.size;
  }

  id(row: number): string {
    return this.vectors.idAt(row);
  }

  rowOf(id: string): number | undefined {
    return this.vectors.rowOf(id);
  }

  /** A copy of a row's (unit) vector. */
  vector(row: number): Float32Array {
    return this.vectors.vectorAt(row);
  }

  put(id: string, hash: string, vector: ArrayLike<number>): void {
    let norm = 0;
    for (let d = 0; d < this.dims; d++) norm += vector[d] * vector[d];
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0; // rows are unit length: a dot product is the cosine
    const unit = new Float32Array(this.dims);
    for (let d = 0; d < this.dims; d++) unit[d] = vector[d] * scale;
    const row = this.vectors.rowOf(id);
    this.vectors.set(id, unit);
    if (row === undefined) this.hashes.push(hash);
    else this.hashes[row] = hash;
  }

  /** Removes by moving the last row into the hole (order does not matter to a scan). */
  delete(id: string): boolean {
    const row = this.vectors.rowOf(id);
    if (row === undefined) return false;
    const last = this.vectors.size - 1;
    this.vectors.delete(id);
    this.hashes[row] = this.hashes[last];
    this.hashes.pop();
    return true;
  }
}

export class VectorStore {
  private shards: Shard[] = [];
  private dirty = new Set<number>();
  /** What went wrong while loading (surfaced as index notices). */
  readonly problems: string[] = [];
  private loaded: Promise<void> | undefined;
  private codec: IndexCodec | undefined;
  /** chunk hash → id of a live chunk with that vector, for reuse across files. */
  private idByHash = new Map<string, string>();
  /** Vectors of recently removed chunks by hash, for reuse after a branch switch back. */
  private recent = new Map<string, Float32Array>();
  private static readonly RECENT_LIMIT = 5_000;

  /** `folder` is per embedder id, so vectors of two models never mix (switching models re-embeds). */
  private readonly annMinRows: number;
  /** Graph candidates re-scored per query, and the graph's search beam (settable for test/bench/annTune.bench.ts). */
  annCandidates: number;
  annExpansion: number;
  private readonly annSettings: AnnSettings;
  private readonly sparseFrom: number | undefined;
  /** The graph once built or loaded and reconciled with the shards; undefined while the exact scan serves. */
  private ann: AnnGraph | undefined;
  private annJob: Promise<void> | undefined;
  /** Set when vectors changed while the graph was being prepared: it is reconciled again before use. */
  private annStale = false;
  private annStopped = false;
  /** False: every query is an exact scan even when the graph is ready (the baseline benchmarks compare to). */
  annEnabled = true;
  /** Queries answered by the graph / by the exact scan (for benchmarks and status). */
  readonly counters = { ann: 0, exact: 0 };

  constructor(private readonly files: StoreFiles, private readonly folder: string, readonly dims: number, options: VectorStoreOptions = {}) {
    this.annMinRows = options.annMinRows ?? DEFAULT_ANN_MIN_ROWS;
    this.annCandidates = options.annCandidates ?? DEFAULT_ANN_CANDIDATES;
    this.annSettings = options.ann ?? DEFAULT_ANN;
    this.annExpansion = this.annSettings.expansionSearch;
    this.sparseFrom = options.sparseFrom;
  }

  /** Reads the shards; safe to call many times. Throws if a shard is unreadable or of another size. */
  load(): Promise<void> {
    this.loaded ??= this.doLoad();
    return this.loaded;
  }

  get isLoaded(): boolean {
    return this.shards.length === SHARD_COUNT;
  }

  private async doLoad(): Promise<void> {
    const shards: Shard[] = [];
    for (let s = 0; s < SHARD_COUNT; s++) {
      let shard: Shard;
      try {
        shard = (await this.loadSidecar(s)) ?? (await this.loadVectraShard(s));
      } catch (error) {
        // A damaged shard is rebuilt, not fatal: it starts empty, its chunks count as un-embedded and
        // the next sync re-embeds them (vectors of other shards are kept).
        this.problems.push(`Vector shard ${s} was unreadable (${(error as Error).message}); its vectors will be recomputed.`);
        shard = new Shard(this.dims);
        this.dirty.add(s);
      }
      shard.vectors.trim();
      for (let i = 0; i < shard.count; i++) this.idByHash.set(shard.hashes[i], shard.id(i));
      shards.push(shard);
    }
    this.shards = shards;
    this.maybeStartAnn();
  }

  /** True once unfiltered queries are answered through the graph. */
  get annReady(): boolean {
    return this.ann !== undefined && !this.annStale;
  }

  /**
   * Starts (once) loading or building the graph when the store is large enough. Queries keep using the
   * exact scan until it is ready; the returned promise settles when it is (or when it cannot be).
   */
  maybeStartAnn(): Promise<void> {
    if (this.annJob) return this.annJob;
    if (this.annStopped || !this.isLoaded || this.count < this.annMinRows) return Promise.resolve();
    this.annJob = this.prepareAnn().catch((error: Error) => {
      this.problems.push(`The nearest-neighbour graph could not be prepared (${error.message}); searches use the exact scan.`);
      this.ann = undefined;
    });
    return this.annJob;
  }

  private async prepareAnn(): Promise<void> {
    const dir = this.files.abs(this.folder);
    let graph = await AnnGraph.load(dir, ANN_FILE, this.dims, this.annSettings);
    // a graph far behind the store is rebuilt rather than patched (patching costs as much and links worse)
    if (graph && Math.abs(graph.size - this.count) > this.count * 0.25) graph = undefined;
    if (!graph) {
      graph = await AnnGraph.create(this.dims, this.annSettings);
      if (!graph) {
        this.problems.push(`Nearest-neighbour search is unavailable on this platform (${usearchProblem() ?? 'no usearch binary'}); searches use the exact scan.`);
        return;
      }
    }
    do {
      this.annStale = false;
      await this.reconcile(graph);
      if (this.annStopped) return;
    } while (this.annStale);
    this.ann = graph;
    if (graph.changedSinceSave > Math.max(1000, graph.size * 0.05)) await this.saveAnn();
  }

  /** Makes the graph hold exactly the live (id, hash) pairs of the shards; yields between shards. */
  private async reconcile(graph: AnnGraph): Promise<void> {
    const live = new Set<string>();
    for (const shard of this.shards) {
      const ids: string[] = [];
      const hashes: string[] = [];
      const rows: number[] = [];
      for (let i = 0; i < shard.count; i++) {
        const id = shard.id(i);
        live.add(id);
        if (graph.hashOf(id) !== shard.hashes[i]) {
          ids.push(id);
          hashes.push(shard.hashes[i]);
          rows.push(i);
        }
      }
      // in slices, so a large build never holds the event loop for long
      for (let j = 0; j < rows.length; j += 2048) {
        graph.addMany(ids.slice(j, j + 2048), hashes.slice(j, j + 2048), shard.vectors.toRowMajor(rows.slice(j, j + 2048)));
        await new Promise((resolve) => setImmediate(resolve));
        if (this.annStopped) return;
      }
    }
    for (const id of [...graph.entries()]) if (!live.has(id)) graph.remove(id);
  }

  /** Stops preparing the graph and waits for any save in flight: the store lock is about to be released. */
  async stopAnn(): Promise<void> {
    this.annStopped = true;
    await this.annJob;
    await this.annSave;
  }

  private annSave: Promise<void> | undefined;

  private saveAnn(): Promise<void> {
    this.annSave = (this.annSave ?? Promise.resolve()).then(() => this.doSaveAnn());
    return this.annSave;
  }

  private async doSaveAnn(): Promise<void> {
    if (!this.ann || this.annStopped) return;
    try {
      await this.ann.save(this.files.abs(this.folder), ANN_FILE);
    } catch (error) {
      this.problems.push(`The nearest-neighbour graph could not be saved (${(error as Error).message}); it is rebuilt on the next open.`);
    }
  }

  /**
   * The fast path: a raw float32 copy of the shard written in the same journaled commit as the vectra
   * file. Measured at 53k × 512-d: vectra's protobuf decode took ~6.8 s (it builds a number[] per
   * vector) on a busy 2-core machine; the sidecar is a single read and a view. Any doubt → vectra file.
   */
  private async loadSidecar(s: number): Promise<Shard | undefined> {
    // A sidecar that fails its checksum is only an acceleration file: fall back to the vectra shard.
    const bytes = await this.files.read(this.sidecarName(s)).catch(() => undefined);
    if (!bytes) return undefined;
    try {
      return decodeSidecar(bytes, this.dims);
    } catch {
      return undefined;
    }
  }

  private async loadVectraShard(s: number): Promise<Shard> {
    const shard = new Shard(this.dims);
    const bytes = await this.files.read(this.shardName(s));
    if (!bytes) return shard;
    const data = (await this.vectraCodec()).deserializeIndex(bytes);
    for (const item of data.items) {
      if (item.vector.length !== this.dims) throw new Error(`vector shard ${s} holds ${item.vector.length}-d vectors, expected ${this.dims}`);
      shard.put(item.id, String(item.metadata.hash), item.vector);
    }
    return shard;
  }

  /** vectra is required lazily: loading it costs ~0.4 s that reopening and keyword work should not pay. */
  private async vectraCodec(): Promise<IndexCodec> {
    if (!this.codec) {
      const { ProtobufCodec } = await import('vectra');
      this.codec = new ProtobufCodec();
    }
    return this.codec;
  }

  private sidecarName(s: number): string {
    return `${this.folder}/shard-${String(s).padStart(2, '0')}.f32`;
  }

  private shardName(s: number): string {
    return `${this.folder}/shard-${String(s).padStart(2, '0')}.pb`;
  }

  get count(): number {
    return this.shards.reduce((n, s) => n + s.count, 0);
  }

  /** True if a vector for this chunk id and content hash is stored. */
  has(id: string, hash: string): boolean {
    for (const shard of this.shards) {
      const i = shard.rowOf(id);
      if (i !== undefined) return shard.hashes[i] === hash;
    }
    return false;
  }

  /** A known vector for this chunk hash (live or recently removed), to avoid re-embedding. */
  vectorFor(hash: string): Float32Array | undefined {
    const id = this.idByHash.get(hash);
    if (id !== undefined) {
      for (const shard of this.shards) {
        const i = shard.rowOf(id);
        if (i !== undefined && shard.hashes[i] === hash) return shard.vector(i);
      }
    }
    return this.recent.get(hash);
  }

  /** Stores a vector; visible to queries at once, written at the next stage(). Call after load(). */
  upsert(shard: number, id: string, vector: ArrayLike<number>, hash: string): void {
    const s = this.shards[shard];
    s.put(id, hash, vector);
    this.idByHash.set(hash, id);
    this.dirty.add(shard);
    if (this.ann) {
      const row = s.rowOf(id)!;
      this.ann.addMany([id], [hash], s.vector(row));
    } else if (this.annJob) this.annStale = true;
  }

  remove(shard: number, id: string): void {
    const s = this.shards[shard];
    const i = s?.rowOf(id);
    if (!s || i === undefined) return;
    const hash = s.hashes[i];
    this.recent.set(hash, s.vector(i));
    if (this.recent.size > VectorStore.RECENT_LIMIT) this.recent.delete(this.recent.keys().next().value as string);
    if (this.idByHash.get(hash) === id) this.idByHash.delete(hash);
    s.delete(id);
    this.dirty.add(shard);
    if (this.ann) this.ann.remove(id);
    else if (this.annJob) this.annStale = true;
  }

  get hasPending(): boolean {
    return this.dirty.size > 0;
  }

  /** Writes every changed shard (vectra LocalIndex format) into the journal's staging area. */
  async stage(metaFor: (id: string) => VectorMeta | undefined): Promise<void> {
    if (!this.isLoaded || this.dirty.size === 0) return;
    const codec = await this.vectraCodec();
    const dirty = [...this.dirty];
    this.dirty.clear();
    for (const s of dirty) {
      const shard = this.shards[s];
      const rows: number[] = [];
      const items: IndexData['items'] = [];
      for (let i = 0; i < shard.count; i++) {
        const metadata = metaFor(shard.id(i));
        if (!metadata) continue;
        rows.push(i);
        items.push({ id: shard.id(i), metadata, vector: [], norm: 1 });
      }
      // One transpose back to rows for both files: gathering a row from a dimension-major matrix
      // reads one cache line per dimension, a whole shard at once reads each column in order.
      const matrix = shard.vectors.toRowMajor(rows);
      items.forEach((item, j) => (item.vector = Array.from(matrix.subarray(j * this.dims, (j + 1) * this.dims))));
      const data: IndexData = { version: 1, metadata_config: {}, items };
      await this.files.stage(this.shardName(s), codec.serializeIndex(data));
      await this.files.stage(this.sidecarName(s), encodeSidecar(this.dims, items.map((item) => item.id), rows.map((i) => shard.hashes[i]), matrix));
    }
    // the graph is not part of the commit: it is derived, saved on its own when it has drifted enough
    // from its file that reconciling on the next open would cost more than writing it now
    if (this.ann && this.ann.changedSinceSave > Math.max(1000, this.ann.size * 0.05)) void this.saveAnn();
    void this.maybeStartAnn();
  }

  /**
   * Exact cosine top-k over every shard. Each shard's matrix is dimension-major (FlatVectors), so the
   * scan reads whole columns sequentially and skips the query's zero dimensions — measured 3–4× faster
   * than the row-major gather it replaced. All shards score into one buffer and are ranked once, ties
   * to the earlier shard and row, as before.
   */
  /** Cosine top-k; `keep` (by id) is asked only about rows that would enter the top k, so it stays exact and cheap. */
  async query(vector: ArrayLike<number>, k: number, keep?: (id: string) => boolean): Promise<VectorHit[]> {
    await this.load();
    let norm = 0;
    for (let d = 0; d < this.dims; d++) norm += vector[d] * vector[d];
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    // filtered queries stay exact: a filter can reject most of the graph's candidates
    if (!keep && this.annEnabled && this.ann && !this.annStale && this.count >= this.annMinRows) return this.annQuery(vector, scale, k);
    return this.exactQuery(vector, scale, k, keep);
  }

  /** The exact scan, whatever the size (the baseline the graph is measured against). */
  async exactQuery(vector: ArrayLike<number>, scale: number, k: number, keep?: (id: string) => boolean): Promise<VectorHit[]> {
    await this.load();
    this.counters.exact++;
    const q = sparseQuery(vector, scale);
    const scores = new Float32Array(this.count);
    const starts: number[] = [];
    let offset = 0;
    for (const shard of this.shards) {
      starts.push(offset);
      shard.vectors.scoreInto(q, scores.subarray(offset, offset + shard.count));
      offset += shard.count;
    }
    const idOf = (row: number): string => {
      let s = starts.length - 1;
      while (starts[s] > row) s--; // the last shard starting at or before `row` (empty shards share starts)
      return this.shards[s].id(row - starts[s]);
    };
    return topK(scores, k, keep && ((row) => keep(idOf(row)))).map((row) => ({ id: idOf(row), score: scores[row] }));
  }

  /**
   * Top rows by the query's lexical-channel dimensions alone, scanned exactly: a few columns (a short
   * query touches a handful of hashed buckets), so far cheaper than the full scan.
   */
  private sparseLeg(query: SparseQuery, n: number): string[] {
    if (this.sparseFrom === undefined) return [];
    let first = 0;
    while (first < query.dims.length && query.dims[first] < this.sparseFrom) first++;
    const count = query.dims.length - first;
    if (count === 0 || count > SPARSE_LEG_MAX_DIMS) return [];
    const part: SparseQuery = { dims: query.dims.subarray(first), weights: query.weights.subarray(first) };
    const out: string[] = [];
    const scores = new Float32Array(this.count);
    let offset = 0;
    const starts: number[] = [];
    for (const shard of this.shards) {
      starts.push(offset);
      shard.vectors.scoreInto(part, scores.subarray(offset, offset + shard.count));
      offset += shard.count;
    }
    for (const row of topK(scores, n)) {
      if (scores[row] <= 0) break;
      let s = starts.length - 1;
      while (starts[s] > row) s--;
      out.push(this.shards[s].id(row - starts[s]));
    }
    return out;
  }

  /** Graph candidates, each re-scored exactly against its float32 row; ranked like the exact scan. */
  private annQuery(vector: ArrayLike<number>, scale: number, k: number): VectorHit[] {
    this.counters.ann++;
    const q = new Float32Array(this.dims);
    for (let d = 0; d < this.dims; d++) q[d] = vector[d] * scale;
    const sparse = sparseQuery(vector, scale);
    const want = Math.max(k, this.annCandidates);
    this.ann!.expansion = this.annExpansion;
    const candidates = new Set(this.ann!.search(q, want));
    for (const id of this.sparseLeg(sparse, want)) candidates.add(id);
    const scored: { id: string; score: number; shard: number; row: number }[] = [];
    for (const id of candidates) {
      for (let s = 0; s < this.shards.length; s++) {
        const row = this.shards[s].rowOf(id);
        if (row === undefined) continue;
        scored.push({ id, score: this.shards[s].vectors.scoreRow(row, sparse), shard: s, row });
        break;
      }
    }
    scored.sort((a, b) => b.score - a.score || a.shard - b.shard || a.row - b.row);
    return scored.slice(0, k).map(({ id, score }) => ({ id, score }));
  }
}

const SIDECAR_MAGIC = 'KVEC1\n';

/** Sidecar layout: magic, u32 dims, u32 count, u32 header length, JSON [ids, hashes], pad to 4, float32 rows. */
function encodeSidecar(dims: number, ids: readonly string[], hashes: readonly string[], rows: Float32Array): Buffer {
  const header = Buffer.from(JSON.stringify([ids, hashes]));
  const head = Buffer.alloc(SIDECAR_MAGIC.length + 12);
  head.write(SIDECAR_MAGIC, 0, 'latin1');
  head.writeUInt32LE(dims, SIDECAR_MAGIC.length);
  head.writeUInt32LE(ids.length, SIDECAR_MAGIC.length + 4);
  head.writeUInt32LE(header.length, SIDECAR_MAGIC.length + 8);
  const pad = (4 - ((head.length + header.length) % 4)) % 4;
  return Buffer.concat([head, header, Buffer.alloc(pad), Buffer.from(rows.buffer, rows.byteOffset, rows.byteLength)]);
}

function decodeSidecar(bytes: Buffer, dims: number): Shard {
  if (bytes.toString('latin1', 0, SIDECAR_MAGIC.length) !== SIDECAR_MAGIC) throw new Error('not a vector sidecar');
  const fileDims = bytes.readUInt32LE(SIDECAR_MAGIC.length);
  const count = bytes.readUInt32LE(SIDECAR_MAGIC.length + 4);
  const headerLen = bytes.readUInt32LE(SIDECAR_MAGIC.length + 8);
  if (fileDims !== dims) throw new Error('dimension mismatch');
  let at = SIDECAR_MAGIC.length + 12;
  const [ids, hashes] = JSON.parse(bytes.toString('utf8', at, at + headerLen)) as [string[], string[]];
  at += headerLen;
  at += (4 - (at % 4)) % 4;
  if (ids.length !== count || hashes.length !== count || bytes.length !== at + count * dims * 4) throw new Error('truncated sidecar');
  // The file is row-major (unchanged since format 1, so older indexes open as they are); the scan wants
  // dimension-major, so it is transposed here. A view when the bytes are aligned, a copy otherwise.
  const start = bytes.byteOffset + at;
  const rows = start % 4 === 0
    ? new Float32Array(bytes.buffer, start, count * dims)
    : new Float32Array(bytes.buffer.slice(start, start + count * dims * 4));
  const shard = new Shard(dims, FlatVectors.fromRowMajor(dims, ids, rows));
  shard.hashes = hashes;
  return shard;
}
