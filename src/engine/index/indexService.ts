/**
 * The engine's open indexes, shared as a service so that search and chat get the same in-memory index
 * the indexer keeps fresh (`engine.services.get(IndexServiceKey).forPath(root)`). It serialises writers
 * per index, coalesces file events, persists lazily after live updates (a crash then loses nothing that
 * the next start's hash diff would not redo), and closes everything on engine shutdown.
 */
import * as path from 'node:path';
import { BufferOverlay } from '../workspace/buffers';
import { countSkipKinds } from '../workspace/fileGuard';
import type { IndexBuildParams, IndexStatus, IndexSummary, IndexUpdateParams, IndexUpdateResult, IndexProgress } from '../../protocol';
import type { Embedder } from '../embed/types';
import { KeelError } from '../../common/errors';
import type { Logger } from '../log';
import { serviceKey } from '../services';
import { syncIndex, type SyncOptions } from './indexer';
import { applyFileChanges } from './liveUpdates';
import { defaultStoreDir } from './storeLocation';
import { UpdateQueue } from './updateQueue';
import { WorkspaceIndex } from './workspaceIndex';

export interface IndexServiceOptions {
  log: Logger;
  /** The editor's per-workspace storage folder; the CLI has none and uses the user cache dir. */
  storageDir?: string;
  /** Resolves an embedder id (undefined: the configured default). Throwing means keyword-only. */
  embedderFor: (id: string | undefined) => Embedder;
  /** Delay before a live update is written to disk. */
  persistDelayMs?: number;
  debounceMs?: number;
}

interface OpenEntry {
  index: WorkspaceIndex;
  /** Serialises writers (build, live updates, persist) on this index. */
  chain: Promise<unknown>;
  queue: UpdateQueue<IndexUpdateResult>;
  syncOptions: Omit<SyncOptions, 'signal' | 'onProgress'>;
  persistTimer?: NodeJS.Timeout;
}

const DEFAULT_MAX_FILE_KB = 1024;

export class IndexService {
  /** The editor's unsaved buffers (`buffers/sync`): live updates, search and chat read them before the disk. */
  readonly buffers = new BufferOverlay();
  private readonly open = new Map<string, OpenEntry>();
  /** Opens in flight, by store. */
  private readonly opening = new Map<string, Promise<OpenEntry>>();

  constructor(private readonly options: IndexServiceOptions) {}

  storeFor(roots: readonly string[], store?: string): string {
    if (store) return path.resolve(store);
    if (this.options.storageDir) return path.join(this.options.storageDir, 'index');
    return defaultStoreDir(roots[0]);
  }

  /** Builds or incrementally updates the index of `params.roots`. */
  async build(params: IndexBuildParams, signal?: AbortSignal, onProgress?: (p: IndexProgress) => void): Promise<IndexSummary & { notices: string[] }> {
    const roots = validateRoots(params.roots);
    const maxKB = params.maxFileSizeKB ?? DEFAULT_MAX_FILE_KB;
    if (typeof maxKB !== 'number' || !(maxKB > 0)) throw new KeelError('INVALID_PARAMS', '`maxFileSizeKB` must be a positive number.');
    if (params.exclude !== undefined && (!Array.isArray(params.exclude) || params.exclude.some((e) => typeof e !== 'string'))) {
      throw new KeelError('INVALID_PARAMS', '`exclude` must be an array of .gitignore patterns.');
    }
    const entry = await this.openIndex(roots, params.store, params.embedder);
    if (params.followSymlinksOutside !== undefined && typeof params.followSymlinksOutside !== 'boolean') {
      throw new KeelError('INVALID_PARAMS', '`followSymlinksOutside` must be a boolean.');
    }
    if (params.includeGenerated !== undefined && typeof params.includeGenerated !== 'boolean') {
      throw new KeelError('INVALID_PARAMS', '`includeGenerated` must be a boolean.');
    }
    entry.syncOptions = {
      maxFileSizeBytes: maxKB * 1024, exclude: params.exclude, followSymlinksOutside: params.followSymlinksOutside === true,
      includeGenerated: params.includeGenerated === true,
    };
    const result = await this.exclusive(entry, () => syncIndex(entry.index, { ...entry.syncOptions, signal, onProgress }));
    this.options.log.info(
      `indexed ${result.files} files / ${result.chunks} chunks in ${result.ms} ms (changed ${result.changed}, removed ${result.removed}, embedded ${result.embedded}, reused ${result.reused})`,
    );
    return {
      files: result.files, chunks: result.chunks, skipped: result.skipped, ms: result.ms, skippedReasons: result.skippedReasons,
      notices: [...entry.index.notices],
    };
  }

