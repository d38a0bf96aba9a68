/**
 * Chunk vectors. The store of record is vectra: each shard is a list of vectra LocalIndex files
 * ("segments"), written and read only through LocalIndex's public API (createIndex, batchInsertItems,
 * listItems) with vectra's ProtobufCodec, over a FileStorage that stages into the store's journal
 * (vectraStorage.ts) — so a crash never tears a segment and every segment is checksummed.
 * Commits append: a commit writes, per changed shard, one new segment holding only the vectors that
 * changed since the last commit, instead of re-serialising the whole shard. An item of a segment is
 * current when the catalog names its id with its content hash (`liveHash`) and no later segment of the
 * shard holds the id; everything else is garbage that compaction drops — a shard whose segments hold
 * more than twice its live rows, or too many segments, is rewritten as one segment in the same commit.
 *
 * Search never reads vectra: vectra holds every vector as a JS number[] (8 bytes per dimension plus
 * object overhead; 217 MB of heap for 53k × 512-d) and its queryItems is a plain full scan. The engine
 * keeps one dimension-major Float32Array per shard (FlatVectors) and scans it itself. That matrix is
 * loaded from a derived acceleration file per shard (`shard-NN.acc`): a float32 copy with its own
 * SHA-256 and the fingerprint (the registered checksums) of the vectra segments it was derived from.
 * It is written in the same commit but is not a store of record: missing, damaged, of another format
 * or stale (its fingerprint differs from the segments') → rebuilt from vectra and rewritten, never
 * trusted. Measured at 53k × 512-d: decoding vectra's protobuf took ~6.8 s (it builds a number[] per
 * vector) on a busy 2-core machine; the acceleration file is one read and a transpose.
 * Why shards: a one-file change touches 1/32 of the vectors (a file's chunks share a shard, by a hash
 * of its path).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import type { IndexCodec, LocalIndex } from 'vectra';
import { FlatVectors, sparseQuery, type SparseQuery } from '../search/flatVectors';
import { topK } from '../search/topK';
import { AnnGraph, DEFAULT_ANN, usearchProblem, type AnnSettings } from './annGraph';
import type { StoreFiles } from './storeFiles';
import { JournalStorage } from './vectraStorage';

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
  /**
   * The content hash the catalog holds for a chunk id (undefined: no such chunk). Decides which vectra
   * items are current when a shard is rebuilt from its segments; without it every item is (later
   * segments win), which suits only a store whose removals were all compacted away.
   */
  liveHash?: (id: string) => string | undefined;
}

/** Per shard: its vectra segments, in write order. */
interface SegmentList {
  format: 2;
  /** Number of the next segment file (names are never reused). */
  next: number;
  shards: string[][];
  /** Items per shard across its segments, live or not (compaction decides on it). */
  items: number[];
}

