/**
 * Raw-SQL sinks in Python data-access libraries: DB-API `cursor.execute`/`executemany` (psycopg,
 * pymysql, sqlite3, Django's connection.cursor()), SQLAlchemy `text()`/`exec_driver_sql`, Django
 * `Manager.raw`, `QuerySet.extra` and `RawSQL`, asyncpg `fetch*`/`execute`.
 */
import type { SyntaxNode } from '../../syntax/treeSitter';
import { keywordArg, positionalArgs, pyPath } from './syntax';

export type PyDriver = 'dbapi' | 'sqlite' | 'sqlalchemy-text' | 'asyncpg' | 'django-raw' | 'django-extra';

export interface PySink {
  call: SyntaxNode;
  sqlArg: SyntaxNode;
  shape: 'statement' | 'fragment';
  api: string;
  driver: PyDriver;
}

/** Modules imported by the file, for picking the placeholder style. */
export function importedPyModules(imports: readonly SyntaxNode[]): Set<string> {
  const out = new Set<string>();
  for (const n of imports) {
    const mod = n.type === 'import_from_statement' ? n.childForFieldName('module_name')?.text : n.namedChildren[0]?.text;
    if (mod) out.add(mod.split('.')[0].replace(/^aliased_import$/, ''));
    if (n.type === 'import_statement') for (const d of n.descendantsOfType('dotted_name')) if (d) out.add(d.text.split('.')[0]);
  }
  return out;
}

export function pySinkOf(call: SyntaxNode, modules: ReadonlySet<string>): PySink | null {
  const fn = call.childForFieldName('function');
  if (!fn) return null;
  const path = pyPath(fn);
  const name = path[path.length - 1];
  const args = positionalArgs(call);
  const first = args[0] ?? keywordArg(call, 'sql') ?? keywordArg(call, 'query') ?? keywordArg(call, 'statement');
  const api = path.join('.');
  const make = (sqlArg: SyntaxNode, shape: PySink['shape'], driver: PyDriver): PySink => ({ call, sqlArg, shape, api, driver });
  if (name === 'extra') {
    for (const kw of ['where', 'select', 'tables', 'order_by']) {
      const v = keywordArg(call, kw);
      if (v) return make(v, 'fragment', 'django-extra');
    }
    return null;
  }
  if (!first) return null;
  if (name === 'text' && (path.length === 1 || /^(sa|sqlalchemy)$/.test(path[0]))) return make(first, 'statement', 'sqlalchemy-text');
  if (name === 'RawSQL') return make(first, 'fragment', 'django-raw');
  if (name === 'raw' && path.includes('objects')) return make(first, 'statement', 'django-raw');
  if (fn.type !== 'attribute') return null;
  if (name === 'execute' || name === 'executemany' || name === 'executescript' || name === 'exec_driver_sql' || name === 'mogrify') {
    if (modules.has('asyncpg')) return make(first, 'statement', 'asyncpg');
    return make(first, 'statement', modules.has('sqlite3') || modules.has('aiosqlite') ? 'sqlite' : 'dbapi');
  }
  if ((name === 'fetch' || name === 'fetchrow' || name === 'fetchval') && modules.has('asyncpg')) return make(first, 'statement', 'asyncpg');
  return null;
}
