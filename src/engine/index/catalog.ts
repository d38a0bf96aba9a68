/**
 * The catalog: for every indexed file, what it looked like (size, mtime, content hash) and which
 * chunks it produced. It is the source of truth for freshness (a file whose size and mtime are
 * unchanged is not re-read; one whose content hash is unchanged is not re-chunked) and it resolves a
 * chunk id from either retriever back to a path and line range. Chunk texts are not stored: they are
 * read back from the workspace on demand, which keeps the heap small.
 */

export interface ChunkRecord {
  id: string;
  startLine: number;
  endLine: number;
  symbol: string;
  language: string;
  hash: string;
}

export interface FileRecord {
  size: number;
  mtimeMs: number;
  hash: string;
  chunks: ChunkRecord[];
}

export interface ChunkLocation extends ChunkRecord {
  root: number;
  path: string;
}

interface CatalogJson {
  format: 1;
  roots: string[];
  files: Array<Record<string, FileRecord>>;
}

export class Catalog {
  private files: Array<Map<string, FileRecord>>;
  private byChunk = new Map<string, { root: number; path: string; record: ChunkRecord }>();

  constructor(readonly roots: readonly string[]) {
    this.files = roots.map(() => new Map());
  }

  get fileCount(): number {
    return this.files.reduce((n, m) => n + m.size, 0);
  }

  get chunkCount(): number {
    return this.byChunk.size;
  }

  get(root: number, path: string): FileRecord | undefined {
    return this.files[root]?.get(path);
  }

  set(root: number, path: string, record: FileRecord): void {
    this.delete(root, path);
    this.files[root].set(path, record);
    for (const c of record.chunks) this.byChunk.set(c.id, { root, path, record: c });
  }

  delete(root: number, path: string): FileRecord | undefined {
    const old = this.files[root]?.get(path);
    if (!old) return undefined;
    for (const c of old.chunks) this.byChunk.delete(c.id);
    this.files[root].delete(path);
    return old;
  }

  chunk(id: string): ChunkLocation | undefined {
    const hit = this.byChunk.get(id);
    return hit && { ...hit.record, root: hit.root, path: hit.path };
  }

  *entries(): Generator<{ root: number; path: string; record: FileRecord }> {
    for (let root = 0; root < this.files.length; root++) {
      for (const [path, record] of this.files[root]) yield { root, path, record };
    }
  }

  serialize(): string {
    const json: CatalogJson = { format: 1, roots: [...this.roots], files: this.files.map((m) => Object.fromEntries(m)) };
    return JSON.stringify(json);
  }

  /**
   * Parses a snapshot and maps it onto `roots` (a root that is no longer open is dropped; a new one
   * starts empty). Throws on anything that is not a catalog.
   */
  static deserialize(text: string, roots: readonly string[]): Catalog {
    const json = JSON.parse(text) as CatalogJson;
    if (json?.format !== 1 || !Array.isArray(json.roots) || !Array.isArray(json.files)) throw new Error('not a Keel catalog');
    const catalog = new Catalog(roots);
    json.roots.forEach((root, i) => {
      const target = roots.indexOf(root);
      if (target < 0) return;
      for (const [path, record] of Object.entries(json.files[i] ?? {})) {
        if (!record || !Array.isArray(record.chunks)) throw new Error(`bad catalog entry for ${path}`);
        catalog.set(target, path, record);
      }
    });
    return catalog;
  }
}
