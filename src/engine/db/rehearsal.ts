/**
 * The production-scale rehearsal: a scratch PostgreSQL in-process (PGlite), the workspace's schema
 * applied, synthetic rows at the chosen scale, ANALYZE — so "is this a full scan at a million rows?"
 * is answered on a laptop with no server and no egress. Tables are filled lazily, only the ones a
 * statement reads, and stay filled for the engine's next question.
 */
import { readCatalog, type CatalogTable, type Queryable } from './catalog';
import { createPglite, type PGlite } from './pglite';
import type { WorkspaceSchema } from './schema/model';
import { insertStatement, plannedRows, qualified, tableKey } from './synth';

export interface RehearsalWarning {
  statement: string;
  message: string;
}

export class Rehearsal {
  private loaded = new Set<string>();
  private tail: Promise<void> = Promise.resolve();
  private sizes = new Map<string, number>();
  catalog: CatalogTable[] = [];
  readonly warnings: RehearsalWarning[] = [];
  partitionParent = new Map<string, { schema: string; name: string }>();

  private constructor(
    readonly db: PGlite,
    readonly rows: number,
  ) {}

  static async create(schema: WorkspaceSchema, rows: number): Promise<Rehearsal> {
    const db = await createPglite();
    const r = new Rehearsal(db, rows);
    try {
      // PGlite starts with enable_seqscan off and debug-level client messages: plan like a stock
      // server instead, and don't pay for per-row chatter while loading.
      await db.exec(`SET enable_seqscan = on; SET client_min_messages = warning; SET synchronous_commit = off`);
      for (const statement of schema.ddl) {
        try {
          await db.exec(statement);
        } catch (error) {
          // One migration the embedded server can't run (an extension it lacks, a role) must not
          // lose the rest of the schema; it is reported with the result.
          r.warnings.push({ statement: statement.slice(0, 200), message: (error as Error).message });
        }
      }
      await r.refreshCatalog();
      r.sizes = plannedRows(r.catalog, rows);
      return r;
    } catch (error) {
      await db.close().catch(() => undefined);
      throw error;
    }
  }

  /**
   * One statement at a time: EXPLAIN runs inside BEGIN … ROLLBACK and proofs build a scratch index,
   * so two requests must not interleave on the one embedded connection.
   */
  async lock(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((resolve) => (release = resolve));
    const previous = this.tail;
    this.tail = previous.then(() => next);
    await previous;
    return release;
  }

  /**
   * Statements without bound values go through the simple protocol: EXPLAIN (GENERIC_PLAN) of a
   * statement with `$1` must not be sent as a prepared statement that expects a value for it.
   */
  readonly queryable: Queryable = {
    query: async <T>(sql: string, params?: unknown[]): Promise<{ rows: T[] }> => {
      if (params?.length) return (await this.db.query(sql, params)) as { rows: T[] };
      const results = await this.db.exec(sql);
      return { rows: (results.at(-1)?.rows ?? []) as T[] };
    },
  };

  async refreshCatalog(): Promise<void> {
    this.catalog = await readCatalog(this.queryable);
    const parts = await this.db.query<{ schema: string; name: string; pschema: string; parent: string }>(
      `SELECT cn.nspname AS schema, c.relname AS name, pn.nspname AS pschema, p.relname AS parent
         FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_namespace cn ON cn.oid = c.relnamespace
         JOIN pg_class p ON p.oid = i.inhparent JOIN pg_namespace pn ON pn.oid = p.relnamespace`,
    );
    this.partitionParent = new Map(parts.rows.map((p) => [`${p.schema}.${p.name}`, { schema: p.pschema, name: p.parent }]));
  }

  rowsOf(schema: string | undefined, name: string): number | undefined {
    const s = schema ?? 'public';
    const parent = this.partitionParent.get(`${s}.${name}`);
    const t = this.catalog.find((x) => x.schema === (parent?.schema ?? s) && x.name === (parent?.name ?? name));
    return t ? t.rows : undefined;
  }

  /** Fill the given tables (once), with their secondary indexes built after the load, then ANALYZE. */
  async ensureData(tables: Array<{ schema: string; name: string }>): Promise<void> {
    let changed = false;
    for (const ref of tables) {
      const parent = this.partitionParent.get(`${ref.schema}.${ref.name}`);
      const t = this.catalog.find((x) => x.schema === (parent?.schema ?? ref.schema) && x.name === (parent?.name ?? ref.name));
      if (!t || this.loaded.has(tableKey(t))) continue;
      this.loaded.add(tableKey(t));
      const count = this.sizes.get(tableKey(t)) ?? this.rows;
      const insert = insertStatement(t, count, this.sizes);
      if (!insert) {
        this.warnings.push({ statement: `rows for ${tableKey(t)}`, message: 'a NOT NULL column has a type Keel cannot generate values for; the table stays empty' });
        continue;
      }
      // Secondary indexes are cheaper to build once after the load than to maintain row by row.
      const secondary = t.indexDefs.filter((i) => !i.constraint);
      for (const ix of secondary) await this.db.exec(`DROP INDEX IF EXISTS ${qualifiedIndex(t.schema, ix.name)}`);
      // Foreign-key checks would cost a trigger call per row; the planner doesn't need them enforced.
      await this.db.exec(`ALTER TABLE ${qualified(t)} DISABLE TRIGGER ALL`);
      try {
        await this.db.exec(insert);
      } catch (error) {
        this.warnings.push({ statement: `rows for ${tableKey(t)}`, message: (error as Error).message });
      } finally {
        await this.db.exec(`ALTER TABLE ${qualified(t)} ENABLE TRIGGER ALL`);
      }
      for (const ix of secondary) await this.db.exec(ix.def);
      await this.db.exec(`ANALYZE ${qualified(t)}`);
      changed = true;
    }
    if (changed) await this.refreshCatalog();
  }

  async close(): Promise<void> {
    await this.db.close().catch(() => undefined);
  }
}

function qualifiedIndex(schema: string, name: string): string {
  return `"${schema.replace(/"/g, '""')}"."${name.replace(/"/g, '""')}"`;
}
