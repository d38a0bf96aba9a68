/**
 * Cross-file function summaries. A file's workspace imports (relative imports in JS/TS; Python
 * modules and packages, found from the importing file's package root) are read and each top-level
 * function summarised: does it run a query (N+1 through a helper), which parameter reaches a raw-SQL
 * sink (an injection sink of its own), does it return user input, does it return only safe values
 * (a sanitiser). Summaries are cached per file by content hash, so re-analysing an edited file only
 * re-reads the modules it imports when they changed on disk (a stat, then a hash on change).
 */
import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { grammarForPath, parse, type GrammarLanguage, type SyntaxNode } from '../syntax/treeSitter';
import { JsConstness } from './js/constness';
import { dbCallOf, mayBeDbCall } from './js/dbCalls';
import { SINK_NAMES, sinkOf } from './js/sinks';
import { callInfos, FUNCTION_TYPES, JS_INDEX_TYPES, unwrap } from './js/syntax';
import { lastAtOrBefore } from './model';
import { NodeIndex } from './nodeIndex';
import { PyConstness } from './python/constness';
import { pyQueryKind } from './python/nPlusOne';
import { PY_INDEX_TYPES } from './python/analyze';
import { importedPyModules, pySinkOf } from './python/sinks';
import { unwrapPy } from './python/syntax';
import { PY_SINKS } from './python/tables';
import { keepScanTree } from './treeCache';

const PY_SINK_METHODS: ReadonlySet<string> = new Set([...PY_SINKS.flatMap((e) => e.methods), 'extra']);

export interface FunctionSummary {
  /** The function runs a database query (directly or through a same-file call). */
  executesQuery: boolean;
  /** Index of the parameter that becomes the SQL text of a raw-SQL call. */
  sqlParam?: number;
  /** The function returns request/process input. */
  returnsTainted: boolean;
  /** Every value the function returns is safe to splice into SQL (numbers, allow-listed, escaped). */
  sanitises: boolean;
}

/** Local callee text (`helper`, `utils.helper`) → summary of the imported function. */
export type ImportedSummaries = ReadonlyMap<string, FunctionSummary>;

const MAX_BYTES = 1024 * 1024;
const JS_EXTENSIONS = ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.jsx', '/index.ts', '/index.tsx', '/index.js'];

interface CacheEntry {
  size: number;
  mtimeMs: number;
  hash: string;
  functions: Map<string, FunctionSummary>;
}

/** Per-file summaries, keyed by absolute path and validated by size/mtime, then content hash. */
const cache = new Map<string, CacheEntry>();
const CACHE_LIMIT = 20_000;

/** Short-lived stat results: a scan resolves the same import targets for many files in a row. */
const statCache = new Map<string, { at: number; st: import('node:fs').Stats | null }>();
const STAT_TTL_MS = 60_000;
/**
 * Short-lived folder listings (case-folded names) for scans: most import candidates do not exist (a
 * Python import tries 8 paths, a relative JS import 10), and one listing per folder answers them all
 * without a syscall each. A name in the listing is still stat'ed, so a case-insensitive file system
 * or a file created meanwhile can only cost a stat, never hide a file that exists.
 */
const dirCache = new Map<string, { at: number; names: ReadonlySet<string> | null }>();

const foldName = (name: string): string => name.normalize('NFC').toLowerCase();

function mayExist(p: string, now: number): boolean {
  const dir = path.dirname(p);
  let hit = dirCache.get(dir);
  if (!hit || now - hit.at >= STAT_TTL_MS) {
    let names: Set<string> | null = null;
    try {
      names = new Set(readdirSync(dir).map(foldName));
    } catch (error) {
      // Not a folder (or gone): nothing below it exists. Anything else (permissions): ask stat.
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') return true;
    }
    if (dirCache.size > 20_000) dirCache.clear();
    hit = { at: now, names };
    dirCache.set(dir, hit);
  }
  return hit.names !== null && hit.names.has(foldName(path.basename(p)));
}

async function statCached(p: string, reuse = true): Promise<import('node:fs').Stats | null> {
  const now = performance.now();
  const hit = statCache.get(p);
  if (reuse && hit && now - hit.at < STAT_TTL_MS) return hit.st;
  // A synchronous stat of a local path costs microseconds; the async form costs a thread-pool round
  // trip each. throwIfNoEntry: a missing file is the common answer, and an exception costs 3x the stat.
  let st: import('node:fs').Stats | null = null;
  try {
    st = reuse && !mayExist(p, now) ? null : (statSync(p, { throwIfNoEntry: false }) ?? null);
  } catch {
    st = null;
  }
  if (statCache.size > 50_000) statCache.clear();
  statCache.set(p, { at: now, st });
  return st;
}

