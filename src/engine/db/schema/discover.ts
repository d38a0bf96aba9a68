/**
 * Finds the schema a workspace declares. SQL migrations are the most faithful source (they are what
 * ran against production), so when the workspace has SQL files that create tables they win; a Prisma
 * schema is used otherwise. Nothing is guessed from application code here.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { walkWorkspace } from '../../workspace/walker';
import type { WorkspaceSchema } from './model';
import { parsePrismaSchema } from './prisma';
import { djangoAppLabel, parseDjangoModels, parseSqlAlchemyModels, tablesDdl } from './pythonModels';
import { splitSqlScript } from './sqlScript';

const MAX_SCHEMA_FILE = 2 * 1024 * 1024;

export async function discoverSchema(root: string, signal?: AbortSignal): Promise<WorkspaceSchema> {
  const { files } = await walkWorkspace([root], { maxFileSizeBytes: MAX_SCHEMA_FILE, signal });
  const sqlFiles = files.filter((f) => f.rel.endsWith('.sql')).sort((a, b) => a.rel.localeCompare(b.rel, 'en'));
  const prismaFiles = files.filter((f) => path.posix.basename(f.rel) === 'schema.prisma' || f.rel.endsWith('.prisma'));

  const ddl: string[] = [];
  const sqlPaths: string[] = [];
  for (const f of sqlFiles) {
    const text = await fs.readFile(f.abs, 'utf8');
    if (!/\bcreate\s+table\b/i.test(text) && !/\balter\s+table\b/i.test(text) && !/\bcreate\s+(unique\s+)?index\b/i.test(text)) continue;
    sqlPaths.push(f.rel);
    ddl.push(...splitSqlScript(text).filter(isSchemaStatement));
  }
  if (ddl.length && sqlPaths.length) return { origin: [{ kind: 'sql-migrations', paths: sqlPaths }], ddl };

  for (const f of prismaFiles) {
    const parsed = parsePrismaSchema(await fs.readFile(f.abs, 'utf8'));
    if (parsed.tables.length) return { origin: [{ kind: 'prisma', paths: [f.rel] }], ddl: parsed.ddl };
  }
  // ORM models last: they are what the code believes the schema is, migrations are what ran.
  const pyFiles = files.filter((f) => f.rel.endsWith('.py'));
  const saPaths: string[] = [];
  const djangoPaths: string[] = [];
  const tables = [];
  for (const f of pyFiles) {
    const text = await fs.readFile(f.abs, 'utf8');
    if (/\b(mapped_column|Column)\s*\(/.test(text) && /__tablename__/.test(text)) {
      const found = parseSqlAlchemyModels(text);
      if (found.length) (tables.push(...found), saPaths.push(f.rel));
    } else if (/\bmodels\.Model\b/.test(text) && /from django\.db import models|import django/.test(text)) {
      const found = parseDjangoModels(text, djangoAppLabel(f.rel));
      if (found.length) (tables.push(...found), djangoPaths.push(f.rel));
    }
  }
  if (tables.length) {
    return {
      origin: [
        ...(saPaths.length ? [{ kind: 'sqlalchemy' as const, paths: saPaths }] : []),
        ...(djangoPaths.length ? [{ kind: 'django' as const, paths: djangoPaths }] : []),
      ],
      ddl: tablesDdl(tables),
    };
  }
  return { origin: [], ddl: [] };
}

/** Data statements in migrations (seed INSERTs, UPDATE backfills) are not schema; skip them. */
function isSchemaStatement(statement: string): boolean {
  return /^\s*(create|alter|comment\s+on)\b/i.test(statement) && !/^\s*create\s+(database|role|user)\b/i.test(statement);
}
