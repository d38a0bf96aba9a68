/**
 * Approximate nearest-neighbour graph (HNSW, from the `usearch` native library) over the chunk vectors:
 * a derived acceleration file, never a store of record. The vectors' store of record is the vectra
 * shards (vectorStore.ts); this graph only proposes candidates, which the store re-scores exactly
 * against its float32 rows, so a stale or lossy graph can cost recall, never a wrong score.
 *
 * Why usearch: its npm package ships prebuilt N-API binaries for linux-x64/arm64 and macOS (it installs
 * offline with no compiler), takes typed arrays (no per-vector JS arrays), and can quantise the copy it
 * keeps. hnswlib-node was tried too: it compiles from source at install (node-gyp) and takes number[].
 *
 * Never trusted blindly: the graph file is saved beside a small meta file holding the key → (chunk id,
 * content hash) table and the file's SHA-256. On load the checksum is verified before the native code
 * reads the file, and the table is reconciled against the live vectors: keys whose chunk is gone or
 * re-embedded are removed, live vectors missing from the graph are added. A file that fails any check
 * is discarded and rebuilt from the store.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { Index } from 'usearch';
import { PRIVATE_FILE } from '../privateFs';

type Usearch = typeof import('usearch');

let native: Promise<Usearch | undefined> | undefined;
let loadProblem: string | undefined;

/** The native module, or undefined on a platform without a prebuilt binary (the exact scan then serves). */
export function loadUsearch(): Promise<Usearch | undefined> {
  native ??= import('usearch').then(
    (m) => m as Usearch,
    (error: Error) => {
      loadProblem = error.message;
      return undefined;
    },
  );
  return native;
}

export function usearchProblem(): string | undefined {
  return loadProblem;
}

const META_FORMAT = 1;

interface GraphMeta {
  format: number;
  dims: number;
  connectivity: number;
  quantization: string;
  sha256: string;
  ids: string[];
  hashes: string[];
}

export interface AnnSettings {
  /** Links per node (HNSW M). */
  connectivity: number;
  /** Beam width while inserting. */
  expansionAdd: number;
  /** Beam width while searching. */
  expansionSearch: number;
  /** Scalar type of the graph's own copy of the vectors (candidates are re-scored in float32). */
  quantization: 'f32' | 'f16' | 'i8';
}

/**
 * Chosen by test/bench/annTune.bench.ts on real chunks (58.5k, node_modules sources) with the 401
 * re-ranker training questions, then reported on the 721 retrieval-set questions (12 settings tried):
 * connectivity 16 → 32 raised recall@10 at 100 re-scored candidates from 0.958 to 0.971; the beam, not the
 * re-scoring, was what was missing — beam 400 with 100 candidates gave 0.9945 (train) at about a third of
 * the exact scan's CPU, where 400 re-scored candidates cost 2.4× more. The graph's own copy of the
 * vectors in int8 recalls as well as in f16 at that beam (candidates are re-scored in float32 anyway)
 * and makes the graph file 788 instead of 1,300 bytes a chunk.
 */
export const DEFAULT_ANN: AnnSettings = { connectivity: 32, expansionAdd: 128, expansionSearch: 400, quantization: 'i8' };

export class AnnGraph {
  /** Chunk id and content hash per key; '' marks a removed key (keys are never reused). */
  private ids: string[] = [];
  private hashes: string[] = [];
  private keyOf = new Map<string, number>();
  /** Keys changed since the file was last saved. */
  changedSinceSave = 0;

  private constructor(readonly dims: number, readonly settings: AnnSettings, private index: Index) {
    this.expansion = settings.expansionSearch;
  }

  static async create(dims: number, settings: AnnSettings = DEFAULT_ANN): Promise<AnnGraph | undefined> {
    const u = await loadUsearch();
    if (!u) return undefined;
    const index = new u.Index({
      dimensions: dims,
      metric: 'ip' as never, // rows and queries are unit length: inner product = cosine
      quantization: settings.quantization as never,
      connectivity: settings.connectivity,
      expansion_add: settings.expansionAdd,
      expansion_search: settings.expansionSearch,
      multi: false,
    });
    return new AnnGraph(dims, settings, index);
  }

  get size(): number {
    return this.keyOf.size;
  }

  /** The content hash the graph holds for `id`, if any. */
  hashOf(id: string): string | undefined {
    const key = this.keyOf.get(id);
    return key === undefined ? undefined : this.hashes[key];
  }

  /** Every chunk id in the graph. */
  *entries(): IterableIterator<string> {
    yield* this.keyOf.keys();
  }

