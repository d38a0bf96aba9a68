/**
 * Prisma schema → PostgreSQL DDL, the way `prisma migrate` lays tables out: model and field names
 * (or their @@map / @map) become quoted identifiers, @id / @unique / @@index / @@unique become keys
 * and indexes, and a relation's `fields` become a foreign key — which, in PostgreSQL, Prisma does
 * NOT index. That last fact is the one the plan check most often catches.
 */
import { quoteIdent, type SchemaTable } from './model';
import { tablesDdl } from './pythonModels';

const SCALARS: Record<string, string> = {
  Int: 'integer',
  BigInt: 'bigint',
  String: 'text',
  Boolean: 'boolean',
  DateTime: 'timestamp(3)',
  Float: 'double precision',
  Decimal: 'numeric(65,30)',
  Json: 'jsonb',
  Bytes: 'bytea',
};

/** Native type attributes (`@db.VarChar(255)`) → the PostgreSQL type they declare. */
const NATIVE: Record<string, string> = {
  VarChar: 'varchar',
  Char: 'char',
  Text: 'text',
  Uuid: 'uuid',
  SmallInt: 'smallint',
  Integer: 'integer',
  BigInt: 'bigint',
  Timestamptz: 'timestamptz',
  Timestamp: 'timestamp',
  Date: 'date',
  Decimal: 'numeric',
  Money: 'money',
  Real: 'real',
  DoublePrecision: 'double precision',
  JsonB: 'jsonb',
  Json: 'json',
  Boolean: 'boolean',
  Citext: 'citext',
  Inet: 'inet',
};

interface Block {
  kind: 'model' | 'enum';
  name: string;
  lines: string[];
}

export interface PrismaSchema {
  tables: SchemaTable[];
  enums: Map<string, { dbName: string; values: string[] }>;
  /** table name → the model it maps (for `prisma.<model>` accessors). */
  modelOf: Map<string, string>;
  /** table name → field name → column name (fields with `@map`). */
  columnOf: Map<string, Map<string, string>>;
  ddl: string[];
}

function blocks(text: string): Block[] {
  const out: Block[] = [];
  const noComments = text.replace(/\/\/.*$/gm, '');
  const re = /\b(model|enum)\s+(\w+)\s*\{([^}]*)\}/g;
  for (let m = re.exec(noComments); m; m = re.exec(noComments)) {
    out.push({ kind: m[1] as Block['kind'], name: m[2], lines: m[3].split('\n').map((l) => l.trim()).filter(Boolean) });
  }
  return out;
}

