/**
 * The PostgreSQL + pgvector team store: one index built in CI (incrementally, by file hash) and
 * searched by everyone.
 *
 * Visibility: an upload writes content-addressed file rows (each file with all its chunks, postings
 * and vectors in one transaction, so a file row exists only when complete), then publishes a commit
 * in one final transaction that flips it to 'ready' and moves the branch head. Readers resolve the
 * branch head once per query and read only that commit's files, so they never block on a writer and
 * never see a half-written commit; a writer killed mid-upload leaves the previous head untouched (its
 * orphan rows are swept by the next writer).
 *
 * Keyword ranking is Keel's BM25 computed in SQL from stored postings — the same analyzer, boosts,
 * k1/b, idf and length normalisation as src/engine/search/bm25.ts, with df, N and average length of
 * the commit searched — so scores equal the local store's up to floating-point summation order.
 */
import { KeelError } from '../../../common/errors';
import { BM25_DEFAULTS, documentTerms, MAX_TF } from '../../search/bm25';
import { analyze } from '../../search/analyzer';
import { fileKind } from '../../index/fileKind';
import { fileKey } from '../../index/workspaceIndex';
import type { ScoredChunk, SourceChunk } from '../../search/source';
import type { StoreSource } from '../types';
import { PgPool, toStoreError, type PgConnectOptions } from './connection';
import { migrate, schemaVersion, SCHEMA_VERSION } from './migrations';
import type { PoolClient } from 'pg';

export interface UploadChunk {
  startLine: number;
  endLine: number;
  symbol: string;
  language: string;
  hash: string;
  /** Masked text as indexed (secrets are masked before anything is uploaded). */
  text: string;
  vector?: ArrayLike<number>;
}

export interface UploadFile {
  path: string;
  hash: string;
  language: string;
  chunks: UploadChunk[];
}

export interface PublishInput {
  repo: string;
  branch: string;
  /** Branch a new branch starts from (its df/length statistics are updated incrementally from it). */
  base?: string;
  sha?: string;
  /** Who published (CI job, user): recorded in the audit. */
  actor: string;
  embedder?: { id: string; dimensions: number };
  /** Every file of the commit with its content hash. */
  files: ReadonlyArray<{ path: string; hash: string }>;
  /** Chunks (and vectors) of files the server does not have yet; called in batches. */
  load(files: ReadonlyArray<{ path: string; hash: string }>): Promise<UploadFile[]>;
  /** Re-sends only vectors (files present, vectors for this embedder missing). */
  loadVectors?(files: ReadonlyArray<{ path: string; hash: string }>): Promise<UploadFile[]>;
  onProgress?(done: number, total: number): void;
  /** Test hook: called after each uploaded batch (a test kills the writer here). */
  afterBatch?(batch: number): Promise<void> | void;
}

export interface PublishResult {
  commitId: number;
  files: number;
  chunks: number;
  uploaded: number;
  reused: number;
  ms: number;
}

export interface HeadCommit {
  id: number;
  chunkCount: number;
  totalLen: number;
  embedder: string | null;
  dimensions: number | null;
}

const WRITER_LOCK_CLASS = 0x6b65; // pg_advisory_lock(class, repo_id)
const UPLOAD_BATCH_FILES = 200;
/** Below this many chunks the vector leg scans exactly (what the local store does); above, HNSW. */
export const EXACT_VECTOR_LIMIT = 20_000;
/** Superseded commits younger than this stay readable for queries already holding them. */
const GRACE_SECONDS = 300;

export class PgStore {
  private constructor(readonly pool: PgPool) {}

  get label(): string {
    return this.pool.label;
  }