const SEGMENTS_FILE = 'segments.json';
/** A shard with more segments than this is compacted at its next commit. */
const MAX_SEGMENTS = 8;

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
  /** vectra segment files holding this shard, oldest first. */
  segments: string[] = [];
  /** Items across those segments, live or not (compaction decides on it). */
  segmentItems = 0;
  /** Ids upserted since the last commit: the next segment. */
  pending = new Set<string>();
  /** Rewrite as one segment at the next commit (damaged, legacy, or too much garbage). */
  rewrite = false;

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
  private readonly liveHash: ((id: string) => string | undefined) | undefined;
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
    this.liveHash = options.liveHash;
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
    let list: Awaited<ReturnType<VectorStore['readSegmentList']>>;
    try {
      list = await this.readSegmentList();
    } catch (error) {
      // Without the list no segment can be trusted: every shard starts empty and is re-embedded; the
      // next commit writes a new list and removes the segments nothing names any more.
      this.problems.push(`The vector segment list was unreadable (${(error as Error).message}); vectors will be recomputed.`);
      list = { format: 2, next: Date.now(), shards: [], items: [], legacy: false, legacyFiles: [], damaged: true };
    }
    this.nextSegment = list.next;
    const shards: Shard[] = [];
    for (let s = 0; s < SHARD_COUNT; s++) {
      const segments = list.shards[s] ?? [];
      let shard: Shard;
      try {
        const acc = await this.loadAcceleration(s, await this.fingerprint(segments));
        if (typeof acc !== 'string') shard = acc;
        else {
          shard = await this.loadFromVectra(s, segments);
          if (segments.length) {
            this.rebuilt.push({ shard: s, reason: acc });
            this.dirty.add(s); // the next commit writes a fresh acceleration file
          }
        }
      } catch (error) {
        // A damaged segment is rebuilt, not fatal: the shard starts empty, its chunks count as
        // un-embedded and the next sync re-embeds them (vectors of other shards are kept).
        this.problems.push(`Vector shard ${s} was unreadable (${(error as Error).message}); its vectors will be recomputed.`);
        shard = new Shard(this.dims);
        shard.rewrite = true;
        this.dirty.add(s);
      }
      shard.segments = segments;
      shard.segmentItems = list.items[s] ?? shard.segmentItems;
      if (list.damaged) {
        shard.rewrite = true;
        this.dirty.add(s);
      }
      if (list.legacy && segments.length) {
        shard.rewrite = true; // a format-1 shard becomes a segment list at its next commit
        this.dirty.add(s);
      }
      shard.vectors.trim();
      for (let i = 0; i < shard.count; i++) this.idByHash.set(shard.hashes[i], shard.id(i));
      shards.push(shard);
    }
    this.shards = shards;
    this.legacyFiles = list.legacyFiles;
    this.sweepOrphans = list.damaged;
    this.maybeStartAnn();
  }

  /** Shards whose acceleration file was missing, damaged or stale on load, rebuilt from vectra (and why). */
  readonly rebuilt: Array<{ shard: number; reason: string }> = [];
  private nextSegment = 0;
  /** Format-1 files (one vectra file + a float32 sidecar per shard), removed at the next commit. */
  private legacyFiles: string[] = [];
  private storage: JournalStorage | undefined;
  /** The segment list was lost: the next commit removes every segment file it does not name. */
  private sweepOrphans = false;

  private async readSegmentList(): Promise<SegmentList & { legacy: boolean; legacyFiles: string[]; damaged: boolean }> {
    const bytes = await this.files.read(`${this.folder}/${SEGMENTS_FILE}`);
    if (bytes) {
      const list = JSON.parse(bytes.toString('utf8')) as Partial<SegmentList>;
      if (list.format !== 2 || !Array.isArray(list.shards) || !Array.isArray(list.items) || typeof list.next !== 'number') throw new Error('not a vector segment list');
      return { format: 2, next: list.next, shards: list.shards, items: list.items, legacy: false, legacyFiles: [], damaged: false };
    }
    // Format 1 (before segments): shard-NN.pb was the shard's one vectra file, shard-NN.f32 a sidecar.
    const shards: string[][] = [];
    const legacyFiles: string[] = [];
    for (let s = 0; s < SHARD_COUNT; s++) {
      const pb = `shard-${pad(s)}.pb`;
      shards.push((await this.files.exists(`${this.folder}/${pb}`)) ? [pb] : []);
      for (const name of [pb, `shard-${pad(s)}.f32`]) if (await this.files.exists(`${this.folder}/${name}`)) legacyFiles.push(name);
    }
    return { format: 2, next: 0, shards, items: [], legacy: legacyFiles.length > 0, legacyFiles, damaged: false };
  }

  /** What an acceleration file must have been derived from: the segments' names and registered checksums. */
  private async fingerprint(segments: readonly string[]): Promise<string> {
    const parts: string[] = [];
    for (const name of segments) parts.push(`${name}:${(await this.files.checksumOf(`${this.folder}/${name}`)) ?? 'unregistered'}`);
    return createHash('sha256').update(parts.join('\n')).digest('hex');
  }

  /** The shard from its acceleration file, or why that file cannot be used. */
  private async loadAcceleration(s: number, fingerprint: string): Promise<Shard | string> {
    const bytes = await this.files.readDerived(this.accelerationName(s)).catch(() => undefined);
    if (!bytes) return 'missing';
    try {
      return decodeAcceleration(bytes, this.dims, fingerprint);
    } catch (error) {
      return (error as Error).message;
    }
  }

  /** Rebuilds a shard from its vectra segments (LocalIndex.listItems), keeping the current items only. */
  private async loadFromVectra(s: number, segments: readonly string[]): Promise<Shard> {
    const shard = new Shard(this.dims);
    for (const name of segments) {
      const items = await (await this.segmentIndex(name)).listItems();
      for (const item of items) {
        if (item.vector.length !== this.dims) throw new Error(`vector shard ${s} holds ${item.vector.length}-d vectors, expected ${this.dims}`);
        const hash = String(item.metadata.hash);
        if (this.liveHash && this.liveHash(item.id) !== hash) continue;
        shard.put(item.id, hash, item.vector);
      }
      shard.segmentItems += items.length;
    }
    return shard;
  }

  /** One vectra segment as a LocalIndex over the journal (vectra is required lazily: ~0.4 s to load). */
  private async segmentIndex(name: string): Promise<LocalIndex> {
    const { LocalIndex } = await import('vectra');
    this.storage ??= new JournalStorage(this.files);
    return new LocalIndex(this.files.abs(this.folder), name, this.storage, await this.vectraCodec());
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

  /** vectra is required lazily: loading it costs ~0.4 s that reopening and keyword work should not pay. */
  private async vectraCodec(): Promise<IndexCodec> {
    if (!this.codec) {
      const { ProtobufCodec } = await import('vectra');
      this.codec = new ProtobufCodec();
    }
    return this.codec;
  }

  private accelerationName(s: number): string {
    return `${this.folder}/shard-${pad(s)}.acc`;
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
    s.pending.add(id);
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
    s.pending.delete(id);
    this.dirty.add(shard);
    if (this.ann) this.ann.remove(id);
    else if (this.annJob) this.annStale = true;
  }

  get hasPending(): boolean {
    return this.dirty.size > 0;
  }

  /**
   * Stages every changed shard into the journal: a new vectra segment with the vectors upserted since
   * the last commit (the whole shard when it is compacted), the segment list, and the shard's
   * acceleration file. `metaFor` gives the vectra metadata of a current chunk (undefined: not written).
   */
  async stage(metaFor: (id: string) => VectorMeta | undefined): Promise<void> {
    if (!this.isLoaded || this.dirty.size === 0) return;
    const dirty = [...this.dirty].sort((a, b) => a - b);
    this.beforeStage = {
      dirty,
      legacyFiles: this.legacyFiles,
      sweepOrphans: this.sweepOrphans,
      shards: dirty.map((s) => ({ s, segments: this.shards[s].segments, segmentItems: this.shards[s].segmentItems, pending: new Set(this.shards[s].pending), rewrite: this.shards[s].rewrite })),
    };
    this.dirty.clear();
    let listChanged = this.legacyFiles.length > 0;
    for (const s of dirty) {
      const shard = this.shards[s];
      const compact = shard.rewrite || shard.segments.length >= MAX_SEGMENTS || shard.segmentItems + shard.pending.size > 2 * shard.count + 256;
      const written: number[] = [];
      const metas: VectorMeta[] = [];
      for (let i = 0; i < shard.count; i++) {
        if (!compact && !shard.pending.has(shard.id(i))) continue;
        const metadata = metaFor(shard.id(i));
        if (!metadata) continue;
        written.push(i);
        metas.push(metadata);
      }
      const segments = compact ? [] : [...shard.segments];
      if (written.length) {
        // One transpose back to rows: gathering a row from a dimension-major matrix reads one cache
        // line per dimension, a whole set of rows at once reads each column in order.
        const matrix = shard.vectors.toRowMajor(written);
        const name = `seg-${pad(s)}-${this.nextSegment++}.pb`;
        const index = await this.segmentIndex(name);
        await index.createIndex({ version: 1 });
        // vectra's codec takes only number[] vectors (its protobuf verify rejects typed arrays), so the
        // rows of this one segment — what changed since the last commit — are copied out here, and
        // dropped as soon as it is encoded.
        await index.batchInsertItems(metas.map((metadata, j) => ({
          id: shard.id(written[j]), metadata, vector: Array.from(matrix.subarray(j * this.dims, (j + 1) * this.dims)),
        })));
        segments.push(name);
      }
      if (compact) for (const old of shard.segments) this.files.stageRemoval(`${this.folder}/${old}`);
      listChanged ||= compact || written.length > 0;
      shard.segments = segments;
      shard.segmentItems = (compact ? 0 : shard.segmentItems) + written.length;
      shard.pending.clear();
      shard.rewrite = false;
    }
    if (listChanged) {
      const list: SegmentList = { format: 2, next: this.nextSegment, shards: this.shards.map((sh) => sh.segments), items: this.shards.map((sh) => sh.segmentItems) };
      await this.files.stage(`${this.folder}/${SEGMENTS_FILE}`, JSON.stringify(list));
      for (const name of this.legacyFiles) this.files.stageRemoval(`${this.folder}/${name}`);
      this.legacyFiles = [];
    }
    if (this.sweepOrphans) {
      const named = new Set(this.shards.flatMap((sh) => sh.segments));
      const present = await fs.readdir(this.files.abs(this.folder)).catch(() => [] as string[]);
      for (const name of present) if (/^seg-\d+-\d+\.pb$/.test(name) && !named.has(name)) this.files.stageRemoval(`${this.folder}/${name}`);
      this.sweepOrphans = false;
    }
    for (const s of dirty) {
      const shard = this.shards[s];
      const rows: number[] = [];
      for (let i = 0; i < shard.count; i++) if (metaFor(shard.id(i))) rows.push(i);
      const fingerprint = await this.fingerprint(shard.segments);
      const ids = rows.map((i) => shard.id(i));
      await this.files.stageDerived(this.accelerationName(s), encodeAcceleration(this.dims, fingerprint, ids, rows.map((i) => shard.hashes[i]), shard.vectors.toRowMajor(rows)));
    }
    // the graph is not part of the commit: it is derived, saved on its own when it has drifted enough
    // from its file that reconciling on the next open would cost more than writing it now
    if (this.ann && this.ann.changedSinceSave > Math.max(1000, this.ann.size * 0.05)) void this.saveAnn();
    void this.maybeStartAnn();
  }

  /** What the last stage() changed in memory, so that a commit that failed can be retried whole. */
  private beforeStage: { dirty: number[]; legacyFiles: string[]; sweepOrphans: boolean; shards: Array<{ s: number; segments: string[]; segmentItems: number; pending: Set<string>; rewrite: boolean }> } | undefined;

  /**
   * The commit after stage() failed (its staged files were discarded): back to the state before it, so
   * the next stage() writes the same changes again (segment names are not reused).
   */
  unstage(): void {
    const before = this.beforeStage;
    if (!before) return;
    for (const { s, segments, segmentItems, pending, rewrite } of before.shards) {
      const shard = this.shards[s];
      shard.segments = segments;
      shard.segmentItems = segmentItems;
      for (const id of pending) if (shard.rowOf(id) !== undefined) shard.pending.add(id);
      shard.rewrite = rewrite;
    }
    for (const s of before.dirty) this.dirty.add(s);
    this.legacyFiles = before.legacyFiles;
    this.sweepOrphans = before.sweepOrphans;
    this.beforeStage = undefined;
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

function pad(s: number): string {
  return String(s).padStart(2, '0');
}

const ACC_MAGIC = 'KACC2\n';
const ACC_KIND_F32 = 1;

/**
 * Acceleration file: magic, u32 kind (1 = float32 rows), u32 dims, u32 count, u32 header length, JSON
 * header { fingerprint, ids, hashes }, pad to 4, row-major rows, then the SHA-256 of all of the above.
 */
function encodeAcceleration(dims: number, fingerprint: string, ids: readonly string[], hashes: readonly string[], rows: Float32Array): Buffer {
  const header = Buffer.from(JSON.stringify({ fingerprint, ids, hashes }));
  const head = Buffer.alloc(ACC_MAGIC.length + 16);
  head.write(ACC_MAGIC, 0, 'latin1');
  head.writeUInt32LE(ACC_KIND_F32, ACC_MAGIC.length);
  head.writeUInt32LE(dims, ACC_MAGIC.length + 4);
  head.writeUInt32LE(ids.length, ACC_MAGIC.length + 8);
  head.writeUInt32LE(header.length, ACC_MAGIC.length + 12);
  const pad4 = (4 - ((head.length + header.length) % 4)) % 4;
  const body = Buffer.concat([head, header, Buffer.alloc(pad4), Buffer.from(rows.buffer, rows.byteOffset, rows.byteLength)]);
  return Buffer.concat([body, createHash('sha256').update(body).digest()]);
}

/** Throws (saying why) on anything but an intact, current acceleration file of these dimensions. */
function decodeAcceleration(bytes: Buffer, dims: number, fingerprint: string): Shard {
  if (bytes.length < ACC_MAGIC.length + 16 + 32 || bytes.toString('latin1', 0, ACC_MAGIC.length) !== ACC_MAGIC) throw new Error('not an acceleration file of this format');
  const body = bytes.subarray(0, bytes.length - 32);
  if (!createHash('sha256').update(body).digest().equals(bytes.subarray(bytes.length - 32))) throw new Error('damaged (checksum)');
  if (bytes.readUInt32LE(ACC_MAGIC.length) !== ACC_KIND_F32) throw new Error('unknown kind');
  if (bytes.readUInt32LE(ACC_MAGIC.length + 4) !== dims) throw new Error('dimension mismatch');
  const count = bytes.readUInt32LE(ACC_MAGIC.length + 8);
  const headerLen = bytes.readUInt32LE(ACC_MAGIC.length + 12);
  let at = ACC_MAGIC.length + 16;
  const header = JSON.parse(bytes.toString('utf8', at, at + headerLen)) as { fingerprint: string; ids: string[]; hashes: string[] };
  if (header.fingerprint !== fingerprint) throw new Error('stale (derived from other segments)');
  at += headerLen;
  at += (4 - (at % 4)) % 4;
  if (header.ids.length !== count || header.hashes.length !== count || body.length !== at + count * dims * 4) throw new Error('truncated');
  // Row-major on disk; the scan wants dimension-major, so it is transposed here (a view when aligned).
  const start = bytes.byteOffset + at;
  const rows = start % 4 === 0
    ? new Float32Array(bytes.buffer, start, count * dims)
    : new Float32Array(bytes.buffer.slice(start, start + count * dims * 4));
  const shard = new Shard(dims, FlatVectors.fromRowMajor(dims, header.ids, rows));
  shard.hashes = header.hashes;
  return shard;
}