/** A file's cached summaries in a form that crosses threads (scan workers hand them to the engine). */
export interface SummaryEntry {
  size: number;
  mtimeMs: number;
  hash: string;
  functions: Array<[string, FunctionSummary]>;
}

export function exportSummary(abs: string): SummaryEntry | undefined {
  const hit = cache.get(abs);
  return hit && { size: hit.size, mtimeMs: hit.mtimeMs, hash: hit.hash, functions: [...hit.functions] };
}

/** Take a summary recorded on another thread; validated on use like any entry (size/mtime, then hash). */
export function adoptSummary(abs: string, entry: SummaryEntry): void {
  if (cache.size >= CACHE_LIMIT && !cache.has(abs)) cache.delete(cache.keys().next().value!);
  cache.set(abs, { size: entry.size, mtimeMs: entry.mtimeMs, hash: entry.hash, functions: new Map(entry.functions) });
}

export function clearSummaryCache(): void {
  cache.clear();
  statCache.clear();
  dirCache.clear();
}

/**
 * Record the summaries of a file just analysed from its own tree, so files importing it later in the
 * same scan need not parse it again. Validated like any entry (size/mtime, then content hash).
 */
export async function seedSummaries(abs: string, text: string, language: GrammarLanguage, root: SyntaxNode, index: NodeIndex): Promise<void> {
  if (language === 'go' || language === 'java') return;
  const st = await statCached(abs);
  if (!st) return;
  const hash = createHash('sha1').update(text).digest('hex');
  const hit = cache.get(abs);
  if (hit && hit.hash === hash) return;
  const functions = language === 'python' ? summarisePython(root, index) : summariseJs(root, text, index);
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  cache.set(abs, { size: st.size, mtimeMs: st.mtimeMs, hash, functions });
}

/** Summaries of what `file` imports from the workspace; empty when its location on disk is unknown. */
export async function importedSummaries(absPath: string, language: GrammarLanguage, root: SyntaxNode, scanning = false): Promise<ImportedSummaries> {
  const out = new Map<string, FunctionSummary>();
  const imports = language === 'python' ? pythonImports(absPath, root) : jsImports(absPath, root);
  for (const imp of imports) {
    // A scan reuses stat results for a moment; an edit in the editor always sees the files as they are now.
    const target = await resolveFile(imp.candidates, scanning);
    const functions = target ? await moduleSummaries(target, scanning) : undefined;
    for (const [local, exported] of imp.names) {
      if (exported === '*') {
        for (const [name, s] of functions ?? []) out.set(`${local}.${name}`, s);
        continue;
      }
      const s = functions?.get(exported);
      if (s) {
        out.set(local, s);
        continue;
      }
      if (!imp.submodules || (functions && !target?.endsWith('__init__.py'))) continue;
      const sub = await resolveFile(imp.submodules(exported), scanning);
      const subFunctions = sub ? await moduleSummaries(sub, scanning) : undefined;
      for (const [name, fs2] of subFunctions ?? []) out.set(`${local}.${name}`, fs2);
    }
  }
  return out;
}

interface ImportSpec {
  candidates: string[];
  /** Python: where `from pkg import name` finds `name` when it is a submodule, not a function of pkg. */
  submodules?: (name: string) => string[];
  /** local name → exported name ('*' for a namespace / module object). */
  names: Map<string, string>;
}

