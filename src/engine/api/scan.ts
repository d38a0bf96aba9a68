/**
 * `api/scan`, `api/analyze`, `api/openapi`: read and parse the files (tree-sitter, trees deleted at
 * the end), discover routes, run the code rules and lint OpenAPI documents, then apply rule
 * settings and `keel-ignore` comments and build the readiness summary.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { ApiOpenApiResult, ApiReadiness, ApiScanParams, ApiScanResult, Finding, FindingSeverity, SkippedFile } from '../../protocol';
import { KeelError, throwIfCancelled } from '../../common/errors';
import { grammarForPath, parse, type GrammarLanguage, type SyntaxTree } from '../syntax/treeSitter';
import { parseCached } from '../sql/treeCache';
import { isTestPath } from '../sql/testCode';
import { readSourceFile } from '../workspace/sourceFile';
import { expandTargets } from '../workspace/targets';
import { checkResponses, checkRoutes, workspaceFacts, type RawApiFinding } from './checks';
import { discoverRoutes, toApiRoute, type Route } from './discover';
import { bodyFields } from './fixValidation';
import type { ParsedFile } from './model';
import { buildOpenApi, lintOpenApi, looksLikeOpenApi, normalizePath, type OasDocument } from './openapi';
import { apiSeverity } from './rules';

const MAX_FILE_BYTES = 1024 * 1024;
const TYPE_TEST = /(^|\/)test-d\/|\.(test|spec)-d\.[cm]?tsx?$|(^|\/)[^/]*-tests\.tsx?$/;
const LANGS = new Set<GrammarLanguage>(['typescript', 'tsx', 'javascript', 'python', 'go']);

interface Loaded {
  files: ParsedFile[];
  trees: SyntaxTree[];
  docs: OasDocument[];
  skipped: SkippedFile[];
}

function rel(cwd: string, abs: string): string {
  const r = path.relative(cwd, abs);
  return (r === '' ? '.' : r).split(path.sep).join('/');
}

async function load(params: ApiScanParams, signal?: AbortSignal, includeTests = false): Promise<Loaded> {
  if (!params || typeof params.cwd !== 'string' || !Array.isArray(params.paths)) throw new KeelError('INVALID_PARAMS', 'api/scan needs { paths: string[], cwd: string }');
  const cwd = path.resolve(params.cwd);
  const abs: string[] = [];
  const roots = new Map<string, string>();
  const skipped: SkippedFile[] = [];
  for (const f of (await expandTargets(cwd, params.paths, { maxFileSizeBytes: MAX_FILE_BYTES, signal })).files) {
    abs.push(f.abs);
    if (f.root) roots.set(f.abs, f.root);
  }
  const out: Loaded = { files: [], trees: [], docs: [], skipped };
  for (const a of [...new Set(abs)].sort()) {
    throwIfCancelled(signal);
    const shown = rel(cwd, a);
    const lang = grammarForPath(a);
    const oas = /\.(ya?ml|json)$/i.test(a);
    if (!(lang && LANGS.has(lang)) && !oas) continue;
    // Test code is judged by its path inside the scanned folder (a fixture folder scanned on purpose is not a test).
    // Type tests (tsd, DefinitelyTyped) are compiled, never run: their "handlers" serve no request even when test suites are scanned.
    if ((!includeTests && isTestPath(rel(roots.get(a) ?? path.dirname(a), a))) || TYPE_TEST.test(shown) || /(^|\/)(node_modules|vendor|dist|build|migrations)\//.test(shown) || /\.d\.ts$|\.min\.js$/.test(shown)) continue;
    const read = await readSourceFile(a, MAX_FILE_BYTES);
    if (!read.ok) {
      skipped.push({ path: shown, reason: read.reason, kind: read.kind });
      continue;
    }
    if (oas) {
      if (looksLikeOpenApi(a, read.text)) out.docs.push(lintOpenApi(shown, read.text));
      continue;
    }
    if (!lang) continue;
    const tree = await parse(lang, read.text);
    out.trees.push(tree);
    out.files.push({ path: shown, abs: a, text: read.text, language: lang, root: tree.rootNode });
  }
  return out;
}

function suppressed(file: ParsedFile, line: number, code: string): boolean {
  const lines = file.text.split('\n');
  return [lines[line - 1], lines[line - 2]].some((l) => l !== undefined && /keel-ignore(?!\S)/.test(l) && (!/keel-ignore\s+KEEL-/.test(l) || l.includes(code)));
}

function toFindings(raw: RawApiFinding[], rules: Record<string, string> | undefined): Finding[] {
  const out: Finding[] = [];
  const seen = new Set<string>();
  for (const r of raw) {
    const severity = apiSeverity(r.code, rules, r.severity);
    if (severity === 'off') continue;
    const s = r.node.startPosition;
    let e = r.node.endPosition;
    if (r.firstLineOnly && e.row !== s.row) {
      const lineEnd = r.file.text.indexOf('\n', r.node.startIndex);
      e = { row: s.row, column: s.column + (lineEnd === -1 ? r.node.text.length : lineEnd - r.node.startIndex) };
    }
    const key = `${r.code}:${r.file.path}:${s.row}:${s.column}`;
    if (seen.has(key) || suppressed(r.file, s.row + 1, r.code)) continue;
    seen.add(key);
    out.push({ path: r.file.path, line: s.row + 1, column: s.column + 1, endLine: e.row + 1, endColumn: e.column + 1, category: 'api', code: r.code, severity, message: r.message, fixes: r.fixes });
  }
  return out;
}

function oasFindings(docs: OasDocument[], routes: Route[], rules: Record<string, string> | undefined): Finding[] {
  const out: Finding[] = [];
  const push = (f: { path: string; line: number; column: number; code: string; message: string }): void => {
    const severity = apiSeverity(f.code, rules);
    if (severity !== 'off') out.push({ path: f.path, line: f.line, column: f.column, endLine: f.line, endColumn: f.column + 1, category: 'api', code: f.code, severity, message: f.message, fixes: [] });
  };
  for (const d of docs) for (const f of d.findings) push(f);
  // Drift only where the document describes this code: at least one operation must match a route.
  const codeKeys = new Map(routes.map((r) => [`${r.method} ${normalizePath(r.path)}`, r]));
  for (const d of docs) {
    const docKeys = new Set(d.operations.map((o) => `${o.method} ${normalizePath(o.path)}`));
    const matched = [...docKeys].filter((k) => codeKeys.has(k) || codeKeys.has(`ALL ${k.split(' ')[1]}`));
    if (matched.length === 0) continue;
    for (const o of d.operations) {
      const k = `${o.method} ${normalizePath(o.path)}`;
      if (!codeKeys.has(k) && !codeKeys.has(`ALL ${normalizePath(o.path)}`)) push({ path: d.path, line: o.line, column: o.column, code: 'KEEL-API-OAS-DRIFT', message: `${o.method} ${o.path} is in ${d.path} but no route in the code serves it.` });
    }
    const docPaths = new Set(d.operations.map((o) => normalizePath(o.path)));
    for (const [k, r] of codeKeys) {
      if (docKeys.has(k) || r.method === 'ALL') continue;
      const p = normalizePath(r.path);
      // Only routes under the document's paths (a second service in the same folder is not drift).
      if (![...docPaths].some((dp) => p.split('/')[1] === dp.split('/')[1])) continue;
      push({ path: r.file.path, line: r.anchor.startPosition.row + 1, column: r.anchor.startPosition.column + 1, code: 'KEEL-API-OAS-DRIFT', message: `${r.method} ${r.path} is served by the code but missing from ${d.path}.` });
    }
  }
  return out;
}

const RANK: Record<FindingSeverity, number> = { error: 3, warning: 2, info: 1 };

export function readiness(routes: Route[], findings: Finding[]): ApiReadiness {
  const byRule: Record<string, number> = {};
  for (const f of findings) byRule[f.code] = (byRule[f.code] ?? 0) + 1;
  const per = routes.map((r) => {
    const handlerRanges = [r.anchor, ...r.handlers].map((h) => ({ file: h === r.anchor ? r.file.path : r.file.path, start: h.startPosition.row + 1, end: h.endPosition.row + 1 }));
    const mine = findings.filter((f) => handlerRanges.some((h) => f.path === h.file && f.line >= h.start && f.line <= h.end));
    return { r, mine, weight: mine.reduce((s, f) => s + RANK[f.severity] * 10, 0) };
  });
  const bad = per.filter((p) => p.mine.some((f) => f.severity !== 'info')).length;
  const worst = per.filter((p) => p.mine.length > 0).sort((a, b) => b.weight - a.weight || a.r.path.localeCompare(b.r.path)).slice(0, 10)
    .map((p) => ({ method: p.r.method, path: p.r.path, file: p.r.file.path, line: p.r.anchor.startPosition.row + 1, findings: p.mine.length, codes: [...new Set(p.mine.map((f) => f.code))] }));
  return { routes: routes.length, byRule, worst, score: routes.length === 0 ? 100 : Math.round((100 * (routes.length - bad)) / routes.length) };
}

/** `includeTests`: framework test suites are real route code too (the wild-code precision eval scans them). */
export async function scanApi(params: ApiScanParams, signal?: AbortSignal, includeTests = false): Promise<ApiScanResult> {
  const started = performance.now();
  const loaded = await load(params, signal, includeTests);
  try {
    const routes = discoverRoutes(loaded.files);
    const facts = workspaceFacts(loaded.files);
    const raw = [...checkRoutes(routes, facts, loaded.files), ...loaded.files.flatMap((f) => checkResponses(f, facts))];
    const findings = [...toFindings(raw, params.rules), ...oasFindings(loaded.docs, routes, params.rules)].sort((a, b) => a.path.localeCompare(b.path) || a.line - b.line || a.column - b.column);
    return { routes: routes.map(toApiRoute), findings, readiness: readiness(routes, findings), files: loaded.files.length + loaded.docs.length, ms: Math.round(performance.now() - started), skipped: loaded.skipped };
  } finally {
    for (const t of loaded.trees) t.delete();
  }
}

