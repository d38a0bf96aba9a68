/**
 * One open index: catalog + keyword index + vector shards of a set of workspace roots, in one store
 * folder. Mutations change memory first (visible to searches at once) and are persisted by persist(),
 * which publishes catalog, keyword index, manifest and touched shards in one journaled commit — so
 * whatever the disk holds is always a consistent (possibly older) index. A crash only loses work since
 * the last commit, which the next sync redoes because the catalog on disk still has the old hashes.
 *
 * Commits append: the catalog and keyword index are a snapshot plus change logs (`delta-N.json`, one
 * per commit: the new record of every changed file and the weighted terms of its new chunks), listed in
 * the manifest and replayed in order on open. A commit rewrites the snapshots instead — folding the
 * logs away — only once the logs outgrow half the snapshot (or number more than MAX_DELTAS), so the
 * bytes written over a build stay proportional to the final index rather than to commits × size.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { IndexStatus, SkippedFile } from '../../protocol';
import type { Embedder } from '../embed/types';
import { KeelError } from '../../common/errors';
import { silentLogger, type Logger } from '../log';
import { Bm25Index, documentTerms } from '../search/bm25';
import { FileLines } from './fileLines';
import { Catalog, type ChunkLocation, type ChunkRecord, type FileRecord } from './catalog';
import type { Chunk } from './chunk';
import { StoreFiles } from './storeFiles';
import { StoreLock } from './storeLock';
import { VectorStore, shardOf, type VectorMeta, type VectorStoreOptions } from './vectorStore';
import { mkdirPrivate } from '../privateFs';

const MANIFEST = 'manifest.json';
const CATALOG = 'catalog.json';
const KEYWORDS = 'keywords.bm25';
/** 2: change logs beside the snapshots (format 1, snapshots only, still opens). */
const FORMAT = 2;
/** More change logs than this and the next commit folds them into the snapshots. */
const MAX_DELTAS = 32;

interface Manifest {
  format: number;
  roots: string[];
  embedder: { id: string; dimensions: number } | null;
  updatedAt: string | null;
  skipped: SkippedFile[];
  /** Change logs on top of the snapshots, oldest first. */
  deltas?: string[];
  nextDelta?: number;
  /** Bytes of the snapshots and of the logs, to decide when to fold. */
  snapshotBytes?: number;
  deltaBytes?: number;
}

/** One commit's change to one file: its new record (null: removed) and, if re-chunked, its chunks' terms. */
interface DeltaEntry {
  root: string;
  path: string;
  record: FileRecord | null;
  terms?: Record<string, Array<[string, number]>>;
}

export interface OpenIndexOptions {
  store: string;
  roots: readonly string[];
  /** Without one the index is keyword-only (and says so in its status). */
  embedder?: Embedder;
  log?: Logger;
  /** Read-only opens (status) take no lock and never write. */
  readOnly?: boolean;
  /** Vector search tuning (nearest-neighbour graph thresholds); defaults suit the product. */
  vectors?: VectorStoreOptions;
}

export interface PendingEmbedding {
  id: string;
  text: string;
  hash: string;
  shard: number;
}

export interface ScoredChunk {
  chunk: ChunkLocation;
  score: number;
}

export class WorkspaceIndex {
  /** Things the user should know about this open (e.g. "the index was corrupt and was rebuilt"). */
  readonly notices: string[] = [];
  private dirty = false;
  private lock: StoreLock | undefined;
  /** Recently read files' lines, so re-ranked queries do not re-read and re-split whole files. */
  private readonly fileLines = new FileLines();
  /** Files changed since the last commit (`root\0path`), and those among them that were re-chunked. */
  private changedFiles = new Map<string, { root: number; path: string }>();
  private rechunked = new Set<string>();
  /** Weighted terms of chunks added since the last commit: what the next change log records. */
  private pendingTerms = new Map<string, Map<string, number>>();
  /** The snapshots must be rewritten at the next commit (new or rebuilt store, roots changed). */
  private fullSnapshot = false;

  private constructor(
    readonly store: string,
    readonly roots: readonly string[],
    readonly files: StoreFiles,
    public catalog: Catalog,
    public keywords: Bm25Index,
    readonly vectors: VectorStore | undefined,
    readonly embedder: Embedder | undefined,
    private manifest: Manifest,
    readonly log: Logger,
  ) {}