function jsImports(absPath: string, root: SyntaxNode): ImportSpec[] {
  const out: ImportSpec[] = [];
  const dir = path.dirname(absPath);
  const candidatesFor = (spec: string): string[] => {
    const base = path.resolve(dir, spec);
    const stripped = base.replace(/\.(js|mjs|cjs)$/, '');
    return [base, ...JS_EXTENSIONS.map((e) => stripped + e)];
  };
  for (const stmt of root.namedChildren) {
    if (stmt?.type === 'import_statement') {
      const source = stmt.childForFieldName('source')?.text.replace(/['"`]/g, '');
      if (!source?.startsWith('.')) continue;
      const names = new Map<string, string>();
      for (const spec of stmt.descendantsOfType('import_specifier')) {
        const name = spec?.childForFieldName('name')?.text;
        const alias = spec?.childForFieldName('alias')?.text;
        if (name) names.set(alias ?? name, name);
      }
      for (const ns of stmt.descendantsOfType('namespace_import')) {
        const id = ns?.namedChildren.find((c) => c?.type === 'identifier');
        if (id) names.set(id.text, '*');
      }
      const clause = stmt.namedChildren.find((c) => c?.type === 'import_clause');
      const def = clause?.namedChildren.find((c) => c?.type === 'identifier');
      if (def) names.set(def.text, 'default');
      if (names.size > 0) out.push({ candidates: candidatesFor(source), names });
    } else if (stmt?.type === 'lexical_declaration' || stmt?.type === 'variable_declaration') {
      // const { a, b: c } = require('./x') / const x = require('./x')
      for (const d of stmt.namedChildren) {
        const value = d?.childForFieldName('value');
        if (!d || value?.type !== 'call_expression' || value.childForFieldName('function')?.text !== 'require') continue;
        const source = value.childForFieldName('arguments')?.namedChildren[0]?.text.replace(/['"`]/g, '');
        if (!source?.startsWith('.')) continue;
        const nameNode = d.childForFieldName('name');
        const names = new Map<string, string>();
        if (nameNode?.type === 'identifier') names.set(nameNode.text, '*');
        else if (nameNode?.type === 'object_pattern') {
          for (const p of nameNode.namedChildren) {
            if (p?.type === 'shorthand_property_identifier_pattern') names.set(p.text, p.text);
            else if (p?.type === 'pair_pattern') {
              const k = p.childForFieldName('key')?.text;
              const v = p.childForFieldName('value');
              if (k && v?.type === 'identifier') names.set(v.text, k);
            }
          }
        }
        if (names.size > 0) out.push({ candidates: candidatesFor(source), names });
      }
    }
  }
  return out;
}

function pythonImports(absPath: string, root: SyntaxNode): ImportSpec[] {
  const out: ImportSpec[] = [];
  const dir = path.dirname(absPath);
  const moduleFiles = (base: string): string[] => [`${base}.py`, path.join(base, '__init__.py')];
  // Absolute imports are looked up from the file's own folder and up to three parents (the project
  // root of a package or an app); relative imports from the dots. The first existing file wins.
  const parents = [dir, path.dirname(dir), path.dirname(path.dirname(dir)), path.dirname(path.dirname(path.dirname(dir)))];
  for (const stmt of root.namedChildren) {
    if (stmt?.type === 'import_from_statement') {
      const mod = stmt.childForFieldName('module_name');
      if (!mod) continue;
      const text = mod.text;
      const dots = /^\.*/.exec(text)![0].length;
      const rest = text.slice(dots).split('.').filter(Boolean);
      const bases = dots > 0 ? [path.join(path.resolve(dir, ...Array(dots - 1).fill('..')), ...rest)] : parents.map((p) => path.join(p, ...rest));
      const names = new Map<string, string>();
      for (const n of stmt.namedChildren) {
        if (!n || n.id === mod.id) continue;
        if (n.type === 'dotted_name') names.set(n.text, n.text);
        else if (n.type === 'aliased_import') {
          const name = n.childForFieldName('name')?.text;
          const alias = n.childForFieldName('alias')?.text;
          if (name && alias) names.set(alias, name);
        }
      }
      if (names.size === 0) continue;
      // `from pkg import module` then `module.fn()`: tried only for names the module itself lacks.
      out.push({ candidates: bases.flatMap(moduleFiles), names, submodules: (name) => bases.flatMap((b) => moduleFiles(path.join(b, name))) });
    } else if (stmt?.type === 'import_statement') {
      for (const n of stmt.namedChildren) {
        const dotted = n?.type === 'aliased_import' ? n.childForFieldName('name') : n;
        const alias = n?.type === 'aliased_import' ? n.childForFieldName('alias')?.text : dotted?.text;
        if (!dotted || !alias) continue;
        const parts = dotted.text.split('.');
        out.push({ candidates: parents.flatMap((p) => moduleFiles(path.join(p, ...parts))), names: new Map([[alias, '*']]) });
      }
    }
  }
  return out;
}

async function resolveFile(candidates: readonly string[], reuse: boolean): Promise<string | undefined> {
  for (const c of candidates) {
    const st = await statCached(c, reuse);
    if (st?.isFile() && st.size <= MAX_BYTES) return c;
  }
  return undefined;
}

/** Summaries of one module's top-level functions, from the cache when the file is unchanged. */
async function moduleSummaries(abs: string, reuse: boolean): Promise<Map<string, FunctionSummary> | undefined> {
  const st = await statCached(abs, reuse);
  if (!st) return undefined;
  const hit = cache.get(abs);
  if (hit && hit.size === st.size && hit.mtimeMs === st.mtimeMs) return hit.functions;
  const text = await fs.readFile(abs, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const hash = createHash('sha1').update(text).digest('hex');
  if (hit && hit.hash === hash) {
    hit.size = st.size;
    hit.mtimeMs = st.mtimeMs;
    return hit.functions;
  }
  const language = grammarForPath(abs);
  if (!language || !['typescript', 'tsx', 'javascript', 'python'].includes(language)) return undefined;
  const tree = await parse(language, text);
  let functions: Map<string, FunctionSummary>;
  try {
    functions = language === 'python' ? summarisePython(tree.rootNode) : summariseJs(tree.rootNode, text);
  } catch (error) {
    tree.delete();
    throw error;
  }
  // A scan will likely analyse this module soon: its analysis can take the tree (treeCache.ts).
  if (reuse) keepScanTree(abs, language, text, tree);
  else tree.delete();
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  cache.set(abs, { size: st.size, mtimeMs: st.mtimeMs, hash, functions });
  return functions;
}

const SCOPE_TYPES = new Set([...FUNCTION_TYPES, 'function_definition', 'lambda']);

/** The nearest enclosing function of `node` (a walk up the tree, not a scan of every function). */
function innermost(_functions: readonly SyntaxNode[], node: SyntaxNode): SyntaxNode | undefined {
  for (let n = node.parent; n; n = n.parent) if (SCOPE_TYPES.has(n.type)) return n;
  return undefined;
}

/** What the summaries need of a language's constness analysis. */
interface SummaryConstness {
  check(expr: SyntaxNode): { source?: unknown } | null;
  lookup(id: SyntaxNode): ReadonlyArray<{ kind: string }>;
}

/**
 * `f` runs a query; when its raw-SQL text `arg` is one of `f`'s own parameters (`isParam` names a
 * parameter node), that parameter's index becomes the summary's sqlParam.
 */
function noteQuery(s: FunctionSummary, f: SyntaxNode, arg: SyntaxNode | null, isParam: (p: SyntaxNode, name: string) => boolean, constness: SummaryConstness): void {
  s.executesQuery = true;
  if (arg?.type !== 'identifier') return;
  const params = f.childForFieldName('parameters')?.namedChildren.filter((p) => p && p.type !== 'comment') ?? [];
  const i = params.findIndex((p) => !!p && isParam(p, arg.text));
  if (i >= 0 && constness.lookup(arg).some((d) => d.kind === 'param')) s.sqlParam ??= i;
}

/** Whether `f` returns input (any return tainted) or only safe values (a sanitiser: every return constant). */
function noteReturns(s: FunctionSummary, f: SyntaxNode, returns: readonly SyntaxNode[], constness: SummaryConstness): void {
  if (returns.length === 0) return;
  const taints = returns.map((r) => constness.check(r));
  s.returnsTainted = taints.some((t) => t?.source);
  s.sanitises = taints.every((t) => t === null) && (f.childForFieldName('parameters')?.namedChildCount ?? 0) > 0;
}

function summariseJs(root: SyntaxNode, text: string, given?: NodeIndex): Map<string, FunctionSummary> {
  const index = given ?? new NodeIndex(root, JS_INDEX_TYPES);
  const constness = new JsConstness(index);
  const functions = index.of(...FUNCTION_TYPES);
  const named = new Map<number, string>();
  for (const f of functions) {
    const name = f.type === 'function_declaration' ? f.childForFieldName('name')?.text : f.parent?.type === 'variable_declarator' ? f.parent.childForFieldName('name')?.text : undefined;
    if (!name) continue;
    named.set(f.id, name);
    const exportDefault = f.parent?.type === 'export_statement' && f.parent.text.startsWith('export default');
    if (exportDefault) named.set(f.id, name);
  }
  const out = new Map<string, FunctionSummary>();
  const get = (f: SyntaxNode): FunctionSummary | undefined => {
    const name = named.get(f.id);
    if (!name) return undefined;
    let s = out.get(name);
    if (!s) {
      s = { executesQuery: false, returnsTainted: false, sanitises: false };
      out.set(name, s);
      if (f.parent?.type === 'export_statement' && f.parent.text.startsWith('export default')) out.set('default', s);
    }
    return s;
  };
  const calls = callInfos(index.of('call_expression'), text, (n) => index.end(n));
  for (const { node, name } of calls) {
    if (!SINK_NAMES.has(name) && !mayBeDbCall(name)) continue;
    const isDb = dbCallOf(node) !== null;
    const sink = SINK_NAMES.has(name) ? sinkOf(node, new Set()) : null;
    if (!isDb && !sink) continue;
    const f = innermost(functions, node);
    const s = f ? get(f) : undefined;
    if (!s || !f) continue;
    noteQuery(s, f, sink ? unwrap(sink.sqlArg) : null, (p, name) => p.text === name || p.childForFieldName('pattern')?.text === name, constness);
  }
  for (const f of functions) {
    const s = get(f);
    if (!s) continue;
    const body = f.childForFieldName('body');
    const returns = body?.type === 'statement_block' ? body.descendantsOfType('return_statement').filter((r) => r && innermost(functions, r)?.id === f.id).map((r) => r!.namedChildren[0]).filter((e): e is SyntaxNode => !!e) : body ? [body] : [];
    noteReturns(s, f, returns, constness);
  }
  return out;
}

function summarisePython(root: SyntaxNode, given?: NodeIndex): Map<string, FunctionSummary> {
  const index = given ?? new NodeIndex(root, PY_INDEX_TYPES);
  const constness = new PyConstness(index);
  const modules = importedPyModules(index.of('import_statement', 'import_from_statement'));
  // Only module-level functions are summarised (importers call them by name); methods and nested
  // functions never get an entry, so their calls and returns are not looked at.
  const functions: SyntaxNode[] = [];
  for (const c of root.namedChildren) {
    if (c?.type === 'function_definition') functions.push(c);
    else if (c?.type === 'decorated_definition') for (const d of c.namedChildren) if (d?.type === 'function_definition') functions.push(d);
  }
  const out = new Map<string, FunctionSummary>();
  if (functions.length === 0) return out;
  const starts = functions.map((f) => f.startIndex);
  const ends = functions.map((f) => index.end(f));
  const inTopLevel = (n: SyntaxNode): boolean => {
    const at = n.startIndex;
    const i = lastAtOrBefore(starts, at);
    return starts[i] <= at && at < ends[i];
  };
  const get = (f: SyntaxNode): FunctionSummary | undefined => {
    if (!(f.parent?.type === 'module' || (f.parent?.type === 'decorated_definition' && f.parent.parent?.type === 'module'))) return undefined;
    const name = f.childForFieldName('name')?.text;
    if (!name) return undefined;
    let s = out.get(name);
    if (!s) out.set(name, (s = { executesQuery: false, returnsTainted: false, sanitises: false }));
    return s;
  };
  for (const call of index.of('call')) {
    if (!inTopLevel(call)) continue;
    const fn = call.childForFieldName('function');
    const last = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : fn?.text;
    if (!last || (!PY_SINK_METHODS.has(last) && fn?.type !== 'attribute')) continue;
    const sink = PY_SINK_METHODS.has(last) ? pySinkOf(call, modules) : null;
    if (!sink && !pyQueryKind(call, true)) continue;
    const f = innermost(functions, call);
    const s = f ? get(f) : undefined;
    if (!s || !f) continue;
    noteQuery(s, f, sink ? unwrapPy(sink.sqlArg) : null, (p, name) => (p.type === 'identifier' ? p.text : p.childForFieldName('name')?.text ?? p.namedChildren[0]?.text) === name, constness);
  }
  for (const f of functions) {
    const s = get(f);
    if (!s) continue;
    const returns = f.descendantsOfType('return_statement').filter((r) => r && innermost(functions, r)?.id === f.id).map((r) => r!.namedChildren[0]).filter((e): e is SyntaxNode => !!e);
    noteReturns(s, f, returns, constness);
  }
  return out;
}
