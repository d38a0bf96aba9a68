/**
 * Finds the schema a workspace declares. Migrations are the most faithful source (they are what ran
 * against production), so SQL migrations win, then Knex migrations; then the schema the code
 * declares: Prisma, TypeORM entities, SQLAlchemy and Django models. Nothing is guessed from other
 * application code here.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { walkWorkspace } from '../../workspace/walker';
import { parseKnexMigrations, parseTypeOrmEntities } from './jsModels';
import type { SchemaOrigin, SchemaTable, WorkspaceSchema } from './model';
import { parsePrismaSchema, type PrismaSchema } from './prisma';
import { djangoAppLabel, parseDjangoModels, parseSqlAlchemyModels, tablesDdl } from './pythonModels';
import { splitSqlScript } from './sqlScript';

const MAX_SCHEMA_FILE = 2 * 1024 * 1024;
const JS_SOURCE = /\.(ts|js|mjs|cjs|mts|cts)$/;

export async function discoverSchema(root: string, signal?: AbortSignal): Promise<WorkspaceSchema> {
  const { files } = await walkWorkspace([root], { maxFileSizeBytes: MAX_SCHEMA_FILE, signal });
  const read = (abs: string): Promise<string> => fs.readFile(abs, 'utf8');
  const byPath = (a: { rel: string }, b: { rel: string }): number => a.rel.localeCompare(b.rel, 'en');

  let prisma: PrismaSchema | undefined;
  let prismaPath: string | undefined;
  for (const f of files.filter((x) => x.rel.endsWith('.prisma')).sort(byPath)) {
    const parsed = parsePrismaSchema(await read(f.abs));
    if (parsed.tables.length && (!prisma || path.posix.basename(f.rel) === 'schema.prisma')) (prisma = parsed), (prismaPath = f.rel);
  }
  const withPrisma = (schema: WorkspaceSchema): WorkspaceSchema => (prisma ? { ...schema, prisma } : schema);

  const ddl: string[] = [];
  const sqlPaths: string[] = [];
  for (const f of files.filter((x) => x.rel.endsWith('.sql')).sort(byPath)) {
    const text = await read(f.abs);
    if (!/\bcreate\s+table\b/i.test(text) && !/\balter\s+table\b/i.test(text) && !/\bcreate\s+(unique\s+)?index\b/i.test(text)) continue;
    sqlPaths.push(f.rel);
    ddl.push(...splitSqlScript(text).filter(isSchemaStatement));
  }
  if (ddl.length && sqlPaths.length) return withPrisma({ origin: [{ kind: 'sql-migrations', paths: sqlPaths }], ddl });

  // Knex migrations run in file-name order (their names start with a timestamp) and live in a
  // migrations folder by Knex's convention: only those files are read here.
  const jsFiles = files.filter((f) => JS_SOURCE.test(f.rel) && !f.rel.endsWith('.d.ts')).sort(byPath);
  const knex: Array<{ rel: string; text: string }> = [];
  for (const f of jsFiles.filter((x) => /(^|\/)[^/]*migrat[^/]*\//i.test(x.rel))) {
    const text = await read(f.abs);
    if (/\.schema\s*\.\s*(createTable|createTableIfNotExists|alterTable|table)\s*\(/.test(text)) knex.push({ rel: f.rel, text });
  }
  const knexTables = parseKnexMigrations(knex.map((k) => k.text));
  if (knexTables.length) return withPrisma(fromTables([{ kind: 'knex', paths: knex.map((k) => k.rel) }], knexTables));

  if (prisma && prismaPath) return { origin: [{ kind: 'prisma', paths: [prismaPath] }], ddl: prisma.ddl, tables: prisma.tables, prisma };

  // Entities can live anywhere, so this reads every source file — only when nothing above answered.
  const typeorm: Array<{ rel: string; text: string }> = [];
  for (const f of jsFiles) {
    const text = await read(f.abs);
    if (/@Entity\s*\(/.test(text) && /typeorm/.test(text)) typeorm.push({ rel: f.rel, text });
  }

  // ORM models last: they are what the code believes the schema is, migrations are what ran.
  const origin: SchemaOrigin[] = [];
  const tables: SchemaTable[] = [];
  const typeormTables = typeorm.flatMap((t) => parseTypeOrmEntities(t.text));
  if (typeormTables.length) (tables.push(...typeormTables), origin.push({ kind: 'typeorm', paths: typeorm.map((t) => t.rel) }));
  const saPaths: string[] = [];
  const djangoPaths: string[] = [];
  for (const f of files.filter((x) => x.rel.endsWith('.py'))) {
    const text = await read(f.abs);
    if (/\b(mapped_column|Column)\s*\(/.test(text) && /__tablename__/.test(text)) {
      const found = parseSqlAlchemyModels(text);
      if (found.length) (tables.push(...found), saPaths.push(f.rel));
    } else if (/\bmodels\.Model\b/.test(text) && /from django\.db import models|import django/.test(text)) {
      const found = parseDjangoModels(text, djangoAppLabel(f.rel));
      if (found.length) (tables.push(...found), djangoPaths.push(f.rel));
    }
  }
  if (saPaths.length) origin.push({ kind: 'sqlalchemy', paths: saPaths });
  if (djangoPaths.length) origin.push({ kind: 'django', paths: djangoPaths });
  return tables.length ? fromTables(origin, tables) : { origin: [], ddl: [] };
}

function fromTables(origin: SchemaOrigin[], tables: SchemaTable[]): WorkspaceSchema {
  return { origin, ddl: tablesDdl(tables), tables };
}

/** Data statements in migrations (seed INSERTs, UPDATE backfills) are not schema; skip them. */
function isSchemaStatement(statement: string): boolean {
  return /^\s*(create|alter|comment\s+on)\b/i.test(statement) && !/^\s*create\s+(database|role|user)\b/i.test(statement);
}