  static async open(options: OpenIndexOptions): Promise<WorkspaceIndex> {
    const store = path.resolve(options.store);
    let roots = options.roots.map((r) => path.resolve(r));
    const log = options.log ?? silentLogger;
    const files = new StoreFiles(store);
    let lock: StoreLock | undefined;
    if (!options.readOnly) {
      lock = new StoreLock(store);
      lock.acquire();
    }
    try {
      const notices: string[] = [];
      if (!options.readOnly) {
        await mkdirPrivate(store);
        const recovery = await files.recover();
        if (recovery === 'rolled-forward') notices.push('Finished an index commit interrupted by a crash.');
        if (recovery === 'rolled-back') notices.push('Discarded an index update interrupted by a crash.');
      } else {
        // No lock, no writes: read through an interrupted commit exactly as recovery would apply it.
        await files.viewForReading();
      }
      let loaded: { manifest: Manifest; catalog: Catalog; keywords: Bm25Index } | undefined;
      if (roots.length === 0) roots = await storedRoots(files); // status of a store, roots unknown to the caller
      try {
        loaded = await loadState(files, roots);
      } catch (error) {
        const message = `The index at ${store} is unreadable (${(error as Error).message}); it will be rebuilt.`;
        if (options.readOnly) throw new KeelError('INDEX_CORRUPT', message, { cause: error });
        log.warn(message);
        notices.push(message);
        await wipe(store);
        files.reset();
      }
      const manifest: Manifest = loaded?.manifest ?? { format: FORMAT, roots, embedder: null, updatedAt: null, skipped: [] };
      const embedder = options.embedder;
      if (embedder && manifest.embedder && manifest.embedder.id !== embedder.id) {
        notices.push(`Embedder changed from ${manifest.embedder.id} to ${embedder.id}: vectors will be recomputed.`);
      }
      // which vectra items are current is the catalog's answer (segments keep superseded items until compaction)
      const liveHash = (id: string): string | undefined => index.catalog.chunk(id)?.hash;
      const vectorOptions: VectorStoreOptions = options.readOnly ? { annMinRows: Infinity, liveHash } : { sparseFrom: embedder?.sparseFrom, ...options.vectors, liveHash };
      const vectors = embedder ? new VectorStore(files, vectorFolder(embedder.id), embedder.dimensions, vectorOptions) : undefined;
      const index: WorkspaceIndex = new WorkspaceIndex(
        store, roots, files, loaded?.catalog ?? new Catalog(roots), loaded?.keywords ?? new Bm25Index(),
        vectors, embedder, { ...manifest, roots }, log,
      );
      index.lock = lock;
      index.notices.push(...notices);
      if (!loaded && !options.readOnly) index.dirty = true;
      index.fullSnapshot = !loaded || loaded.manifest.roots.join('\0') !== roots.join('\0');
      return index;
    } catch (error) {
      lock?.release();
      throw error;
    }
  }

  get isDirty(): boolean {
    return this.dirty || (this.vectors?.hasPending ?? false) || this.files.hasStaged;
  }

  get skipped(): readonly SkippedFile[] {
    return this.manifest.skipped;
  }

  setSkipped(skipped: SkippedFile[]): void {
    this.manifest.skipped = skipped;
    this.dirty = true;
  }

  /** Replaces what the index knows about a file with its new chunks; returns the chunks needing vectors. */
  putFile(root: number, rel: string, file: { size: number; mtimeMs: number; hash: string }, chunks: readonly Chunk[]): PendingEmbedding[] {
    this.removeFile(root, rel);
    const prefix = fileKey(root, rel);
    const shard = shardOf(root, rel);
    const records: ChunkRecord[] = [];
    const pending: PendingEmbedding[] = [];
    chunks.forEach((c, i) => {
      const id = `${prefix}.${i}`;
      records.push({ id, startLine: c.startLine, endLine: c.endLine, symbol: c.symbol, language: c.language, hash: c.hash });
      const terms = documentTerms({ text: c.text, symbol: c.symbol, path: rel }, this.keywords.symbolBoost, this.keywords.pathBoost);
      this.keywords.addTerms(id, terms);
      this.pendingTerms.set(id, terms);
      pending.push({ id, text: c.text, hash: c.hash, shard });
    });
    this.catalog.set(root, rel, { ...file, chunks: records });
    this.noteChange(root, rel, true);
    this.dirty = true;
    return pending;
  }