  /** Adds rows (row-major, unit length) under fresh keys; an id already present is replaced. */
  addMany(ids: readonly string[], hashes: readonly string[], rows: Float32Array): void {
    if (ids.length === 0) return;
    const keys = new BigUint64Array(ids.length);
    for (let j = 0; j < ids.length; j++) {
      this.remove(ids[j]);
      const key = this.ids.length;
      this.ids.push(ids[j]);
      this.hashes.push(hashes[j]);
      this.keyOf.set(ids[j], key);
      keys[j] = BigInt(key);
    }
    this.index.add(keys, rows, 0);
    this.changedSinceSave += ids.length;
  }

  remove(id: string): void {
    const key = this.keyOf.get(id);
    if (key === undefined) return;
    this.index.remove(BigInt(key));
    this.keyOf.delete(id);
    this.ids[key] = '';
    this.hashes[key] = '';
    this.changedSinceSave++;
  }

  /**
   * Beam width of a search: usearch walks max(its expansion_search, k) candidates, so asking it for this
   * many and keeping the best `n` is the same search — and lets the beam change without rebuilding.
   */
  expansion: number;

  /** Ids of the (approximately) `n` nearest rows to a unit-length query, best first by the graph's own scores. */
  search(query: Float32Array, n: number): string[] {
    if (this.keyOf.size === 0) return [];
    const matches = this.index.search(query, Math.min(Math.max(n, this.expansion), this.keyOf.size), 0);
    const out: string[] = [];
    for (const key of matches.keys) {
      const id = this.ids[Number(key)];
      if (id) out.push(id);
      if (out.length === n) break;
    }
    return out;
  }

  /** Writes graph + meta atomically enough for a derived file: any torn or mismatched pair is rejected on load. */
  async save(dir: string, name: string): Promise<void> {
    const graphFile = path.join(dir, `${name}.usearch`);
    const tmp = `${graphFile}.tmp`;
    await fs.mkdir(dir, { recursive: true });
    // the graph holds (quantised) vectors of private code: owner-only, like every file of the store
    await fs.writeFile(tmp, '', { mode: PRIVATE_FILE });
    this.index.save(tmp);
    await fs.chmod(tmp, PRIVATE_FILE);
    const bytes = await fs.readFile(tmp);
    const meta: GraphMeta = {
      format: META_FORMAT,
      dims: this.dims,
      connectivity: this.settings.connectivity,
      quantization: this.settings.quantization,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      // compacted: removed keys are dropped by renumbering on the next load
      ids: this.ids,
      hashes: this.hashes,
    };
    await fs.rename(tmp, graphFile);
    const metaFile = path.join(dir, `${name}.meta.json`);
    await fs.writeFile(`${metaFile}.tmp`, JSON.stringify(meta), { mode: PRIVATE_FILE });
    await fs.rename(`${metaFile}.tmp`, metaFile);
    this.changedSinceSave = 0;
  }

  /** The saved graph if its meta and checksum match these settings; undefined (never an error) otherwise. */
  static async load(dir: string, name: string, dims: number, settings: AnnSettings = DEFAULT_ANN): Promise<AnnGraph | undefined> {
    try {
      const meta = JSON.parse(await fs.readFile(path.join(dir, `${name}.meta.json`), 'utf8')) as GraphMeta;
      if (meta.format !== META_FORMAT || meta.dims !== dims || meta.connectivity !== settings.connectivity || meta.quantization !== settings.quantization) return undefined;
      if (!Array.isArray(meta.ids) || !Array.isArray(meta.hashes) || meta.ids.length !== meta.hashes.length) return undefined;
      const graphFile = path.join(dir, `${name}.usearch`);
      const bytes = await fs.readFile(graphFile);
      if (createHash('sha256').update(bytes).digest('hex') !== meta.sha256) return undefined;
      const graph = await AnnGraph.create(dims, settings);
      if (!graph) return undefined;
      graph.index.load(graphFile);
      graph.ids = meta.ids;
      graph.hashes = meta.hashes;
      meta.ids.forEach((id, key) => id && graph.keyOf.set(id, key));
      if (graph.index.size() < graph.keyOf.size) return undefined;
      return graph;
    } catch {
      return undefined;
    }
  }

  static async discard(dir: string, name: string): Promise<void> {
    for (const f of [`${name}.usearch`, `${name}.meta.json`, `${name}.usearch.tmp`, `${name}.meta.json.tmp`]) {
      await fs.rm(path.join(dir, f), { force: true });
    }
  }
}