  /** Queues file events; resolves when the coalesced batch they joined is searchable. */
  async update(params: IndexUpdateParams): Promise<IndexUpdateResult> {
    if (!Array.isArray(params?.changed) || !Array.isArray(params?.deleted)) {
      throw new KeelError('INVALID_PARAMS', 'index/update needs `changed` and `deleted` arrays of absolute paths.');
    }
    const entry = params.store ? this.open.get(path.resolve(params.store)) : this.open.values().next().value;
    if (!entry) throw new KeelError('INDEX_NOT_FOUND', 'No index is open; run index/build first.');
    return entry.queue.push({ changed: params.changed, deleted: params.deleted });
  }

  async status(params: { store?: string; roots?: string[] }): Promise<IndexStatus> {
    const roots = params.roots?.length ? validateRoots(params.roots) : undefined;
    const store = params.store ? path.resolve(params.store) : roots ? this.storeFor(roots) : this.open.keys().next().value;
    if (!store) throw new KeelError('INDEX_NOT_FOUND', 'No index is open and no store was given.');
    const entry = this.open.get(store);
    if (entry) return withReasons(await entry.index.status());
    const index = await WorkspaceIndex.open({ store, roots: roots ?? [], readOnly: true, log: this.options.log }).catch((error) => {
      throw error instanceof KeelError ? error : new KeelError('INDEX_NOT_FOUND', `No index at ${store}.`, { cause: error });
    });
    const status = await index.status();
    if (status.lastUpdated === null) throw new KeelError('INDEX_NOT_FOUND', `No index at ${store}; run \`keel index\` first.`);
    return withReasons(status);
  }

  /** The open index whose roots contain `fsPath` (a file or a root), for search and chat. */
  forPath(fsPath: string): WorkspaceIndex | undefined {
    const abs = path.resolve(fsPath);
    for (const { index } of this.open.values()) {
      if (index.roots.some((r) => abs === r || abs.startsWith(`${r}${path.sep}`))) return index;
    }
    return undefined;
  }

  /** Opens (without syncing) the index of `roots`, e.g. for a search in a fresh CLI process. */
  async openFor(roots: string[], store?: string, embedder?: string): Promise<WorkspaceIndex> {
    return (await this.openIndex(validateRoots(roots), store, embedder)).index;
  }

  /**
   * The index once any build or update already running on it has finished. A question asked during
   * the editor's first build must not search a half-written index (its catalog fills before its
   * keyword and vector parts are written) and answer "nothing matched".
   */
  async settledFor(roots: string[], store?: string, embedder?: string): Promise<WorkspaceIndex> {
    const entry = await this.openIndex(validateRoots(roots), store, embedder);
    await this.exclusive(entry, async () => undefined);
    return entry.index;
  }

  /**
   * `index` (already open) once the build or update running on it now has finished. The editor's
   * first build opens the index at once and fills it over seconds: a question asked meanwhile finds
   * the index open (forPath) but still empty, so it has to wait here rather than search it.
   */
  async settled(index: WorkspaceIndex): Promise<WorkspaceIndex> {
    const entry = [...this.open.values()].find((e) => e.index === index);
    if (entry) await this.exclusive(entry, async () => undefined);
    return entry && this.open.get(entry.index.store) === entry ? entry.index : (this.forPath(index.roots[0]) ?? index);
  }