  /** Chunks of an unchanged file that still lack a vector (after a crash, or an embedder change). */
  missingVectors(root: number, rel: string, chunks: readonly Chunk[]): PendingEmbedding[] {
    const record = this.catalog.get(root, rel);
    if (!record || !this.vectors) return [];
    const shard = shardOf(root, rel);
    const out: PendingEmbedding[] = [];
    record.chunks.forEach((r, i) => {
      const c = chunks[i];
      if (!c || c.hash !== r.hash || this.vectors!.has(r.id, r.hash)) return;
      out.push({ id: r.id, text: c.text, hash: c.hash, shard });
    });
    return out;
  }

  /** True if every chunk of the file has its vector (or there is no embedder). */
  fullyEmbedded(root: number, rel: string): boolean {
    const record = this.catalog.get(root, rel);
    if (!record) return false;
    return !this.vectors || record.chunks.every((c) => this.vectors!.has(c.id, c.hash));
  }

  touchFile(root: number, rel: string, size: number, mtimeMs: number): void {
    const record = this.catalog.get(root, rel);
    if (!record || (record.size === size && record.mtimeMs === mtimeMs)) return;
    record.size = size;
    record.mtimeMs = mtimeMs;
    this.noteChange(root, rel, false);
    this.dirty = true;
  }

  removeFile(root: number, rel: string): boolean {
    const old = this.catalog.delete(root, rel);
    if (!old) return false;
    const shard = shardOf(root, rel);
    for (const c of old.chunks) {
      this.keywords.remove(c.id);
      this.pendingTerms.delete(c.id);
      this.vectors?.remove(shard, c.id);
    }
    this.noteChange(root, rel, true);
    this.dirty = true;
    return true;
  }

  private noteChange(root: number, rel: string, rechunked: boolean): void {
    const key = `${root}\0${rel}`;
    this.changedFiles.set(key, { root, path: rel });
    if (rechunked) this.rechunked.add(key);
  }

  /** This commit's change log: every changed file's record, and the terms of re-chunked files' chunks. */
  private changeLog(): string {
    const entries: DeltaEntry[] = [];
    for (const [key, { root, path: rel }] of this.changedFiles) {
      const record = this.catalog.get(root, rel) ?? null;
      const entry: DeltaEntry = { root: this.roots[root], path: rel, record };
      if (record && this.rechunked.has(key)) {
        entry.terms = {};
        for (const c of record.chunks) {
          const terms = this.pendingTerms.get(c.id);
          if (!terms) throw new KeelError('INTERNAL', `no terms recorded for re-chunked ${rel}`);
          entry.terms[c.id] = [...terms];
        }
      }
      entries.push(entry);
    }
    return JSON.stringify({ format: 1, entries });
  }

  /** Stores vectors for pending chunks, reusing known vectors by chunk hash. */
  async embed(pending: readonly PendingEmbedding[], signal?: AbortSignal): Promise<{ embedded: number; reused: number }> {
    if (!this.vectors || !this.embedder || pending.length === 0) return { embedded: 0, reused: 0 };
    await this.vectors.load();
    const todo: PendingEmbedding[] = [];
    let reused = 0;
    for (const p of pending) {
      if (this.catalog.chunk(p.id)?.hash !== p.hash) continue; // superseded meanwhile
      const known = this.vectors.vectorFor(p.hash);
      if (known) {
        this.vectors.upsert(p.shard, p.id, known, p.hash);
        reused++;
      } else {
        todo.push(p);
      }
    }
    if (todo.length) {
      const vectors = await this.embedder.embed(todo.map((p) => p.text), signal);
      todo.forEach((p, i) => {
        if (this.catalog.chunk(p.id)?.hash === p.hash) this.vectors!.upsert(p.shard, p.id, vectors[i], p.hash);
      });
    }
    return { embedded: todo.length, reused };
  }

