/**
 * The team store's schema, created and upgraded by Keel. Each migration runs once, in its own
 * transaction, under a transaction-level advisory lock (two CI jobs starting together do not both
 * migrate); applied versions are recorded in keel.schema_migrations, so running migrate() again is a
 * no-op. Migrations are only ever appended.
 */
import type { PoolClient } from 'pg';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Any 64-bit constant unique to Keel's migrations (pg_advisory_xact_lock key). */
export const MIGRATION_LOCK = 0x6b65656c_01;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'index: repositories, commits, branches, files, chunks, keyword postings',
    sql: `
      CREATE EXTENSION IF NOT EXISTS vector;
      CREATE SCHEMA IF NOT EXISTS keel;
      CREATE TABLE IF NOT EXISTS keel.repositories (
        id bigserial PRIMARY KEY,
        name text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      -- A commit is invisible until state flips to 'ready' in the same transaction that moves its
      -- branch head: readers only ever follow branch heads.
      CREATE TABLE IF NOT EXISTS keel.commits (
        id bigserial PRIMARY KEY,
        repo_id bigint NOT NULL REFERENCES keel.repositories ON DELETE CASCADE,
        branch text NOT NULL,
        sha text,
        state text NOT NULL CHECK (state IN ('pending', 'ready', 'superseded')),
        embedder text,
        dimensions int,
        chunk_count bigint NOT NULL DEFAULT 0,
        total_len double precision NOT NULL DEFAULT 0,
        created_by text NOT NULL DEFAULT current_user,
        created_at timestamptz NOT NULL DEFAULT now(),
        ready_at timestamptz
      );
      CREATE INDEX IF NOT EXISTS commits_repo_branch ON keel.commits (repo_id, branch);
      CREATE TABLE IF NOT EXISTS keel.branches (
        repo_id bigint NOT NULL REFERENCES keel.repositories ON DELETE CASCADE,
        name text NOT NULL,
        base text,
        head_commit bigint REFERENCES keel.commits,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (repo_id, name)
      );
      -- Files are content-addressed per repository (path + content hash), so a branch shares every
      -- unchanged file — and its chunks, postings and vectors — with its base. A file row is written
      -- in the same transaction as all its chunks and postings: it exists only when complete.
      CREATE TABLE IF NOT EXISTS keel.files (
        id bigserial PRIMARY KEY,
        repo_id bigint NOT NULL REFERENCES keel.repositories ON DELETE CASCADE,
        path text NOT NULL,
        hash text NOT NULL,
        kind text NOT NULL,
        language text NOT NULL,
        chunk_count int NOT NULL,
        UNIQUE (repo_id, path, hash)
      );
      CREATE TABLE IF NOT EXISTS keel.chunks (
        file_id bigint NOT NULL REFERENCES keel.files ON DELETE CASCADE,
        ord int NOT NULL,
        start_line int NOT NULL,
        end_line int NOT NULL,
        symbol text NOT NULL,
        language text NOT NULL,
        hash text NOT NULL,
        body text NOT NULL,
        doc_len double precision NOT NULL,
        PRIMARY KEY (file_id, ord)
      );
      -- BM25 postings with the local analyzer's weighted term frequencies; doc_len is repeated here so
      -- scoring a term reads one index range and no chunk rows.
      CREATE TABLE IF NOT EXISTS keel.postings (
        term text NOT NULL,
        file_id bigint NOT NULL REFERENCES keel.files ON DELETE CASCADE,
        ord int NOT NULL,
        tf int NOT NULL,
        doc_len double precision NOT NULL,
        PRIMARY KEY (term, file_id, ord)
      );
      CREATE INDEX IF NOT EXISTS postings_file ON keel.postings (file_id);
      CREATE TABLE IF NOT EXISTS keel.commit_files (
        commit_id bigint NOT NULL REFERENCES keel.commits ON DELETE CASCADE,
        file_id bigint NOT NULL REFERENCES keel.files ON DELETE CASCADE,
        PRIMARY KEY (commit_id, file_id)
      );
      CREATE INDEX IF NOT EXISTS commit_files_file ON keel.commit_files (file_id);
      -- Document frequency per term per commit: BM25's df and N are those of the commit searched.
      CREATE TABLE IF NOT EXISTS keel.commit_terms (
        commit_id bigint NOT NULL REFERENCES keel.commits ON DELETE CASCADE,
        term text NOT NULL,
        df int NOT NULL,
        PRIMARY KEY (commit_id, term)
      );
      -- One vector table per embedder (each has its own dimension and HNSW index), registered here.
      CREATE TABLE IF NOT EXISTS keel.embedders (
        id text PRIMARY KEY,
        dimensions int NOT NULL,
        table_name text NOT NULL UNIQUE
      );
    `,
  },
  {
    version: 2,
    name: 'team: answer cache, cost ledger with user and repository, index audit',
    sql: `
      CREATE TABLE IF NOT EXISTS keel.answer_cache (
        id bigserial PRIMARY KEY,
        repo_id bigint REFERENCES keel.repositories ON DELETE CASCADE,
        -- The same scope as the local semantic cache: a hit must have been produced under all of it.
        workspace text NOT NULL,
        task_kind text NOT NULL,
        tier text NOT NULL,
        prompt_version text NOT NULL,
        embedder text NOT NULL,
        cited_hashes text[] NOT NULL DEFAULT '{}',
        question text NOT NULL,
        answer jsonb NOT NULL,
        created_by text NOT NULL DEFAULT current_user,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX IF NOT EXISTS answer_cache_scope ON keel.answer_cache (workspace, task_kind, tier, prompt_version, embedder);
      CREATE TABLE IF NOT EXISTS keel.cost_ledger (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        user_name text NOT NULL,
        repo text NOT NULL,
        feature text NOT NULL,
        provider text NOT NULL,
        model text NOT NULL,
        input_tokens bigint NOT NULL DEFAULT 0,
        output_tokens bigint NOT NULL DEFAULT 0,
        cost_usd numeric(14, 6) NOT NULL DEFAULT 0
      );
      CREATE INDEX IF NOT EXISTS cost_ledger_repo_at ON keel.cost_ledger (repo, at);
      CREATE TABLE IF NOT EXISTS keel.team_budgets (
        repo text NOT NULL,
        period text NOT NULL CHECK (period IN ('day', 'month')),
        limit_usd numeric(14, 2) NOT NULL,
        PRIMARY KEY (repo, period)
      );
      CREATE TABLE IF NOT EXISTS keel.index_audit (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        db_user text NOT NULL DEFAULT current_user,
        actor text NOT NULL,
        repo text NOT NULL,
        branch text NOT NULL,
        commit_id bigint,
        action text NOT NULL,
        files_uploaded int NOT NULL DEFAULT 0,
        files_reused int NOT NULL DEFAULT 0,
        chunks int NOT NULL DEFAULT 0
      );
    `,
  },
  {
    version: 3,
    name: 'team: shared answer cache lookups (question vectors, cited file hashes), ledger cache hits',
    sql: `
      -- The shared answer cache is searched by question similarity inside one scope (repository, task
      -- kind, tier, prompt version, embedder: scope_key), exactly like the local cache's buckets. The
      -- vector column has no fixed dimension (each embedder writes its own; scope_key never mixes them),
      -- so the scan is exact over one scope's rows, which an index on scope_key narrows.
      ALTER TABLE keel.answer_cache
        ADD COLUMN IF NOT EXISTS scope_key text,
        ADD COLUMN IF NOT EXISTS question_vector vector,
        ADD COLUMN IF NOT EXISTS files jsonb NOT NULL DEFAULT '{}',
        ADD COLUMN IF NOT EXISTS model text,
        ADD COLUMN IF NOT EXISTS usage jsonb,
        ADD COLUMN IF NOT EXISTS cost_usd numeric(14, 6) NOT NULL DEFAULT 0;
      CREATE INDEX IF NOT EXISTS answer_cache_scope_key ON keel.answer_cache (scope_key, created_at);
      ALTER TABLE keel.cost_ledger
        ADD COLUMN IF NOT EXISTS entry_id text,
        ADD COLUMN IF NOT EXISTS task_kind text,
        ADD COLUMN IF NOT EXISTS tier text,
        ADD COLUMN IF NOT EXISTS cache_hit boolean NOT NULL DEFAULT false,
        ADD COLUMN IF NOT EXISTS saved_usd numeric(14, 6) NOT NULL DEFAULT 0;
      -- A ledger line mirrored twice (a retried insert) is counted once.
      CREATE UNIQUE INDEX IF NOT EXISTS cost_ledger_entry ON keel.cost_ledger (entry_id) WHERE entry_id IS NOT NULL;
    `,
  },
  {
    version: 4,
    name: 'index: postings without a per-row foreign key check (uploads), swept with their file',
    sql: `
      -- The check ran once per posting (~30 per chunk) and was half the cost of an upload. A file's
      -- postings are written in the transaction that writes the file and deleted with it (pgStore.sweep).
      ALTER TABLE keel.postings DROP CONSTRAINT IF EXISTS postings_file_id_fkey;
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

/** Applies the migrations not yet applied, up to `upTo` (tests stop at an older version). Returns the versions applied. */
export async function migrate(client: PoolClient, upTo: number = SCHEMA_VERSION): Promise<number[]> {
  const applied: number[] = [];
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query('CREATE SCHEMA IF NOT EXISTS keel');
    await client.query(`CREATE TABLE IF NOT EXISTS keel.schema_migrations (
      version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Set((await client.query<{ version: number }>('SELECT version FROM keel.schema_migrations')).rows.map((r) => r.version));
    for (const m of MIGRATIONS) {
      if (m.version > upTo || done.has(m.version)) continue;
      await client.query(m.sql);
      await client.query('INSERT INTO keel.schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      applied.push(m.version);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
  return applied;
}

/** The schema version the server holds (0: none). */
export async function schemaVersion(client: PoolClient): Promise<number> {
  const exists = (await client.query("SELECT to_regclass('keel.schema_migrations') AS t")).rows[0]?.t;
  if (!exists) return 0;
  return Number((await client.query('SELECT coalesce(max(version), 0) AS v FROM keel.schema_migrations')).rows[0].v);
}