/** `[a, b(sort: Desc), c]` → ['a', 'b', 'c']. */
function listArg(text: string | undefined): string[] {
  if (!text) return [];
  return text
    .replace(/^\[|\]$/g, '')
    .split(',')
    .map((s) => s.trim().replace(/\(.*$/, '').trim())
    .filter(Boolean);
}

/** The argument text of `@name(...)` with balanced parentheses, or undefined when absent. */
function attrArgs(line: string, name: string): string | undefined {
  const re = new RegExp(`${name.replace(/[.@]/g, (c) => `\\${c}`)}(?![\\w.])`);
  const m = re.exec(line);
  if (!m) return undefined;
  let i = m.index + m[0].length;
  if (line[i] !== '(') return '';
  let depth = 0;
  const start = i + 1;
  for (; i < line.length; i++) {
    if (line[i] === '(') depth++;
    else if (line[i] === ')' && --depth === 0) return line.slice(start, i);
  }
  return line.slice(start);
}

function named(args: string | undefined, key: string): string | undefined {
  if (args === undefined) return undefined;
  const m = new RegExp(`${key}\\s*:\\s*(\\[[^\\]]*\\]|"[^"]*"|\\w+)`).exec(args);
  return m?.[1];
}

function unquote(s: string | undefined): string | undefined {
  return s?.replace(/^"|"$/g, '');
}

export function parsePrismaSchema(text: string): PrismaSchema {
  const all = blocks(text);
  const enums = new Map<string, { dbName: string; values: string[] }>();
  for (const b of all.filter((x) => x.kind === 'enum')) {
    const map = b.lines.find((l) => l.startsWith('@@map'));
    const values = b.lines.filter((l) => !l.startsWith('@@')).map((l) => l.split(/\s+/)[0]);
    enums.set(b.name, { dbName: unquote(attrArgs(map ?? '', '@@map')?.trim()) ?? b.name, values });
  }
  const models = all.filter((b) => b.kind === 'model');
  const tableName = new Map<string, string>();
  for (const m of models) {
    const map = m.lines.find((l) => l.startsWith('@@map'));
    tableName.set(m.name, unquote(map ? attrArgs(map, '@@map')?.trim() : undefined) ?? m.name);
  }

  const tables: SchemaTable[] = [];
  const modelOf = new Map<string, string>();
  const columnOf = new Map<string, Map<string, string>>();
  for (const m of models) {
    const table: SchemaTable = { schema: 'public', name: tableName.get(m.name)!, columns: [], primaryKey: [], foreignKeys: [], indexes: [] };
    const fieldColumn = new Map<string, string>();
    modelOf.set(table.name, m.name);
    columnOf.set(table.name, fieldColumn);
    const fieldLines = m.lines.filter((l) => !l.startsWith('@@'));
    for (const line of fieldLines) {
      const fm = /^(\w+)\s+(\w+)(\[\])?(\?)?(.*)$/.exec(line);
      if (!fm) continue;
      const [, field, type, list, optional, rest] = fm;
      fieldColumn.set(field, unquote(attrArgs(rest, '@map')?.trim()) ?? field);
      if (tableName.has(type)) {
        // A relation field: no column, but `fields` on this side is a foreign key.
        const rel = attrArgs(rest, '@relation');
        const fields = listArg(named(rel, 'fields'));
        const refs = listArg(named(rel, 'references'));
        if (fields.length) table.foreignKeys.push({ columns: fields, refTable: type, refColumns: refs });
        continue;
      }
      const native = /@db\.(\w+)(\(([^)]*)\))?/.exec(rest);
      let sqlType = enums.has(type) ? quoteIdent(enums.get(type)!.dbName) : SCALARS[type] ?? 'text';
      if (native && NATIVE[native[1]]) sqlType = NATIVE[native[1]] + (native[3] ? `(${native[3]})` : '');
      if (list) sqlType += '[]';
      const def = attrArgs(rest, '@default');
      if (def?.startsWith('autoincrement')) sqlType = type === 'BigInt' ? 'bigserial' : 'serial';
      table.columns.push({
        name: fieldColumn.get(field)!,
        type: sqlType,
        nullable: Boolean(optional),
        ...(enums.has(type) ? { enumValues: enums.get(type)!.values } : {}),
      });
      if (/@id\b/.test(rest)) table.primaryKey = [fieldColumn.get(field)!];
      if (/@unique\b/.test(rest)) table.indexes.push({ columns: [fieldColumn.get(field)!], unique: true });
    }
    const col = (f: string): string => fieldColumn.get(f) ?? f;
    for (const fk of table.foreignKeys) {
      fk.columns = fk.columns.map(col);
    }
    for (const line of m.lines.filter((l) => l.startsWith('@@'))) {
      const kind = /^@@(\w+)/.exec(line)?.[1];
      const args = attrArgs(line, `@@${kind}`) ?? '';
      const cols = listArg(/^\s*\[/.test(args) ? /^\s*(\[[^\]]*\])/.exec(args)?.[1] : named(args, 'fields')).map(col);
      if (kind === 'id') table.primaryKey = cols;
      else if (kind === 'unique') table.indexes.push({ columns: cols, unique: true });
      else if (kind === 'index') table.indexes.push({ columns: cols, unique: false });
    }
    tables.push(table);
  }
  // Foreign keys name models; resolve them to table names and the referenced columns' db names.
  for (const t of tables) {
    for (const fk of t.foreignKeys) {
      const model = models.find((m) => m.name === fk.refTable);
      fk.refTable = tableName.get(fk.refTable) ?? fk.refTable;
      if (model) {
        fk.refColumns = fk.refColumns.map((f) => {
          const line = model.lines.find((l) => l.startsWith(`${f} `));
          return unquote(line ? attrArgs(line, '@map')?.trim() : undefined) ?? f;
        });
      }
    }
  }
  return { tables, enums, modelOf, columnOf, ddl: prismaDdl(tables, enums) };
}

function prismaDdl(tables: SchemaTable[], enums: PrismaSchema['enums']): string[] {
  const types = [...enums.values()].map((e) => `CREATE TYPE ${quoteIdent(e.dbName)} AS ENUM (${e.values.map((v) => `'${v.replace(/'/g, "''")}'`).join(', ')})`);
  return [...types, ...tablesDdl(tables)];
}