  /** Publishes all changes in one atomic commit. */
  async persist(): Promise<void> {
    if (!this.isDirty) return;
    if (!this.lock) throw new KeelError('INTERNAL', 'persist() on a read-only index');
    this.manifest = {
      ...this.manifest,
      format: FORMAT,
      roots: [...this.roots],
      embedder: this.embedder ? { id: this.embedder.id, dimensions: this.embedder.dimensions } : this.manifest.embedder,
      updatedAt: new Date().toISOString(),
    };
    this.dirty = false;
    const before = this.manifest;
    try {
      if (this.vectors) await this.vectors.stage((id) => this.vectorMeta(id));
      const deltas = before.deltas ?? [];
      const log = this.fullSnapshot ? undefined : Buffer.from(this.changeLog());
      const deltaBytes = (before.deltaBytes ?? 0) + (log?.length ?? 0);
      if (!log || deltas.length >= MAX_DELTAS || deltaBytes > (before.snapshotBytes ?? 0) / 2) {
        const catalog = Buffer.from(this.catalog.serialize());
        const keywords = this.keywords.serialize();
        await this.files.stage(CATALOG, catalog);
        await this.files.stage(KEYWORDS, keywords);
        for (const name of deltas) this.files.stageRemoval(name);
        this.manifest = { ...this.manifest, deltas: [], snapshotBytes: catalog.length + keywords.length, deltaBytes: 0 };
      } else if (this.changedFiles.size > 0) {
        const next = before.nextDelta ?? 0;
        const name = `delta-${next}.json`;
        await this.files.stage(name, log);
        this.manifest = { ...this.manifest, deltas: [...deltas, name], nextDelta: next + 1, deltaBytes };
      }
      await this.files.stage(MANIFEST, JSON.stringify(this.manifest));
      await this.files.commit();
    } catch (error) {
      this.dirty = true;
      this.vectors?.unstage();
      this.manifest = { ...this.manifest, deltas: before.deltas, nextDelta: before.nextDelta, snapshotBytes: before.snapshotBytes, deltaBytes: before.deltaBytes };
      await this.files.discard().catch(() => undefined);
      throw error;
    }
    this.changedFiles.clear();
    this.rechunked.clear();
    this.pendingTerms.clear();
    this.fullSnapshot = false;
    if (this.vectors) await removeOtherVectorFolders(this.store, vectorFolder(this.embedder!.id));
  }

  keywordSearch(query: string | ReadonlyMap<string, number>, k: number, filter?: (chunk: ChunkLocation) => boolean): ScoredChunk[] {
    const hits = this.keywords.search(query, k, filter && ((id) => {
      const c = this.catalog.chunk(id);
      return c !== undefined && filter(c);
    }));
    return hits.flatMap((h) => {
      const chunk = this.catalog.chunk(h.docId);
      return chunk ? [{ chunk, score: h.score }] : [];
    });
  }

  /** BM25 with each file's chunks scored together as one document (Bm25Index.searchGroups), keyed `root:path`. */
  fileKeywordSearch(query: string | ReadonlyMap<string, number>, k: number, filter?: (chunk: ChunkLocation) => boolean): Array<{ key: string; score: number }> {
    const hits = this.keywords.searchGroups(query, k, this.fileOfChunk, filter && ((id) => {
      const c = this.catalog.chunk(id);
      return c !== undefined && filter(c);
    }));
    return hits.map((h) => ({ key: h.group, score: h.score }));
  }

  /** One function object, so the BM25 index keeps its chunk → file grouping between queries. */
  private readonly fileOfChunk = (id: string): string | undefined => {
    const c = this.catalog.chunk(id);
    return c && `${c.root}:${c.path}`;
  };

  private vectorMeta(id: string): VectorMeta | undefined {
    const c = this.catalog.chunk(id);
    return c && { root: c.root, path: c.path, startLine: c.startLine, endLine: c.endLine, symbol: c.symbol, language: c.language, hash: c.hash };
  }

  /** Vector search; empty if the index has no embedder. `filter` is applied inside the scan: k hits that pass it. */
  async vectorSearch(query: string | ArrayLike<number>, k: number, signal?: AbortSignal, filter?: (chunk: ScoredChunk['chunk']) => boolean): Promise<ScoredChunk[]> {
    if (!this.vectors || !this.embedder) return [];
    const vector = typeof query === 'string' ? (await this.embedder.embed([query], signal))[0] : query;
    const keep = filter && ((id: string): boolean => {
      const chunk = this.catalog.chunk(id);
      return chunk !== undefined && filter(chunk);
    });
    const hits = await this.vectors.query(vector, k, keep);
    return hits.flatMap((h) => {
      const chunk = this.catalog.chunk(h.id);
      return chunk ? [{ chunk, score: h.score }] : [];
    });
  }

  absolutePath(chunk: { root: number; path: string }): string {
    return path.join(this.roots[chunk.root], ...chunk.path.split('/'));
  }

  /** The chunk's current text, read from the workspace (the index does not keep texts). */
  async readChunkText(chunk: ChunkLocation): Promise<string | undefined> {
    return this.fileLines.slice(this.absolutePath(chunk), chunk.startLine, chunk.endLine);
  }

