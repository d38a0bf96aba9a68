/**
 * A function-level training set (CoSQA-shaped: every document is one function, the answer to a query
 * is exactly one document) from the same TRAINING packages as the repository-level training set. The
 * re-ranker is fitted on both shapes so that it does not learn habits that only hold when the answer
 * is a whole file (several chunks per answer, informative file names). Training only — never evaluated.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { jsFunctions } from '../embedder/extract';
import type { CorpusFile } from './repoSet';
import { ensurePackage, listFiles } from './fetchPackages';
import { MAX_SOURCE_BYTES, TRAINING_PACKAGES, isCorpusFile } from './packages';

export interface FunctionDoc {
  /** Unique per function: `<package>/<file>#<n>`. */
  path: string;
  code: string;
  query: string;
}

export function buildFunctionSet(cacheDir: string, perPackage = 300): FunctionDoc[] {
  const out: FunctionDoc[] = [];
  for (const pkg of TRAINING_PACKAGES) {
    const dir = ensurePackage(pkg, cacheDir);
    const docs: FunctionDoc[] = [];
    for (const rel of listFiles(dir).filter((r) => isCorpusFile(pkg, r))) {
      const abs = path.join(dir, rel);
      if (fs.statSync(abs).size > MAX_SOURCE_BYTES) continue;
      jsFunctions(fs.readFileSync(abs, 'utf8')).forEach((fn, i) => {
        if (fn.doc.split(' ').length < 3 || fn.code.length < 40) return;
        docs.push({ path: `${pkg.name}/${rel}#${i}`, code: fn.code, query: fn.doc });
      });
    }
    const seen = new Set<string>();
    const unique = docs.filter((d) => !seen.has(d.query) && seen.add(d.query));
    unique.sort((a, b) => key(a.path).localeCompare(key(b.path)));
    out.push(...unique.slice(0, perPackage));
  }
  return out;
}

/** As corpus files (one function each) for the shared corpus builder. */
export function asCorpusFiles(docs: readonly FunctionDoc[]): CorpusFile[] {
  return docs.map((d) => ({ path: d.path, text: d.code }));
}

function key(s: string): string {
  return createHash('sha1').update(s).digest('hex');
}