  async closeAll(): Promise<void> {
    for (const [store, entry] of this.open) {
      if (entry.persistTimer) clearTimeout(entry.persistTimer);
      await entry.queue.flush();
      await this.exclusive(entry, () => entry.index.close()).catch((error: Error) =>
        this.options.log.error(`closing index ${store} failed: ${error.message}`),
      );
    }
    this.open.clear();
  }

  private async openIndex(roots: string[], storeParam: string | undefined, embedderId: string | undefined): Promise<OpenEntry> {
    const store = this.storeFor(roots, storeParam);
    // One open per store at a time. The editor's first build and a question typed right after it
    // both arrive here before either has opened the store; the second must wait and share the first's
    // index, not open the store again (its lock would refuse: INDEX_LOCKED).
    for (let pending = this.opening.get(store); pending; pending = this.opening.get(store)) await pending.catch(() => undefined);
    const existing = this.open.get(store);
    if (existing && sameRoots(existing.index.roots, roots) && (!embedderId || existing.index.embedder?.id === embedderId)) return existing;
    const opening = this.reopen(store, roots, embedderId, existing);
    this.opening.set(store, opening);
    try {
      return await opening;
    } finally {
      if (this.opening.get(store) === opening) this.opening.delete(store);
    }
  }

  private async reopen(store: string, roots: string[], embedderId: string | undefined, existing: OpenEntry | undefined): Promise<OpenEntry> {
    const embedder = await this.resolveEmbedder(embedderId);
    if (existing) {
      await existing.queue.flush();
      await this.exclusive(existing, () => existing.index.close());
      this.open.delete(store);
    }
    const index = await WorkspaceIndex.open({ store, roots, embedder, log: this.options.log });
    for (const notice of index.notices) this.options.log.warn(notice);
    const entry: OpenEntry = {
      index,
      chain: Promise.resolve(),
      syncOptions: { maxFileSizeBytes: DEFAULT_MAX_FILE_KB * 1024 },
      queue: new UpdateQueue(
        (batch) => this.exclusive(entry, async () => {
          const result = await applyFileChanges(index, batch, { ...entry.syncOptions, overlay: this.buffers });
          this.schedulePersist(entry);
          return result;
        }),
        { debounceMs: this.options.debounceMs },
      ),
    };
    this.open.set(store, entry);
    return entry;
  }

  /** The embedder, probed once: a model that cannot load makes the index keyword-only, not broken. */
  private async resolveEmbedder(id: string | undefined): Promise<Embedder | undefined> {
    try {
      const embedder = this.options.embedderFor(id);
      await embedder.embed(['keel']);
      return embedder;
    } catch (error) {
      if (id) throw error; // an explicitly requested embedder that cannot be built is the caller's error
      this.options.log.warn(`No embedder available (${(error as Error).message}); the index will be keyword-only.`);
      return undefined;
    }
  }

  private schedulePersist(entry: OpenEntry): void {
    if (entry.persistTimer) clearTimeout(entry.persistTimer);
    entry.persistTimer = setTimeout(() => {
      entry.persistTimer = undefined;
      void this.exclusive(entry, () => entry.index.persist()).catch((error: Error) =>
        this.options.log.error(`persisting the index failed: ${error.message}`),
      );
    }, this.options.persistDelayMs ?? 1000);
    entry.persistTimer.unref?.();
  }

  private exclusive<T>(entry: OpenEntry, fn: () => Promise<T>): Promise<T> {
    const run = entry.chain.then(fn, fn);
    entry.chain = run.catch(() => undefined);
    return run;
  }
}

export const IndexServiceKey = serviceKey<IndexService>('index');

function validateRoots(roots: unknown): string[] {
  if (!Array.isArray(roots) || roots.length === 0 || roots.some((r) => typeof r !== 'string' || r === '')) {
    throw new KeelError('INVALID_PARAMS', '`roots` must be a non-empty array of folder paths.');
  }
  return roots.map((r: string) => path.resolve(r));
}

function sameRoots(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((r, i) => r === b[i]);
}

function withReasons(status: IndexStatus): IndexStatus {
  return { ...status, skippedReasons: countSkipKinds(status.skipped) };
}
