/**
 * The set's reference retriever, re-implemented here so that every eval run computes its own baseline:
 * plain BM25 (k1 1.2, b 0.75, idf ln(1 + (N − df + .5)/(df + .5))) over every file of the workspace,
 * whole; tokens split on non-alphanumerics then camelCase / digit runs, lower-cased, no stop words, no
 * stemming; the full issue text as the query with repeated tokens counted per occurrence; ties by
 * path. Same definition as ../shared/data/retrieval-swe-dev/tools/bm25_baseline.mjs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const K1 = 1.2;
const B = 0.75;

export function referenceTokens(text: string): string[] {
  const out: string[] = [];
  for (const piece of text.split(/[^A-Za-z0-9]+/)) {
    if (!piece) continue;
    for (const t of piece.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+/g) ?? []) out.push(t.toLowerCase());
  }
  return out;
}

/** Term counts per file content, shared across the workspaces of one run. */
const countCache = new Map<string, { tf: Map<string, number>; len: number }>();

export function wholeFileBm25(root: string, files: readonly string[], query: string, k = 10): string[] {
  const docs = files.map((rel) => {
    const text = fs.readFileSync(path.join(root, rel), 'utf8');
    const key = `${text.length}:${hashString(text)}`;
    let entry = countCache.get(key);
    if (!entry) {
      const tf = new Map<string, number>();
      const tokens = referenceTokens(text);
      for (const t of tokens) tf.set(t, (tf.get(t) ?? 0) + 1);
      countCache.set(key, (entry = { tf, len: tokens.length }));
    }
    return { rel, ...entry };
  });
  const n = docs.length;
  const avg = docs.reduce((s, d) => s + d.len, 0) / Math.max(1, n);
  const df = new Map<string, number>();
  const q = referenceTokens(query);
  const qset = new Set(q);
  for (const d of docs) for (const t of qset) if (d.tf.has(t)) df.set(t, (df.get(t) ?? 0) + 1);
  const idf = new Map([...df].map(([t, c]) => [t, Math.log(1 + (n - c + 0.5) / (c + 0.5))]));
  const scored = docs.map((d) => {
    let s = 0;
    for (const t of q) {
      const tf = d.tf.get(t);
      if (!tf) continue;
      s += (idf.get(t)! * tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * d.len) / avg));
    }
    return { rel: d.rel, s };
  });
  const hits = scored.filter((d) => d.s > 0);
  hits.sort((a, b) => b.s - a.s || (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  return hits.slice(0, k).map((d) => d.rel);
}

function hashString(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}
