/**
 * Synthetic rows at production scale for the embedded rehearsal. The planner only needs realistic
 * sizes and distributions, so each table gets one `INSERT … SELECT … FROM generate_series` that
 * PostgreSQL runs at full speed inside the wasm build — no rows cross into JavaScript.
 *
 * Sizes follow the foreign-key graph: tables nobody references (orders' line items, events, logs)
 * are the big ones and get the full row count; every step up towards the referenced parents divides
 * it by ten (users, products, categories), never below 100. Foreign keys point at existing parent
 * ids with a skew (a few parents own many children, as in real data), text columns draw from a
 * skewed vocabulary, unique columns stay unique, and nullable columns are 10% NULL.
 */
import type { CatalogTable } from './catalog';
import { quoteIdent } from './schema/model';

export const DEFAULT_ROWS = 1_000_000;
const FANOUT = 10;
const MIN_ROWS = 100;

export function tableKey(t: { schema: string; name: string }): string {
  return t.schema === 'public' ? t.name : `${t.schema}.${t.name}`;
}

export function qualified(t: { schema: string; name: string }): string {
  return `${quoteIdent(t.schema)}.${quoteIdent(t.name)}`;
}

/** Rows per table: the full count for the leaves of the FK graph, a tenth per level above them. */
export function plannedRows(tables: readonly CatalogTable[], rows: number): Map<string, number> {
  const referencedBy = new Map<string, string[]>();
  for (const t of tables) {
    for (const fk of t.foreignKeys) {
      if (fk.refTable === tableKey(t)) continue; // self-reference (parent_id) is not a level
      const list = referencedBy.get(fk.refTable) ?? [];
      list.push(tableKey(t));
      referencedBy.set(fk.refTable, list);
    }
  }
  const height = new Map<string, number>();
  const visiting = new Set<string>();
  const heightOf = (key: string): number => {
    if (height.has(key)) return height.get(key)!;
    if (visiting.has(key)) return 0; // a cycle: treat as a leaf rather than loop
    visiting.add(key);
    const children = referencedBy.get(key) ?? [];
    const h = children.length ? 1 + Math.max(...children.map(heightOf)) : 0;
    visiting.delete(key);
    height.set(key, h);
    return h;
  };
  // Among the leaves, the fact tables (most foreign keys: order items, reviews) are the largest;
  // a leaf with fewer references (a user's addresses) is a step smaller.
  const maxFks = Math.max(0, ...tables.map((t) => t.foreignKeys.length));
  const out = new Map<string, number>();
  for (const t of tables) {
    const h = heightOf(tableKey(t));
    const leafStep = h === 0 && t.foreignKeys.length < maxFks ? 1 : 0;
    out.set(tableKey(t), Math.max(MIN_ROWS, Math.round(rows / FANOUT ** (h + leafStep))));
  }
  return out;
}

/** The INSERT that fills one table, or undefined when a NOT NULL column has a type we can't make. */
export function insertStatement(table: CatalogTable, count: number, sizes: ReadonlyMap<string, number>): string | undefined {
  const uniqueCols = new Set(table.indexes.filter((i) => i.unique && i.columns.length === 1).map((i) => i.columns[0]));
  const pk = table.primaryKey;
  const fkOf = new Map<string, { table: string; rows: number }>();
  for (const fk of table.foreignKeys) {
    if (fk.columns.length !== 1) continue;
    const parentRows = fk.refTable === tableKey(table) ? count : sizes.get(fk.refTable) ?? MIN_ROWS;
    fkOf.set(fk.columns[0], { table: fk.refTable, rows: parentRows });
  }
  const names: string[] = [];
  const values: string[] = [];
  // A composite primary key gets a mixed-radix walk over its columns' ranges, so pairs stay unique.
  let radix = 1;
  for (const col of table.columns) {
    let expr: string | undefined;
    const pkPos = pk.indexOf(col.name);
    const fk = fkOf.get(col.name);
    if (pkPos >= 0 && pk.length > 1) {
      const span = fk?.rows ?? count;
      expr = castTo(`(((g - 1) / ${radix}) % ${span} + 1)`, col.type);
      radix *= span;
    } else if (pkPos >= 0 || uniqueCols.has(col.name)) {
      expr = uniqueValue(col.type, col.name);
    } else if (fk) {
      // Skewed towards low ids: a few parents own many children.
      expr = castTo(`(1 + floor(power(random(), 2) * ${fk.rows}))::bigint`, col.type);
    } else {
      expr = ordinaryValue(col.type, col.name, col.enumValues);
    }
    if (expr === undefined) {
      if (col.hasDefault || col.nullable) continue;
      return undefined;
    }
    if (col.nullable && pkPos < 0 && !uniqueCols.has(col.name)) expr = `CASE WHEN random() < 0.1 THEN NULL ELSE ${expr} END`;
    names.push(quoteIdent(col.name));
    values.push(expr);
  }
  if (!names.length) return `INSERT INTO ${qualified(table)} SELECT FROM generate_series(1, ${count}) g`;
  return `INSERT INTO ${qualified(table)} (${names.join(', ')}) SELECT ${values.join(', ')} FROM generate_series(1, ${count}) g`;
}