  async status(): Promise<IndexStatus> {
    return {
      store: this.store,
      roots: [...this.roots],
      files: this.catalog.fileCount,
      chunks: this.catalog.chunkCount,
      bytes: await folderBytes(this.store),
      embedder: this.manifest.embedder?.id ?? null,
      lastUpdated: this.manifest.updatedAt,
      skipped: [...this.manifest.skipped],
    };
  }

  /** Persists what is pending and releases the store lock. */
  async close(): Promise<void> {
    try {
      if (this.lock) await this.persist();
    } finally {
      await this.vectors?.stopAnn();
      this.lock?.release();
      this.lock = undefined;
    }
  }
}

async function storedRoots(files: StoreFiles): Promise<string[]> {
  try {
    const manifest = JSON.parse((await files.read(MANIFEST))?.toString('utf8') ?? '{}') as Partial<Manifest>;
    return Array.isArray(manifest.roots) ? manifest.roots : [];
  } catch {
    return [];
  }
}

async function loadState(files: StoreFiles, roots: readonly string[]): Promise<{ manifest: Manifest; catalog: Catalog; keywords: Bm25Index } | undefined> {
  const manifestBytes = await files.read(MANIFEST);
  if (!manifestBytes) {
    if (await files.exists(CATALOG)) throw new Error('manifest missing');
    return undefined; // a new store
  }
  const manifest = JSON.parse(manifestBytes.toString('utf8')) as Manifest;
  if (manifest.format !== FORMAT && manifest.format !== 1) throw new Error(`unsupported index format ${manifest.format}`);
  const catalogBytes = await files.read(CATALOG);
  const keywordBytes = await files.read(KEYWORDS);
  if (!catalogBytes || !keywordBytes) throw new Error('catalog or keyword index missing');
  const catalog = Catalog.deserialize(catalogBytes.toString('utf8'), roots);
  const keywords = Bm25Index.deserialize(keywordBytes);
  if (!Array.isArray(manifest.skipped)) manifest.skipped = [];
  manifest.snapshotBytes ??= catalogBytes.length + keywordBytes.length;
  for (const name of manifest.deltas ?? []) {
    const bytes = await files.read(name);
    if (!bytes) throw new Error(`change log ${name} missing`);
    replayChangeLog(bytes, roots, catalog, keywords);
  }
  return { manifest, catalog, keywords };
}

/** Applies one commit's change log to the catalog and keyword index read so far. */
function replayChangeLog(bytes: Buffer, roots: readonly string[], catalog: Catalog, keywords: Bm25Index): void {
  const log = JSON.parse(bytes.toString('utf8')) as { format?: number; entries?: DeltaEntry[] };
  if (log.format !== 1 || !Array.isArray(log.entries)) throw new Error('not a Keel change log');
  for (const entry of log.entries) {
    const root = roots.indexOf(entry.root);
    if (root < 0) continue; // a root that is no longer open
    if (entry.record === null || entry.terms) {
      const old = catalog.delete(root, entry.path);
      for (const c of old?.chunks ?? []) keywords.remove(c.id);
    }
    if (entry.record === null) continue;
    if (!Array.isArray(entry.record.chunks)) throw new Error(`bad change log entry for ${entry.path}`);
    catalog.set(root, entry.path, entry.record);
    if (entry.terms) {
      for (const c of entry.record.chunks) {
        const terms = entry.terms[c.id];
        if (!Array.isArray(terms)) throw new Error(`change log lacks the terms of ${c.id}`);
        keywords.addTerms(c.id, new Map(terms));
      }
    }
  }
}

/** Chunk-id prefix of a file: short, stable, and the same in catalog, keyword index and vectors. */
export function fileKey(root: number, rel: string): string {
  return createHash('sha1').update(`${root}:${rel}`).digest('hex').slice(0, 12);
}

function vectorFolder(embedderId: string): string {
  return `vectors-${embedderId.replace(/[^A-Za-z0-9._-]+/g, '_')}`;
}

async function removeOtherVectorFolders(store: string, keep: string): Promise<void> {
  for (const entry of await fs.readdir(store)) {
    if (entry.startsWith('vectors-') && entry !== keep) await fs.rm(path.join(store, entry), { recursive: true, force: true });
  }
}

async function wipe(store: string): Promise<void> {
  for (const entry of await fs.readdir(store)) {
    if (entry !== 'lock') await fs.rm(path.join(store, entry), { recursive: true, force: true });
  }
}

async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) total += await folderBytes(p);
    else total += await fs.stat(p).then((s) => s.size, () => 0);
  }
  return total;
}
