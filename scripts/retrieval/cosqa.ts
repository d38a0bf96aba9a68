/**
 * CoSQA dev (../shared/data/retrieval/cosqa-dev.json) in its standard retrieval form: the corpus is
 * all 604 code snippets, each query is a pair's `doc`, and its one relevant document is its own snippet
 * — only for pairs labelled relevant (label 1). Read at eval time only; Keel never ships it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface CosqaDoc {
  id: string;
  code: string;
  /** The function's name (`def name(`), '' if there is none. */
  symbol: string;
}

export interface CosqaQuery {
  id: string;
  query: string;
  relevant: string;
}

export interface CosqaSet {
  docs: CosqaDoc[];
  queries: CosqaQuery[];
}

/** ../shared/data/retrieval/ beside the checkout (CI), else beside the main checkout (a git worktree), or $KEEL_SHARED_DATA. */
export function defaultCosqaPath(root: string = process.cwd()): string {
  const dirs = [process.env.KEEL_SHARED_DATA, path.resolve(root, '..', 'shared', 'data'), path.resolve(root, '..', '..', 'shared', 'data')].filter((d): d is string => !!d);
  const found = dirs.map((d) => path.join(d, 'retrieval', 'cosqa-dev.json')).find((f) => fs.existsSync(f));
  return found ?? path.resolve(root, '..', 'shared', 'data', 'retrieval', 'cosqa-dev.json');
}

export function loadCosqa(file: string): CosqaSet {
  const rows = JSON.parse(fs.readFileSync(file, 'utf8')) as Array<{ idx: string; doc: string; code: string; label: number }>;
  const docs = rows.map((r) => ({ id: r.idx, code: r.code, symbol: /def\s+([A-Za-z_]\w*)/.exec(r.code)?.[1] ?? '' }));
  const queries = rows.filter((r) => r.label === 1).map((r) => ({ id: r.idx, query: r.doc, relevant: r.idx }));
  return { docs, queries };
}
