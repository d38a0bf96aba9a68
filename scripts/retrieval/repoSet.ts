/**
 * Builds Keel's repository-level retrieval set, CodeSearchNet-style, from real packages:
 *   query  = the summary sentence of a documented function's JSDoc,
 *   target = the file that defines it,
 *   corpus = every source file of the packages, with ALL doc comments removed (line numbers kept),
 * so a query can only be answered from code — names, bodies, ordinary comments — never by matching
 * the sentence it was taken from.
 *
 * Deterministic: pinned tarballs (sha1-checked), sorted file order, queries sampled by a hash of their
 * location (not by Math.random), duplicates dropped. Cached under .keel-cache/retrieval/: the first run
 * needs the npm registry, later runs read the cache only.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findDocComments, findDocumentedFunctions, stripDocComments } from './docComments';
import { ensurePackage, listFiles } from './fetchPackages';
import { CORPUS_PACKAGES, MAX_SOURCE_BYTES, TRAINING_PACKAGES, isCorpusFile, type CorpusPackage } from './packages';

/** Bump when anything changes what the set contains (packages, extraction, sampling). */
export const BUILDER_VERSION = 3;
/** Queries per package, so lodash's 600 files do not drown commander's 7 (training takes more). */
export const QUERIES_PER_PACKAGE = { eval: 60, train: 200 } as const;

export interface CorpusFile {
  /** `<package>/<path inside the package>`, posix. */
  path: string;
  text: string;
}

export interface RepoQuery {
  id: string;
  query: string;
  /** The corpus path of the file defining the function. */
  target: string;
  /** The documented function's name and line (for inspection; not used for scoring). */
  symbol: string;
  line: number;
  package: string;
}

export interface RepoSet {
  files: CorpusFile[];
  queries: RepoQuery[];
}

interface Manifest {
  builderVersion: number;
  packages: string[];
  files: string[];
  queries: RepoQuery[];
}

export function defaultCacheDir(root: string = process.cwd()): string {
  return path.join(root, '.keel-cache', 'retrieval');
}

/** 'eval' is the evaluation set; 'train' is built the same way from TRAINING_PACKAGES (re-ranker fitting only). */
export type SetName = 'eval' | 'train';

export function loadOrBuildRepoSet(cacheDir: string, log: (line: string) => void = () => {}, name: SetName = 'eval'): RepoSet {
  const packages = name === 'eval' ? CORPUS_PACKAGES : TRAINING_PACKAGES;
  const setDir = path.join(cacheDir, name === 'eval' ? `repo-set-v${BUILDER_VERSION}` : `train-set-v${BUILDER_VERSION}`);
  const manifestPath = path.join(setDir, 'manifest.json');
  if (fs.existsSync(manifestPath)) {
    const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as Manifest;
    if (manifest.builderVersion === BUILDER_VERSION && sameList(manifest.packages, packageIds(packages))) {
      const files = manifest.files.map((p) => ({ path: p, text: fs.readFileSync(path.join(setDir, 'corpus', p), 'utf8') }));
      return { files, queries: manifest.queries };
    }
  }
  const set = buildRepoSet(packages, cacheDir, log, QUERIES_PER_PACKAGE[name]);
  fs.rmSync(setDir, { recursive: true, force: true });
  for (const f of set.files) {
    const out = path.join(setDir, 'corpus', f.path);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, f.text);
  }
  const manifest: Manifest = {
    builderVersion: BUILDER_VERSION,
    packages: packageIds(packages),
    files: set.files.map((f) => f.path),
    queries: set.queries,
  };
  fs.writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 1)}\n`);
  log(`repository ${name} set: ${set.files.length} files, ${set.queries.length} queries → ${setDir}`);
  return set;
}

export function buildRepoSet(
  packages: readonly CorpusPackage[],
  cacheDir: string,
  log: (line: string) => void = () => {},
  perPackage: number = QUERIES_PER_PACKAGE.eval,
): RepoSet {
  const files: CorpusFile[] = [];
  const queries: RepoQuery[] = [];
  for (const pkg of packages) {
    const dir = ensurePackage(pkg, cacheDir, log);
    const candidates: RepoQuery[] = [];
    for (const rel of listFiles(dir).filter((r) => isCorpusFile(pkg, r))) {
      const abs = path.join(dir, rel);
      if (fs.statSync(abs).size > MAX_SOURCE_BYTES) continue;
      const raw = fs.readFileSync(abs, 'utf8');
      const comments = findDocComments(raw);
      const corpusPath = `${pkg.name}/${rel}`;
      files.push({ path: corpusPath, text: stripDocComments(raw, comments) });
      for (const fn of findDocumentedFunctions(raw, comments)) {
        candidates.push({ id: '', query: fn.summary, target: corpusPath, symbol: fn.name, line: fn.line, package: pkg.name });
      }
    }
    queries.push(...sample(unambiguous(candidates), perPackage));
  }
  queries.forEach((q, i) => (q.id = `repo-${String(i).padStart(4, '0')}`));
  return { files, queries };
}

/** A summary shared by functions in different files has no single right answer: drop it. */
function unambiguous(candidates: RepoQuery[]): RepoQuery[] {
  const targets = new Map<string, Set<string>>();
  for (const q of candidates) {
    const key = q.query.toLowerCase();
    if (!targets.has(key)) targets.set(key, new Set());
    targets.get(key)!.add(q.target);
  }
  const seen = new Set<string>();
  return candidates.filter((q) => {
    const key = q.query.toLowerCase();
    if (targets.get(key)!.size > 1 || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function sample(candidates: RepoQuery[], n: number): RepoQuery[] {
  const keyed = candidates.map((q) => ({ q, key: createHash('sha1').update(`${q.target}#${q.symbol}#${q.line}`).digest('hex') }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return keyed.slice(0, n).map((k) => k.q).sort((a, b) => a.target.localeCompare(b.target) || a.line - b.line);
}

function packageIds(packages: readonly CorpusPackage[]): string[] {
  return packages.map((p) => `${p.name}@${p.version}#${p.sha1}`);
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
