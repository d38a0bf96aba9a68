/**
 * Reads tables, columns, keys and indexes from a live PostgreSQL catalog — the embedded rehearsal
 * database after the workspace's DDL ran, or a configured dev database. Both answer through the
 * same tiny `Queryable` shape, so plans and advice never care which one they talk to.
 */
import type { SchemaTable } from './schema/model';

export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
}

export interface CatalogTable extends SchemaTable {
  oid: number;
  /** pg_class.reltuples after ANALYZE (-1 or 0 before). */
  rows: number;
  /** Index definitions (`CREATE INDEX …`) with the columns each one leads with. */
  indexDefs: Array<{ name: string; def: string; columns: string[]; constraint: boolean }>;
}

export async function readCatalog(db: Queryable): Promise<CatalogTable[]> {
  const tables = await db.query<{ oid: number; schema: string; name: string; rows: number }>(
    `SELECT c.oid::int AS oid, n.nspname AS schema, c.relname AS name, c.reltuples::float8 AS rows
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
        AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
      ORDER BY 2, 3`,
  );
  const columns = await db.query<{ oid: number; name: string; type: string; notnull: boolean; hasdefault: boolean; enumvalues: string[] | null }>(
    `SELECT a.attrelid::int AS oid, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
            a.attnotnull AS notnull, a.atthasdef AS hasdefault,
            (SELECT array_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = a.atttypid) AS enumvalues
       FROM pg_attribute a
      WHERE a.attnum > 0 AND NOT a.attisdropped
        AND a.attrelid IN (SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                            WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema'))
      ORDER BY a.attrelid, a.attnum`,
  );
  const constraints = await db.query<{ oid: number; type: string; cols: string[]; reftable: string | null; refschema: string | null; refcols: string[] | null }>(
    `SELECT k.conrelid::int AS oid, k.contype::text AS type,
            (SELECT array_agg(a.attname ORDER BY u.ord) FROM unnest(k.conkey) WITH ORDINALITY u(attnum, ord)
               JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.attnum) AS cols,
            rc.relname AS reftable, rn.nspname AS refschema,
            (SELECT array_agg(a.attname ORDER BY u.ord) FROM unnest(k.confkey) WITH ORDINALITY u(attnum, ord)
               JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.attnum) AS refcols
       FROM pg_constraint k
       LEFT JOIN pg_class rc ON rc.oid = k.confrelid
       LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace
      WHERE k.contype IN ('p', 'u', 'f')`,
  );
  const indexes = await db.query<{ oid: number; name: string; def: string; unique: boolean; cols: string[] | null; constraint: boolean }>(
    `SELECT i.indrelid::int AS oid, ic.relname AS name, pg_get_indexdef(i.indexrelid) AS def, i.indisunique AS unique,
            (SELECT array_agg(a.attname ORDER BY u.ord) FROM unnest(i.indkey::int2[]) WITH ORDINALITY u(attnum, ord)
               JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = u.attnum) AS cols,
            EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) AS constraint
       FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid`,
  );
  return tables.rows.map((t) => {
    const own = <R extends { oid: number }>(rows: R[]): R[] => rows.filter((r) => r.oid === t.oid);
    const cons = own(constraints.rows);
    const idx = own(indexes.rows);
    return {
      oid: t.oid,
      schema: t.schema,
      name: t.name,
      rows: Number(t.rows),
      columns: own(columns.rows).map((c) => ({
        name: c.name,
        type: c.type,
        nullable: !c.notnull,
        ...(c.hasdefault ? { hasDefault: true } : {}),
        ...(c.enumvalues ? { enumValues: c.enumvalues } : {}),
      })),
      primaryKey: cons.find((c) => c.type === 'p')?.cols ?? [],
      foreignKeys: cons
        .filter((c) => c.type === 'f' && c.reftable)
        .map((c) => ({ columns: c.cols, refTable: c.refschema === 'public' ? c.reftable! : `${c.refschema}.${c.reftable}`, refColumns: c.refcols ?? [] })),
      indexes: idx.map((i) => ({ name: i.name, columns: i.cols ?? [], unique: i.unique })),
      indexDefs: idx.map((i) => ({ name: i.name, def: i.def, columns: i.cols ?? [], constraint: i.constraint })),
    };
  });
}