const INTEGER = /^(integer|bigint|smallint|int[248]?|serial|bigserial|smallserial)$/;
const NUMERIC = /^(numeric|decimal|real|double precision|float[48]?|money)/;
const TEXT = /^(text|character varying|varchar|citext|character|char|name)\b/;
const TIME = /^(timestamp|date|time)/;

function castTo(intExpr: string, type: string): string {
  if (INTEGER.test(type) || NUMERIC.test(type)) return `${intExpr}::${baseType(type)}`;
  if (TEXT.test(type)) return `(${intExpr})::text`;
  if (type === 'uuid') return `md5((${intExpr})::text)::uuid`;
  return `${intExpr}::${baseType(type)}`;
}

function baseType(type: string): string {
  return type === 'serial' ? 'integer' : type === 'bigserial' ? 'bigint' : type === 'smallserial' ? 'smallint' : type;
}

function lengthOf(type: string): number | undefined {
  const m = /\((\d+)\)/.exec(type);
  return m ? Number(m[1]) : undefined;
}

function uniqueValue(type: string, name: string): string | undefined {
  if (INTEGER.test(type)) return `g::${baseType(type)}`;
  if (NUMERIC.test(type)) return `g::${baseType(type)}`;
  if (type === 'uuid') return `md5(g::text)::uuid`;
  if (TEXT.test(type)) {
    const len = lengthOf(type);
    // Email-shaped for columns that look like it: plausible for LIKE and equality alike.
    const base = /mail/i.test(name) ? `'user' || g || '@example.com'` : `'${sqlWord(name)}-' || g`;
    return len ? `right(${base}, ${len})` : base;
  }
  if (TIME.test(type)) return `(timestamp '2020-01-01' + g * interval '1 second')::${type}`;
  return undefined;
}

function ordinaryValue(type: string, name: string, enumValues?: string[]): string | undefined {
  if (enumValues?.length) {
    const list = enumValues.map((v) => `'${v.replace(/'/g, "''")}'`).join(', ');
    // Skewed: the first labels (PENDING, ACTIVE …) are the common ones, like real status columns.
    return `(ARRAY[${list}])[1 + floor(power(random(), 2) * ${enumValues.length})::int]::${type}`;
  }
  if (type === 'boolean') return 'random() < 0.3';
  if (type === 'smallint') return '(random() * 1000)::smallint';
  if (INTEGER.test(type)) return `(power(random(), 2) * 10000)::${baseType(type)}`;
  if (NUMERIC.test(type)) return `(random() * 10000)::numeric(12, 2)::${baseType(type)}`;
  if (TEXT.test(type)) {
    const len = lengthOf(type);
    const base = `'${sqlWord(name)} ' || floor(power(random(), 3) * 5000)::int`;
    return len ? `left(${base}, ${len})` : base;
  }
  if (TIME.test(type)) return `(now() - random() * interval '730 days')::${type}`;
  if (type === 'uuid') return 'md5(random()::text)::uuid';
  if (type === 'json' || type === 'jsonb') return `'{}'::${type}`;
  if (type === 'bytea') return `'\\x00'::bytea`;
  if (type.endsWith('[]')) return `'{}'::${type}`;
  if (type === 'tsvector') return `to_tsvector('simple', '${sqlWord(name)} ' || g)`;
  if (type === 'inet') return `('10.0.' || (g % 256) || '.' || (g / 256 % 256))::inet`;
  return undefined;
}

function sqlWord(name: string): string {
  return name.replace(/[^A-Za-z0-9_]/g, '').slice(0, 20) || 'v';
}