/** One open document: its routes resolved within the file; trees kept incrementally (shared SQL parse cache). */
export async function analyzeApiDocument(input: { path: string; text: string; languageId?: string; rules?: Record<string, string> }): Promise<Finding[]> {
  if (typeof input?.path !== 'string' || typeof input.text !== 'string') throw new KeelError('INVALID_PARAMS', 'api/analyze needs { path: string, text: string }');
  if (looksLikeOpenApi(input.path, input.text)) return oasFindings([lintOpenApi(input.path, input.text)], [], input.rules);
  const lang = grammarForPath(input.path);
  if (!lang || !LANGS.has(lang) || input.text.length > 2_000_000) return [];
  const tree = await parseCached(`api:${input.path}`, lang, input.text);
  const file: ParsedFile = { path: input.path, abs: path.resolve(input.path), text: input.text, language: lang, root: tree.rootNode };
  const routes = discoverRoutes([file]);
  const facts = workspaceFacts([file]);
  return toFindings([...checkRoutes(routes, facts, [file]), ...checkResponses(file, facts)], input.rules).sort((a, b) => a.line - b.line || a.column - b.column);
}

export async function openApiFromCode(params: ApiScanParams, signal?: AbortSignal): Promise<ApiOpenApiResult> {
  const loaded = await load(params, signal);
  try {
    const routes = discoverRoutes(loaded.files);
    const document = buildOpenApi(routes, path.basename(path.resolve(params.cwd, params.paths[0] ?? '.')), (r) => bodyFields(r.handlers.map((h) => h.text).join('\n')));
    return { document, validation: await validate(document) };
  } finally {
    for (const t of loaded.trees) t.delete();
  }
}

/** The OpenAPI JSON-schema validator (@seriousme/openapi-schema-validator), loaded at run time beside the bundle. */
async function validate(document: Record<string, unknown>): Promise<{ valid: boolean; errors: string[] } | null> {
  let mod: { Validator: new () => { validate(spec: unknown): Promise<{ valid: boolean; errors?: unknown }> } };
  try {
    mod = (await import('@seriousme/openapi-schema-validator')) as typeof mod;
  } catch {
    return null;
  }
  const result = await new mod.Validator().validate(structuredClone(document));
  const errors = Array.isArray(result.errors) ? result.errors.map((e) => JSON.stringify(e)) : result.errors ? [String(result.errors)] : [];
  return { valid: result.valid, errors };
}
