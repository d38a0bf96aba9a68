/**
 * Raw-SQL sinks in Python data-access libraries: DB-API `cursor.execute`/`executemany` (psycopg,
 * pymysql, sqlite3, Django's connection.cursor()), SQLAlchemy `text()`/`exec_driver_sql`, Django
 * `Manager.raw`, `QuerySet.extra` and `RawSQL`, asyncpg `fetch*`/`execute`.
 */
import type { SyntaxNode } from '../../syntax/treeSitter';
import { keywordArg, positionalArgs, pyPath } from './syntax';

import { DJANGO_EXTRA_KEYWORDS, PY_SINKS, type PyDriver, type PySinkEntry } from './tables';

export type { PyDriver } from './tables';

export interface PySink {
  call: SyntaxNode;
  sqlArg: SyntaxNode;
  shape: 'statement' | 'fragment';
  api: string;
  driver: PyDriver;
  /** Any formatted text counts (see PySinkEntry.rawOnly). */
  rawOnly?: boolean;
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
  const api = path.join('.');
  const make = (sqlArg: SyntaxNode, shape: PySink['shape'], driver: PyDriver, rawOnly?: boolean): PySink => ({ call, sqlArg, shape, api, driver, rawOnly });
  if (name === 'extra' && fn.type === 'attribute') {
    for (const kw of DJANGO_EXTRA_KEYWORDS) {
      const v = keywordArg(call, kw);
      if (v) return make(v, 'fragment', 'django-extra');
    }
    return args[0] ? make(args[0], 'fragment', 'django-extra') : null;
  }
  const entry = sinkEntryFor(fn, path, modules);
  if (!entry) return null;
  let first: SyntaxNode | null = args[0] ?? null;
  for (const kw of entry.keywords ?? []) first ??= keywordArg(call, kw);
  if (!first) return null;
  let driver = entry.driver;
  if (driver === 'dbapi' && modules.has('asyncpg')) driver = 'asyncpg';
  return make(first, entry.shape, driver, entry.rawOnly);
}

/** The table entry a callee matches; the first match wins (more specific entries come first by module). */
function sinkEntryFor(fn: SyntaxNode, path: readonly string[], modules: ReadonlySet<string>): PySinkEntry | undefined {
  const name = path[path.length - 1];
  let fallback: PySinkEntry | undefined;
  for (const e of PY_SINKS) {
    if (!e.methods.includes(name)) continue;
    if (e.receiver === 'attribute' && fn.type !== 'attribute') continue;
    if (e.receiver === 'objects' && !path.includes('objects')) continue;
    if (e.receiver === 'module' && !(path.length === 1 || /^(sa|sqlalchemy|sql|expression|db)$/.test(path[path.length - 2] ?? '') || /^(sa|sqlalchemy)$/.test(path[0]))) continue;
    if (e.needsModule) {
      if (e.needsModule.some((m) => modules.has(m))) return e;
      continue;
    }
    fallback ??= e;
  }
  return fallback;
}