  /** Connects (lazily: the pool opens on first use). `migrate: false` for reader roles, which cannot create. */
  static async open(url: string, options: PgConnectOptions & { migrate?: boolean }): Promise<PgStore> {
    const store = new PgStore(new PgPool(url, options));
    try {
      await store.pool.withClient(async (client) => {
        if (options.migrate) {
          await migrate(client);
          return;
        }
        const version = await schemaVersion(client);
        if (version === 0) throw new KeelError('INDEX_NOT_FOUND', `${store.label} has no Keel index yet; publish one with \`keel index --store …\`.`);
        if (version > SCHEMA_VERSION) throw new KeelError('INDEX_CORRUPT', `${store.label} has Keel schema ${version}; this Keel knows up to ${SCHEMA_VERSION}. Update Keel.`);
      });
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  }

  async close(): Promise<void> {
    await this.pool.close();
  }

  async head(repo: string, branch: string): Promise<HeadCommit | undefined> {
    const rows = await this.pool.query<{ id: string; chunk_count: string; total_len: number; embedder: string | null; dimensions: number | null }>(
      `SELECT c.id, c.chunk_count, c.total_len, c.embedder, c.dimensions
         FROM keel.branches b JOIN keel.repositories r ON r.id = b.repo_id JOIN keel.commits c ON c.id = b.head_commit
        WHERE r.name = $1 AND b.name = $2 AND c.state = 'ready'`,
      [repo, branch],
      'keel_head',
    );
    const r = rows[0];
    return r && { id: Number(r.id), chunkCount: Number(r.chunk_count), totalLen: Number(r.total_len), embedder: r.embedder, dimensions: r.dimensions };
  }

  /** A search source over the branch head as it is now (one commit for the whole query). */
  async source(repo: string, branch: string, embed?: EmbedQuery): Promise<PgSource> {
    const head = await this.head(repo, branch);
    if (!head) throw new KeelError('INDEX_NOT_FOUND', `${this.label} has no published index of ${repo}@${branch}; run \`keel index --store …\` (CI does this) first.`);
    const table = head.embedder ? await this.vectorTable(head.embedder) : undefined;
    return new PgSource(this, head, table, embed && head.embedder === embed.id ? embed : undefined);
  }

  async vectorTable(embedderId: string): Promise<string | undefined> {
    const rows = await this.pool.query<{ table_name: string }>('SELECT table_name FROM keel.embedders WHERE id = $1', [embedderId], 'keel_embedder');
    return rows[0]?.table_name;
  }

  /** Uploads what the server lacks and publishes the commit; one writer per repository at a time. */
  async publish(input: PublishInput, lockWaitS = 60): Promise<PublishResult> {
    const started = performance.now();
    const repoId = await this.repoId(input.repo);
    return this.pool.withClient(async (lock) => {
      await takeWriterLock(lock, repoId, lockWaitS, this.label);
      try {
        return await this.publishLocked(lock, repoId, input, started);
      } finally {
        await lock.query('SELECT pg_advisory_unlock($1, $2)', [WRITER_LOCK_CLASS, repoId]).catch(() => undefined);
      }
    }, false);
  }

  private async publishLocked(db: PoolClient, repoId: number, input: PublishInput, started: number): Promise<PublishResult> {
    const table = input.embedder ? await ensureVectorTable(db, input.embedder.id, input.embedder.dimensions) : undefined;
    // Whatever a killed writer left: its pending commit (rows cascade) — orphan files are swept below.
    await db.query("DELETE FROM keel.commits WHERE repo_id = $1 AND state = 'pending'", [repoId]);
    const prev = await db.query<{ id: string; chunk_count: string; total_len: number }>(
      `SELECT c.id, c.chunk_count, c.total_len FROM keel.branches b JOIN keel.commits c ON c.id = b.head_commit
        WHERE b.repo_id = $1 AND b.name = ANY($2) AND c.state = 'ready'
        ORDER BY (b.name = $3) DESC LIMIT 1`,
      [repoId, [input.branch, input.base ?? input.branch], input.branch],
    );
    const commitId = Number((await db.query<{ id: string }>(
      `INSERT INTO keel.commits (repo_id, branch, sha, state, embedder, dimensions) VALUES ($1, $2, $3, 'pending', $4, $5) RETURNING id`,
      [repoId, input.branch, input.sha ?? null, input.embedder?.id ?? null, input.embedder?.dimensions ?? null],
    )).rows[0].id);

    // Which files the server already has (any branch, any commit): those are shared, not uploaded.
    const known = new Map<string, number>();
    for (let i = 0; i < input.files.length; i += 5000) {
      const slice = input.files.slice(i, i + 5000);
      const rows = await db.query<{ id: string; path: string; hash: string }>(
        `SELECT f.id, f.path, f.hash FROM unnest($2::text[], $3::text[]) AS u(path, hash)
           JOIN keel.files f ON f.repo_id = $1 AND f.path = u.path AND f.hash = u.hash`,
        [repoId, slice.map((f) => f.path), slice.map((f) => f.hash)],
      );
      for (const r of rows.rows) known.set(`${r.path}\0${r.hash}`, Number(r.id));
    }
    const missing = input.files.filter((f) => !known.has(`${f.path}\0${f.hash}`));
    if (table && input.loadVectors && known.size) {
      // Files uploaded under another embedder: their vectors for this one are still to come.
      const ids = [...known.values()];
      const have = new Set((await db.query<{ file_id: string }>(`SELECT DISTINCT file_id FROM keel.${table} WHERE file_id = ANY($1)`, [ids])).rows.map((r) => Number(r.file_id)));
      const lacking = input.files.filter((f) => {
        const id = known.get(`${f.path}\0${f.hash}`);
        return id !== undefined && !have.has(id);
      });
      for (let i = 0; i < lacking.length; i += UPLOAD_BATCH_FILES) {
        const batch = await input.loadVectors(lacking.slice(i, i + UPLOAD_BATCH_FILES));
        await inTransaction(db, () => insertVectors(db, table, batch.map((f) => ({ id: known.get(`${f.path}\0${f.hash}`)!, file: f }))));
      }
    }
    let done = 0;
    let chunks = 0;
    for (let i = 0, batchNo = 0; i < missing.length; i += UPLOAD_BATCH_FILES, batchNo++) {
      const files = await input.load(missing.slice(i, i + UPLOAD_BATCH_FILES));
      await inTransaction(db, async () => {
        const ids = await insertFiles(db, repoId, files);
        files.forEach((f, j) => known.set(`${f.path}\0${f.hash}`, ids[j]));
        await insertChunks(db, files.map((f, j) => ({ id: ids[j], file: f })));
        if (table) await insertVectors(db, table, files.map((f, j) => ({ id: ids[j], file: f })));
      });
      done += files.length;
      chunks += files.reduce((n, f) => n + f.chunks.length, 0);
      input.onProgress?.(done, missing.length);
      await input.afterBatch?.(batchNo);
    }

    if (table) await ensureVectorIndex(db, table);
    const fileIds = input.files.map((f) => known.get(`${f.path}\0${f.hash}`)).filter((id): id is number => id !== undefined);
    await inTransaction(db, async () => {
      await db.query('INSERT INTO keel.commit_files (commit_id, file_id) SELECT $1, unnest($2::bigint[]) ON CONFLICT DO NOTHING', [commitId, fileIds]);
      const base = prev.rows[0] ? Number(prev.rows[0].id) : undefined;
      await commitStatistics(db, commitId, base);
      await db.query(
        `UPDATE keel.commits c SET state = 'ready', ready_at = now(),
           chunk_count = s.n, total_len = s.len
           FROM (SELECT coalesce(sum(f.chunk_count), 0) AS n,
                        coalesce((SELECT sum(ch.doc_len) FROM keel.commit_files cf2 JOIN keel.chunks ch ON ch.file_id = cf2.file_id WHERE cf2.commit_id = $1), 0) AS len
                   FROM keel.commit_files cf JOIN keel.files f ON f.id = cf.file_id WHERE cf.commit_id = $1) s
          WHERE c.id = $1`,
        [commitId],
      );
      await db.query(
        `UPDATE keel.commits SET state = 'superseded' WHERE id = (SELECT head_commit FROM keel.branches WHERE repo_id = $1 AND name = $2) AND id <> $3`,
        [repoId, input.branch, commitId],
      );
      await db.query(
        `INSERT INTO keel.branches (repo_id, name, base, head_commit, updated_at) VALUES ($1, $2, $3, $4, now())
         ON CONFLICT (repo_id, name) DO UPDATE SET head_commit = EXCLUDED.head_commit, updated_at = now()`,
        [repoId, input.branch, input.base ?? null, commitId],
      );
      await db.query(
        `INSERT INTO keel.index_audit (actor, repo, branch, commit_id, action, files_uploaded, files_reused, chunks)
         VALUES ($1, $2, $3, $4, 'publish', $5, $6, $7)`,
        [input.actor, input.repo, input.branch, commitId, missing.length, input.files.length - missing.length, chunks],
      );
    });
    await this.sweep(db, repoId);
    const total = await db.query<{ chunk_count: string }>('SELECT chunk_count FROM keel.commits WHERE id = $1', [commitId]);
    return {
      commitId,
      files: input.files.length,
      chunks: Number(total.rows[0].chunk_count),
      uploaded: missing.length,
      reused: input.files.length - missing.length,
      ms: Math.round(performance.now() - started),
    };
  }

  /** Deletes a branch and reclaims every row only it used. */
  async deleteBranch(repo: string, branch: string, actor: string): Promise<void> {
    const repoId = await this.repoId(repo);
    await this.pool.withClient(async (db) => {
      await takeWriterLock(db, repoId, 60, this.label);
      try {
        await inTransaction(db, async () => {
          await db.query('DELETE FROM keel.branches WHERE repo_id = $1 AND name = $2', [repoId, branch]);
          await db.query('DELETE FROM keel.commits WHERE repo_id = $1 AND branch = $2', [repoId, branch]);
          await db.query(`INSERT INTO keel.index_audit (actor, repo, branch, action) VALUES ($1, $2, $3, 'delete-branch')`, [actor, repo, branch]);
        });
        await this.sweep(db, repoId, true);
      } finally {
        await db.query('SELECT pg_advisory_unlock($1, $2)', [WRITER_LOCK_CLASS, repoId]).catch(() => undefined);
      }
    }, false);
  }

  /** Old superseded commits and files no commit references any more. */
  private async sweep(db: PoolClient, repoId: number, now = false): Promise<void> {
    await db.query(
      `DELETE FROM keel.commits c WHERE c.repo_id = $1 AND c.state = 'superseded'
         AND ($2 OR c.ready_at < now() - make_interval(secs => $3))
         AND NOT EXISTS (SELECT 1 FROM keel.branches b WHERE b.head_commit = c.id)`,
      [repoId, now, GRACE_SECONDS],
    );
    // Postings have no foreign key (migration 4: checking one per posting halved upload speed), so a
    // file's postings go in the same statement as the file.
    await db.query(
      `WITH gone AS (DELETE FROM keel.files f WHERE f.repo_id = $1 AND NOT EXISTS (SELECT 1 FROM keel.commit_files cf WHERE cf.file_id = f.id) RETURNING f.id)
       DELETE FROM keel.postings p USING gone WHERE p.file_id = gone.id`,
      [repoId],
    );
  }

  private async repoId(name: string): Promise<number> {
    const rows = await this.pool.query<{ id: string }>(
      `WITH ins AS (INSERT INTO keel.repositories (name) VALUES ($1) ON CONFLICT (name) DO NOTHING RETURNING id)
       SELECT id FROM ins UNION ALL SELECT id FROM keel.repositories WHERE name = $1 LIMIT 1`,
      [name],
    );
    return Number(rows[0].id);
  }
}

async function takeWriterLock(db: PoolClient, repoId: number, waitS: number, label: string): Promise<void> {
  const deadline = Date.now() + waitS * 1000;
  for (;;) {
    const got = (await db.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [WRITER_LOCK_CLASS, repoId])).rows[0].ok;
    if (got) return;
    if (Date.now() > deadline) throw new KeelError('INDEX_LOCKED', `${label}: another writer is publishing this repository; try again when it has finished.`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function inTransaction<T>(db: PoolClient, fn: () => Promise<T>): Promise<T> {
  await db.query('BEGIN');
  try {
    const out = await fn();
    await db.query('COMMIT');
    return out;
  } catch (error) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

async function ensureVectorTable(db: PoolClient, id: string, dimensions: number): Promise<string> {
  const existing = await db.query<{ table_name: string; dimensions: number }>('SELECT table_name, dimensions FROM keel.embedders WHERE id = $1', [id]);
  if (existing.rows[0]) {
    if (existing.rows[0].dimensions !== dimensions) throw new KeelError('EMBEDDER_MISMATCH', `Embedder ${id} is registered with ${existing.rows[0].dimensions} dimensions, not ${dimensions}.`);
    return existing.rows[0].table_name;
  }
  const slug = id.toLowerCase().replace(/[^a-z0-9]+/g, '_').slice(0, 40);
  const table = `vectors_${slug}_${dimensions}`;
  if (!Number.isInteger(dimensions) || dimensions < 1 || dimensions > 2000) throw new KeelError('INVALID_PARAMS', `pgvector's HNSW index takes 1–2000 dimensions, not ${dimensions}.`);
  await inTransaction(db, async () => {
    await db.query(`CREATE TABLE IF NOT EXISTS keel.${table} (
      file_id bigint NOT NULL REFERENCES keel.files ON DELETE CASCADE,
      ord int NOT NULL,
      embedding vector(${dimensions}) NOT NULL,
      PRIMARY KEY (file_id, ord))`);
    // The HNSW index is built after the first upload (ensureVectorIndex): one bulk build of the graph
    // is several times cheaper than inserting every vector into it one by one.
    await db.query('INSERT INTO keel.embedders (id, dimensions, table_name) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING', [id, dimensions, table]);
  });
  return table;
}

/** Builds the embedder's HNSW index once its table has rows; later publishes insert into it. */
async function ensureVectorIndex(db: PoolClient, table: string): Promise<void> {
  const has = await db.query("SELECT 1 FROM pg_indexes WHERE schemaname = 'keel' AND indexname = $1", [`${table}_hnsw`]);
  if (has.rows.length) return;
  // The graph is built in memory when it fits: far faster than spilling (pgvector's own advice).
  await db.query("SET maintenance_work_mem = '1GB'");
  try {
    // Vectors are unit length (every Keel embedder normalises): inner product is the cosine.
    await db.query(`CREATE INDEX IF NOT EXISTS ${table}_hnsw ON keel.${table} USING hnsw (embedding vector_ip_ops)`);
  } finally {
    await db.query('RESET maintenance_work_mem');
  }
}

async function insertFiles(db: PoolClient, repoId: number, files: readonly UploadFile[]): Promise<number[]> {
  if (!files.length) return [];
  const rows = await db.query<{ id: string; path: string }>(
    `INSERT INTO keel.files (repo_id, path, hash, kind, language, chunk_count)
     SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::int[])
     ON CONFLICT (repo_id, path, hash) DO UPDATE SET chunk_count = EXCLUDED.chunk_count
     RETURNING id, path`,
    [repoId, files.map((f) => f.path), files.map((f) => f.hash), files.map((f) => fileKind(f.path)), files.map((f) => f.language), files.map((f) => f.chunks.length)],
  );
  const byPath = new Map(rows.rows.map((r) => [r.path, Number(r.id)]));
  return files.map((f) => byPath.get(f.path)!);
}

async function insertChunks(db: PoolClient, files: ReadonlyArray<{ id: number; file: UploadFile }>): Promise<void> {
  const c = { file: [] as number[], ord: [] as number[], start: [] as number[], end: [] as number[], symbol: [] as string[], language: [] as string[], hash: [] as string[], body: [] as string[], len: [] as number[] };
  const p = { term: [] as string[], file: [] as number[], ord: [] as number[], tf: [] as number[], len: [] as number[] };
  for (const { id, file } of files) {
    // Any rows of an earlier, interrupted attempt at this file go first (the file row is reused).
    file.chunks.forEach((ch, ord) => {
      const terms = documentTerms({ text: ch.text, symbol: ch.symbol, path: file.path });
      let len = 0;
      for (const tf of terms.values()) len += tf;
      c.file.push(id); c.ord.push(ord); c.start.push(ch.startLine); c.end.push(ch.endLine); c.symbol.push(ch.symbol);
      c.language.push(ch.language); c.hash.push(ch.hash); c.body.push(ch.text.replace(/\0/g, '')); c.len.push(len);
      for (const [term, tf] of terms) {
        p.term.push(term); p.file.push(id); p.ord.push(ord); p.tf.push(Math.min(tf, MAX_TF)); p.len.push(len);
      }
    });
  }
  if (!c.file.length) return;
  await db.query('DELETE FROM keel.chunks WHERE file_id = ANY($1)', [[...new Set(c.file)]]);
  await db.query('DELETE FROM keel.postings WHERE file_id = ANY($1)', [[...new Set(c.file)]]);
  await db.query(
    `INSERT INTO keel.chunks (file_id, ord, start_line, end_line, symbol, language, hash, body, doc_len)
     SELECT * FROM unnest($1::bigint[], $2::int[], $3::int[], $4::int[], $5::text[], $6::text[], $7::text[], $8::text[], $9::float8[])`,
    [c.file, c.ord, c.start, c.end, c.symbol, c.language, c.hash, c.body, c.len],
  );
  // In term order, the primary key's B-tree is filled page by page instead of at random places.
  const order = Array.from(p.term.keys()).sort((x, y) => (p.term[x] < p.term[y] ? -1 : p.term[x] > p.term[y] ? 1 : 0));
  for (const key of ['term', 'file', 'ord', 'tf', 'len'] as const) {
    const col = p[key] as Array<string | number>;
    (p as Record<string, Array<string | number>>)[key] = order.map((i) => col[i]);
  }
  for (let i = 0; i < p.term.length; i += 50_000) {
    await db.query(
      'INSERT INTO keel.postings (term, file_id, ord, tf, doc_len) SELECT * FROM unnest($1::text[], $2::bigint[], $3::int[], $4::int[], $5::float8[])',
      [p.term.slice(i, i + 50_000), p.file.slice(i, i + 50_000), p.ord.slice(i, i + 50_000), p.tf.slice(i, i + 50_000), p.len.slice(i, i + 50_000)],
    );
  }
}

async function insertVectors(db: PoolClient, table: string, files: ReadonlyArray<{ id: number; file: UploadFile }>): Promise<void> {
  const ids: number[] = [];
  const ords: number[] = [];
  const vecs: string[] = [];
  for (const { id, file } of files) {
    file.chunks.forEach((ch, ord) => {
      if (!ch.vector) return;
      ids.push(id);
      ords.push(ord);
      vecs.push(vectorLiteral(ch.vector));
    });
  }
  if (!ids.length) return;
  await db.query(
    `INSERT INTO keel.${table} (file_id, ord, embedding) SELECT f, o, v::vector FROM unnest($1::bigint[], $2::int[], $3::text[]) AS u(f, o, v)
     ON CONFLICT (file_id, ord) DO UPDATE SET embedding = EXCLUDED.embedding`,
    [ids, ords, vecs],
  );
}

export function vectorLiteral(v: ArrayLike<number>): string {
  let s = '[';
  for (let i = 0; i < v.length; i++) s += (i ? ',' : '') + (Number.isFinite(v[i]) ? v[i] : 0);
  return `${s}]`;
}

/**
 * The commit's df per term. From the base commit by difference when there is one (CI pushes change a
 * few files: copying the base's table and applying the added/removed files' postings is far cheaper
 * than counting every posting again); counted from scratch otherwise.
 */
async function commitStatistics(db: PoolClient, commitId: number, base: number | undefined): Promise<void> {
  if (base === undefined) {
    await db.query(
      `INSERT INTO keel.commit_terms (commit_id, term, df)
       SELECT $1, p.term, count(*) FROM keel.commit_files cf JOIN keel.postings p ON p.file_id = cf.file_id
        WHERE cf.commit_id = $1 GROUP BY p.term`,
      [commitId],
    );
    return;
  }
  await db.query('INSERT INTO keel.commit_terms (commit_id, term, df) SELECT $1, term, df FROM keel.commit_terms WHERE commit_id = $2', [commitId, base]);
  await db.query(
    `WITH added AS (SELECT file_id FROM keel.commit_files WHERE commit_id = $1 EXCEPT SELECT file_id FROM keel.commit_files WHERE commit_id = $2),
          removed AS (SELECT file_id FROM keel.commit_files WHERE commit_id = $2 EXCEPT SELECT file_id FROM keel.commit_files WHERE commit_id = $1),
          delta AS (
            SELECT p.term, sum(d.sign)::int AS change FROM
              (SELECT file_id, 1 AS sign FROM added UNION ALL SELECT file_id, -1 FROM removed) d
              JOIN keel.postings p ON p.file_id = d.file_id GROUP BY p.term)
     INSERT INTO keel.commit_terms (commit_id, term, df) SELECT $1, term, change FROM delta WHERE change <> 0
     ON CONFLICT (commit_id, term) DO UPDATE SET df = keel.commit_terms.df + EXCLUDED.df`,
    [commitId, base],
  );
  await db.query('DELETE FROM keel.commit_terms WHERE commit_id = $1 AND df <= 0', [commitId]);
}

/** The hnsw.ef_search each pooled connection was last set to (settings live as long as the session). */
const hnswSettings = new WeakMap<PoolClient, number>();

export interface EmbedQuery {
  id: string;
  embed(text: string, signal?: AbortSignal): Promise<ArrayLike<number>>;
}

interface ChunkRow {
  path: string;
  ord: number;
  start_line: number;
  end_line: number;
  symbol: string;
  language: string;
  score: number;
}

/** One published commit seen as a search source. */
export class PgSource implements StoreSource {
  private pendingTexts = new Map<string, { chunk: SourceChunk; resolve: (t: string | undefined) => void; reject: (e: unknown) => void }[]>();
  private flushScheduled = false;

  constructor(
    private readonly store: PgStore,
    readonly commit: HeadCommit,
    private readonly table: string | undefined,
    private readonly embedder: EmbedQuery | undefined,
    readonly bm25 = BM25_DEFAULTS,
  ) {}

  get label(): string {
    return this.store.label;
  }

  get chunkCount(): number {
    return this.commit.chunkCount;
  }

  get hasVectors(): boolean {
    return this.table !== undefined && this.embedder !== undefined;
  }

  displayPath(_root: number, rel: string): string {
    return rel;
  }

  async keywordSearch(query: string | ReadonlyMap<string, number>, k: number, filter?: (chunk: SourceChunk) => boolean): Promise<ScoredChunk[]> {
    const n = this.commit.chunkCount;
    if (n === 0 || k <= 0) return [];
    const terms: ReadonlyMap<string, number> = typeof query === 'string' ? new Map(analyze(query).map((t) => [t, 1])) : query;
    const names: string[] = [];
    const weights: number[] = [];
    for (const [t, w] of terms) {
      if (w > 0) {
        names.push(t);
        weights.push(w);
      }
    }
    if (!names.length) return [];
    const avgLen = this.commit.totalLen / n || 1;
    const { k1, b } = this.bm25;
    // A filter is a predicate on chunk metadata evaluated here: over-fetch, then keep k that pass.
    const limit = filter ? Math.min(k * 8, 5000) : k;
    const rows = await this.store.pool.query<ChunkRow>(
      `WITH q AS (
         SELECT t.term, t.w, d.df FROM unnest($2::text[], $3::float8[]) AS t(term, w)
           JOIN keel.commit_terms d ON d.commit_id = $1 AND d.term = t.term),
       s AS (
         SELECT p.file_id, p.ord,
                sum((q.w * ln(1 + ($4::float8 - q.df + 0.5) / (q.df + 0.5))) * p.tf * ($6::float8 + 1)
                    / (p.tf + $6::float8 * (1 - $7::float8 + $7::float8 * p.doc_len / $5::float8))) AS score
           FROM q JOIN keel.postings p ON p.term = q.term
          WHERE EXISTS (SELECT 1 FROM keel.commit_files cf WHERE cf.commit_id = $1 AND cf.file_id = p.file_id)
          GROUP BY p.file_id, p.ord
          ORDER BY score DESC, p.file_id, p.ord
          LIMIT $8)
       SELECT f.path, c.ord, c.start_line, c.end_line, c.symbol, c.language, s.score
         FROM s JOIN keel.chunks c ON c.file_id = s.file_id AND c.ord = s.ord JOIN keel.files f ON f.id = s.file_id
        ORDER BY s.score DESC, s.file_id, s.ord`,
      [this.commit.id, names, weights, n, avgLen, k1, b, limit],
      'keel_bm25',
    );
    return this.hits(rows, k, filter);
  }

  async vectorSearch(query: string, k: number, signal?: AbortSignal, filter?: (chunk: SourceChunk) => boolean): Promise<ScoredChunk[]> {
    if (!this.table || !this.embedder) return [];
    const vector = await this.embedder.embed(query, signal);
    return this.vectorSearchBy(vector, k, filter);
  }

  /** Vector top-k for an embedded query: exact below EXACT_VECTOR_LIMIT chunks, HNSW (iterative scan) above. */
  async vectorSearchBy(vector: ArrayLike<number>, k: number, filter?: (chunk: SourceChunk) => boolean): Promise<ScoredChunk[]> {
    if (!this.table) return [];
    const limit = filter ? Math.min(k * 8, 5000) : k;
    const exact = this.commit.chunkCount <= EXACT_VECTOR_LIMIT;
    const sql = `SELECT f.path, v.ord, c.start_line, c.end_line, c.symbol, c.language, -(v.embedding <#> $2::vector) AS score
        FROM keel.${this.table} v JOIN keel.commit_files cf ON cf.commit_id = $1 AND cf.file_id = v.file_id
        JOIN keel.chunks c ON c.file_id = v.file_id AND c.ord = v.ord JOIN keel.files f ON f.id = v.file_id
       ORDER BY v.embedding <#> $2::vector, v.file_id, v.ord LIMIT $3`;
    const query = { name: `keel_vec_${this.table}`, text: sql, values: [this.commit.id, vectorLiteral(vector), limit] };
    const rows = await this.store.pool.withClient(async (db) => {
      if (!exact) {
        // Session settings, sent only when this connection does not have them yet: the common case is
        // one round trip for the whole vector leg.
        const ef = Math.min(1000, Math.max(100, limit + 40));
        if (hnswSettings.get(db) !== ef) {
          await db.query(`SET hnsw.ef_search = ${ef}; SET hnsw.iterative_scan = 'relaxed_order'`);
          hnswSettings.set(db, ef);
        }
        return (await db.query<ChunkRow>(query)).rows;
      }
      await db.query('BEGIN READ ONLY; SET LOCAL enable_indexscan = off');
      try {
        const r = await db.query<ChunkRow>(query);
        await db.query('COMMIT');
        return r.rows;
      } catch (error) {
        await db.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
    rows.sort((a, b) => b.score - a.score); // relaxed order: re-sort the few hundred rows
    return this.hits(rows, k, filter);
  }

  readChunkText(chunk: SourceChunk): Promise<string | undefined> {
    // Re-rankers read ~50 texts at once: gathered into one query per tick.
    return new Promise((resolve, reject) => {
      const list = this.pendingTexts.get(chunk.path) ?? [];
      list.push({ chunk, resolve, reject });
      this.pendingTexts.set(chunk.path, list);
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        queueMicrotask(() => void this.flushTexts());
      }
    });
  }

  async readLines(_root: number, rel: string, startLine: number, endLine: number): Promise<string | undefined> {
    const rows = await this.store.pool.query<{ start_line: number; end_line: number; body: string }>(
      `SELECT c.start_line, c.end_line, c.body FROM keel.commit_files cf JOIN keel.files f ON f.id = cf.file_id
         JOIN keel.chunks c ON c.file_id = f.id
        WHERE cf.commit_id = $1 AND f.path = $2 AND c.end_line >= $3 AND c.start_line <= $4 ORDER BY c.ord`,
      [this.commit.id, rel, startLine, endLine],
      'keel_lines',
    );
    if (!rows.length) return undefined;
    const lines = new Map<number, string>();
    for (const r of rows) r.body.split('\n').forEach((line, i) => lines.set(r.start_line + i, line));
    const out: string[] = [];
    for (let l = startLine; l <= endLine; l++) if (lines.has(l)) out.push(lines.get(l)!);
    return out.join('\n');
  }

  private async flushTexts(): Promise<void> {
    this.flushScheduled = false;
    const pending = this.pendingTexts;
    this.pendingTexts = new Map();
    const paths = [...pending.keys()];
    try {
      const rows = await this.store.pool.query<{ path: string; start_line: number; end_line: number; body: string }>(
        `SELECT f.path, c.start_line, c.end_line, c.body FROM keel.commit_files cf JOIN keel.files f ON f.id = cf.file_id
           JOIN keel.chunks c ON c.file_id = f.id WHERE cf.commit_id = $1 AND f.path = ANY($2)`,
        [this.commit.id, paths],
        'keel_texts',
      );
      const byKey = new Map(rows.map((r) => [`${r.path}:${r.start_line}:${r.end_line}`, r.body]));
      for (const [p, list] of pending) {
        for (const { chunk, resolve } of list) resolve(byKey.get(`${p}:${chunk.startLine}:${chunk.endLine}`));
      }
    } catch (error) {
      const e = toStoreError(error, this.label);
      for (const list of pending.values()) for (const { reject } of list) reject(e);
    }
  }

  private hits(rows: readonly ChunkRow[], k: number, filter?: (chunk: SourceChunk) => boolean): ScoredChunk[] {
    const out: ScoredChunk[] = [];
    for (const r of rows) {
      const chunk: SourceChunk = {
        id: `${fileKey(0, r.path)}.${r.ord}`,
        path: r.path,
        language: r.language,
        symbol: r.symbol,
        startLine: r.start_line,
        endLine: r.end_line,
        root: 0,
      };
      if (filter && !filter(chunk)) continue;
      out.push({ chunk, score: Number(r.score) });
      if (out.length >= k) break;
    }
    return out;
  }
}
