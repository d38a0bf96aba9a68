/**
 * Function-level training sets (every document is one function, the answer to a query is exactly one
 * document) from TRAINING packages only: JavaScript from the npm packages of the repository-level
 * training set, Python from Debian (debPackages.ts). The re-ranker is fitted on these next to the
 * file-level set so that it does not learn habits that only hold when the answer is a whole file
 * (several chunks per answer, informative file names), or only in one language, or only for queries
 * that are a doc comment's sentence. Training only — never evaluated.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { contentHash, loadEvalHashes } from '../embedder/dedupe';
import { jsFunctions, pythonFunctions, type FunctionSpan } from '../embedder/extract';
import { ensureDebPackage, PYTHON_TRAINING_PACKAGES } from './debPackages';
import type { CorpusFile } from './repoSet';
import { ensurePackage, listFiles } from './fetchPackages';
import { MAX_SOURCE_BYTES, TRAINING_PACKAGES, isCorpusFile } from './packages';

export interface FunctionDoc {
  /** Unique per function: `<package>/<file>#<n>`. */
  path: string;
  code: string;
  query: string;
}

/**
 * 'doc': the query is the doc comment's summary and the code carries no doc comment (CodeSearchNet).
 * 'web': shaped like a search-box query over documented code (CoSQA's form): the query is a short,
 * lower-case phrase led by the language's name, and the code keeps the REST of its doc comment
 * (@param / @returns descriptions) — documentation that overlaps the query's topic, not its sentence.
 */
export type FunctionSetShape = 'doc' | 'web';

export type FunctionSetLanguage = 'javascript' | 'python';

/**
 * `perPackage` functions from each TRAINING package of `language` (JavaScript: the npm TRAINING_PACKAGES;
 * Python: the Debian PYTHON_TRAINING_PACKAGES, with anything matching the evaluation data removed).
 */
export function buildFunctionSet(cacheDir: string, perPackage = 300, shape: FunctionSetShape = 'doc', language: FunctionSetLanguage = 'javascript'): FunctionDoc[] {
  const out: FunctionDoc[] = [];
  for (const pkg of language === 'javascript' ? javascriptPackages(cacheDir) : pythonPackages(cacheDir)) {
    const docs: FunctionDoc[] = [];
    for (const file of pkg.files) {
      const text = fs.readFileSync(path.join(pkg.dir, file), 'utf8');
      (language === 'javascript' ? jsFunctions(text) : pythonFunctions(text)).forEach((fn, i) => {
        if (fn.doc.split(' ').length < 3 || fn.code.length < 40 || pkg.excluded?.(fn)) return;
        const id = `${pkg.name}/${file}#${i}`;
        if (shape === 'doc') docs.push({ path: id, code: fn.code, query: fn.doc });
        else docs.push({ path: id, code: withDocRest(fn.docRest, fn.code, language), query: webQuery(fn.doc, language) });
      });
    }
    const seen = new Set<string>();
    const unique = docs.filter((d) => !seen.has(d.query) && seen.add(d.query));
    unique.sort((a, b) => key(a.path).localeCompare(key(b.path)));
    out.push(...unique.slice(0, perPackage));
  }
  return out;
}

interface PackageFiles {
  name: string;
  dir: string;
  files: string[];
  excluded?: (fn: FunctionSpan) => boolean;
}

function javascriptPackages(cacheDir: string): PackageFiles[] {
  return TRAINING_PACKAGES.map((pkg) => {
    const dir = ensurePackage(pkg, cacheDir);
    const files = listFiles(dir).filter((r) => isCorpusFile(pkg, r) && fs.statSync(path.join(dir, r)).size <= MAX_SOURCE_BYTES);
    return { name: pkg.name, dir, files };
  });
}

function pythonPackages(cacheDir: string): PackageFiles[] {
  // CoSQA's snippets come from public repositories; a training function identical to one of them
  // (by token stream) would be training on the evaluation set.
  const hashes = loadEvalHashes(path.resolve(__dirname, '..', '..', '..', 'shared', 'data'));
  const excluded = (fn: FunctionSpan): boolean => hashes.code.has(contentHash(fn.code)) || hashes.code.has(contentHash(fn.full)) || hashes.text.has(contentHash(fn.doc));
  return PYTHON_TRAINING_PACKAGES.map((pkg) => {
    const dir = ensureDebPackage(pkg, cacheDir);
    const files = listFiles(dir).filter((r) => r.endsWith('.py') && !/(?:^|\/)tests?\//.test(r) && fs.statSync(path.join(dir, r)).size <= MAX_SOURCE_BYTES);
    return { name: pkg.name, dir, files, excluded };
  });
}

const FILLER = new Set(['a', 'an', 'the', 'this', 'that', 'these', 'its', 'it', 'of', 'given', 'specified', 'provided', 'which']);

/** "Returns the list of chunks for the given module." → "javascript returns list chunks for module". */
export function webQuery(summary: string, language: FunctionSetLanguage = 'javascript'): string {
  const words = summary
    .replace(/`([^`]*)`/g, '$1')
    .toLowerCase()
    .split(/[^a-z0-9_$]+/)
    .filter((w) => w && !FILLER.has(w));
  return [language, ...words.slice(0, 7)].join(' ');
}

function withDocRest(docRest: string, code: string, language: FunctionSetLanguage): string {
  const rest = docRest.trim();
  if (!rest) return code;
  const lines = rest.split('\n');
  if (language === 'python') return `${lines.map((l) => `# ${l}`).join('\n')}\n${code}`;
  return `/**\n${lines.map((l) => ` * ${l}`).join('\n')}\n */\n${code}`;
}

/** As corpus files (one function each) for the shared corpus builder. */
export function asCorpusFiles(docs: readonly FunctionDoc[]): CorpusFile[] {
  return docs.map((d) => ({ path: d.path, text: d.code }));
}

function key(s: string): string {
  return createHash('sha1').update(s).digest('hex');
}
