/**
 * Keeps the evaluation data out of training. Everything is compared by a content hash of its token
 * stream (so re-indented or re-quoted copies still match): CoSQA snippets (whole, and without their
 * docstring), CoSQA queries and docstrings, and the semantic-cache sentences.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { modelTokens } from '../../src/engine/embed/tokenize';
import { pythonFunctions } from './extract';

export function contentHash(text: string): string {
  return createHash('sha1').update(modelTokens(text).join(' ')).digest('hex');
}

export interface EvalHashes {
  code: Set<string>;
  text: Set<string>;
  sources: string[];
}

export function loadEvalHashes(dataDir: string): EvalHashes {
  const code = new Set<string>();
  const text = new Set<string>();
  const sources: string[] = [];
  const cosqaFile = path.join(dataDir, 'retrieval', 'cosqa-dev.json');
  const rows = JSON.parse(fs.readFileSync(cosqaFile, 'utf8')) as Array<{ doc: string; code: string; docstring_tokens?: string }>;
  for (const row of rows) {
    code.add(contentHash(row.code));
    for (const fn of pythonFunctions(row.code)) {
      code.add(contentHash(fn.code));
      if (fn.doc) text.add(contentHash(fn.doc));
    }
    text.add(contentHash(row.doc));
    if (row.docstring_tokens) text.add(contentHash(row.docstring_tokens));
  }
  sources.push(`${cosqaFile} (${rows.length} rows)`);
  for (const file of ['qqp-dev-12k.jsonl', 'gptcache-mock-pairs.jsonl']) {
    const full = path.join(dataDir, 'semcache', file);
    const lines = fs.readFileSync(full, 'utf8').split('\n').filter(Boolean);
    for (const line of lines) {
      for (const value of Object.values(JSON.parse(line) as Record<string, unknown>)) if (typeof value === 'string') text.add(contentHash(value));
    }
    sources.push(`${full} (${lines.length} rows)`);
  }
  return { code, text, sources };
}
