/**
 * Evaluates the semantic answer cache on ../shared/data/semcache (see its README):
 *  1. GPTCache's protocol on its 999 pairs: insert every origin, query with every paraphrase; a hit on
 *     the query's own origin is an OWN hit (positive), a hit on another origin a WRONG hit, no hit a
 *     MISS. Precision of hits = own / (own + wrong); hit rate = (own + wrong) / 999. Replayed through the
 *     real SemanticCache (normalisation, scope, threshold) at each embedder's default threshold, and
 *     swept over thresholds with the same arithmetic.
 *  2. A threshold sweep on the 12k labelled Quora pairs: precision / recall of "cos(a, b) ≥ t" against
 *     `duplicate`, and ROC AUC.
 * Calibration is honest: the threshold recommended per embedder is the LOWEST threshold reaching ≥ 97%
 * precision on the EVEN-numbered GPTCache pairs, and is reported on the ODD-numbered ones (held out).
 * Each embedder is run on raw and on normalised questions, to measure whether normalising helps.
 *
 *   npm run eval:semcache        last line: one JSON object with the figures at the default threshold
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Embedder } from '../src/engine/embed/types';
import { createEmbedder } from '../src/engine/embed/registry';
import { DEFAULT_NORMALIZATION, identifiersOf, normalizeQuestion, sameIdentifiers, SemanticCache, type CacheScope, type Normalization } from '../src/engine/llm/cache';
import { unitVector } from '../src/engine/llm/cache/vectorBucket';
import { TfIdfEmbedder } from './semcache-tfidf';

const DATA = path.join(__dirname, '..', '..', 'shared', 'data', 'semcache');
const TARGET_PRECISION = 0.97;
const THRESHOLDS = Array.from({ length: 50 }, (_, i) => Math.round((0.5 + i * 0.01) * 100) / 100);

interface Pair { origin: string; paraphrase: string }
interface QqpPair { a: string; b: string; duplicate: boolean }

const readJsonl = <T>(file: string): T[] => fs.readFileSync(path.join(DATA, file), 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as T);
const pairs = readJsonl<Pair>('gptcache-mock-pairs.jsonl');
const qqp = readJsonl<QqpPair>('qqp-dev-12k.jsonl');

async function embedAll(embedder: Embedder, texts: string[], normalise: Normalization): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (let i = 0; i < texts.length; i += 256) {
    const batch = texts.slice(i, i + 256).map((t) => normalizeQuestion(t, normalise));
    for (const v of await embedder.embed(batch)) out.push(unitVector(v));
  }
  return out;
}

const dot = (a: Float32Array, b: Float32Array): number => {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += a[k] * b[k];
  return s;
};

interface GptCacheCounts {
  threshold: number;
  own: number;
  wrong: number;
  miss: number;
  precision: number;
  hitRate: number;
  /** Wrong hits whose origin has exactly the same (normalised) text as the query's own origin: the data has 40 duplicate origins. */
  wrongIdentical: number;
  /** Precision counting those as own hits (the answer served would be the same). */
  precisionDedup: number;
}

const originKey = pairs.map((p) => normalizeQuestion(p.origin, 'full'));
// The cache's identifier guard (identifiers.ts): a candidate must name the same code identifiers.
const originIds = pairs.map((p) => identifiersOf(p.origin));
const paraphraseIds = pairs.map((p) => identifiersOf(p.paraphrase));
const sameIds = (query: number, origin: number): boolean => sameIdentifiers(paraphraseIds[query], originIds[origin]);

/** For each paraphrase: its best origin and score (what a top-1 cache lookup sees). */
function bestOrigins(origins: Float32Array[], queries: Float32Array[], admissible: (query: number, origin: number) => boolean = () => true): Array<{ best: number; score: number }> {
  return queries.map((q, i) => {
    let best = -1;
    let score = -Infinity;
    for (let j = 0; j < origins.length; j++) {
      if (!admissible(i, j)) continue;
      const s = dot(origins[j], q);
      if (s > score) (score = s), (best = j);
    }
    return { best, score };
  });
}

function countAt(results: Array<{ best: number; score: number }>, indices: number[], threshold: number): GptCacheCounts {
  let own = 0;
  let wrong = 0;
  let wrongIdentical = 0;
  for (const i of indices) {
    if (results[i].score < threshold) continue;
    if (results[i].best === i) own++;
    else {
      wrong++;
      if (originKey[results[i].best] === originKey[i]) wrongIdentical++;
    }
  }
  const n = indices.length;
  const hits = own + wrong;
  return { threshold, own, wrong, miss: n - hits, precision: hits ? own / hits : 1, hitRate: hits / n, wrongIdentical, precisionDedup: hits ? (own + wrongIdentical) / hits : 1 };
}

function qqpSweep(scores: number[]) {
  const positives = qqp.filter((p) => p.duplicate).length;
  const rows = THRESHOLDS.map((t) => {
    let tp = 0;
    let fp = 0;
    scores.forEach((s, i) => {
      if (s >= t) (qqp[i].duplicate ? tp++ : fp++);
    });
    return { threshold: t, precision: tp + fp ? tp / (tp + fp) : 1, recall: tp / positives };
  });
  // ROC AUC by ranking (ties count half).
  const order = scores.map((s, i) => ({ s, d: qqp[i].duplicate })).sort((a, b) => a.s - b.s);
  let rankSum = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j < order.length && order[j].s === order[i].s) j++;
    const avgRank = (i + j + 1) / 2;
    for (let k = i; k < j; k++) if (order[k].d) rankSum += avgRank;
    i = j;
  }
  const negatives = qqp.length - positives;
  const auc = (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
  return { rows, auc };
}

/** Replays the protocol through the real cache at one threshold (must agree with the sweep arithmetic). */
async function replayThroughCache(embedder: Embedder, threshold: number, normalise: Normalization, identifierGuard: boolean) {
  const scope: CacheScope = { workspace: 'eval', taskKind: 'chat', tier: 'reasoning', systemPromptVersion: 'eval' };
  const cache = new SemanticCache({ embedder, threshold, normalize: normalise, identifierGuard, maxEntries: pairs.length + 1 });
  for (let i = 0; i < pairs.length; i++) {
    await cache.put({ question: pairs[i].origin, scope }, { answer: i, model: 'eval', usage: { input: 0, cacheWrite: 0, cacheRead: 0, output: 0 }, costUsd: 0 }, {});
  }
  let own = 0;
  let wrong = 0;
  for (let i = 0; i < pairs.length; i++) {
    const out = await cache.lookup({ question: pairs[i].paraphrase, scope }, () => ({}));
    if (out.kind === 'hit') (out.entry.answer === i ? own++ : wrong++);
  }
  const n = pairs.length;
  return { own, wrong, miss: n - own - wrong, precision: own + wrong ? own / (own + wrong) : 1, hitRate: (own + wrong) / n };
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`.padStart(6);

async function evaluate(name: string, embedder: Embedder, defaultThreshold: number | undefined) {
  const report: Record<string, unknown> = { embedder: embedder.id };
  for (const normalise of ['none', 'light', 'full'] as const) {
    const t0 = performance.now();
    const origins = await embedAll(embedder, pairs.map((p) => p.origin), normalise);
    const queries = await embedAll(embedder, pairs.map((p) => p.paraphrase), normalise);
    const results = bestOrigins(origins, queries);
    const all = pairs.map((_, i) => i);
    const even = all.filter((i) => i % 2 === 0);
    const odd = all.filter((i) => i % 2 === 1);
    const calibrated = THRESHOLDS.find((t) => countAt(results, even, t).precision >= TARGET_PRECISION) ?? 0.99;
    const heldOut = countAt(results, odd, calibrated);

    const qa = await embedAll(embedder, qqp.map((p) => p.a), normalise);
    const qb = await embedAll(embedder, qqp.map((p) => p.b), normalise);
    const sweep = qqpSweep(qa.map((v, i) => dot(v, qb[i])));
    const seconds = (performance.now() - t0) / 1000;

    const label = `${name} · normalisation "${normalise}"`;
    console.log(`\n== ${label} (${embedder.id}, ${embedder.dimensions}d; ${seconds.toFixed(1)} s) ==`);
    console.log('GPTCache 999 pairs — threshold | own hit | wrong hit (of which identical origin text) | miss | precision | precision if identical origins count | hit rate');
    const shown = new Set([...THRESHOLDS.filter((t) => Math.round(t * 100) % 5 === 0), calibrated, ...(defaultThreshold ? [defaultThreshold] : [])]);
    for (const t of [...shown].sort((a, b) => a - b)) {
      const c = countAt(results, all, t);
      const marks = `${t === calibrated ? ' ← calibrated' : ''}${t === defaultThreshold ? ' ← default' : ''}`;
      console.log(`  ${t.toFixed(2)} | ${String(c.own).padStart(4)} | ${String(c.wrong).padStart(4)} (${String(c.wrongIdentical).padStart(2)}) | ${String(c.miss).padStart(4)} | ${pct(c.precision)} | ${pct(c.precisionDedup)} | ${pct(c.hitRate)}${marks}`);
    }
    console.log(`  calibrated on even pairs: ${calibrated.toFixed(2)} (lowest t with precision ≥ ${TARGET_PRECISION * 100}%); held-out odd pairs: precision ${pct(heldOut.precision)}, hit rate ${pct(heldOut.hitRate)}`);
    console.log(`Quora 12k pairs — AUC ${sweep.auc.toFixed(3)}; threshold | precision | recall`);
    for (const r of sweep.rows.filter((r) => Math.round(r.threshold * 100) % 5 === 0 || r.threshold === calibrated || r.threshold === defaultThreshold)) {
      console.log(`  ${r.threshold.toFixed(2)} | ${pct(r.precision)} | ${pct(r.recall)}`);
    }

    const atDefault = defaultThreshold !== undefined ? countAt(results, all, defaultThreshold) : undefined;
    const isDefault = normalise === DEFAULT_NORMALIZATION && defaultThreshold !== undefined;
    const replay = isDefault ? await replayThroughCache(embedder, defaultThreshold, normalise, true) : undefined;
    if (replay) console.log(`  replay through SemanticCache at ${defaultThreshold} (identifier guard on): own ${replay.own} / wrong ${replay.wrong} / miss ${replay.miss} (precision ${pct(replay.precision)}, hit rate ${pct(replay.hitRate)})`);
    // The identifier guard, measured: the same sweep where only candidates naming the same identifiers count.
    const guarded = bestOrigins(origins, queries, sameIds);
    const guardRows = [...shown].sort((a, b) => a - b).map((t) => ({ without: countAt(results, all, t), with: countAt(guarded, all, t) }));
    console.log('  identifier guard — threshold | precision / hit rate without | with');
    for (const r of guardRows) console.log(`  ${r.with.threshold.toFixed(2)} | ${pct(r.without.precision)} / ${pct(r.without.hitRate)} | ${pct(r.with.precision)} / ${pct(r.with.hitRate)}`);
    const guardedAtDefault = defaultThreshold !== undefined ? countAt(guarded, all, defaultThreshold) : undefined;
    const qqpAtDefault = defaultThreshold !== undefined ? sweep.rows.find((r) => r.threshold === defaultThreshold) : undefined;
    report[normalise] = {
      calibratedThreshold: calibrated,
      heldOut: round(heldOut),
      atDefault: atDefault && round(atDefault),
      atDefaultWithIdentifierGuard: guardedAtDefault && round(guardedAtDefault),
      replayAtDefault: replay && round(replay),
      qqpAuc: Math.round(sweep.auc * 1000) / 1000,
      qqpAtDefault: qqpAtDefault && round(qqpAtDefault),
      qqpAtCalibrated: round(sweep.rows.find((r) => r.threshold === calibrated)!),
    };
  }
  return report;
}

function round<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === 'number' ? Math.round(v * 1000) / 1000 : v])) as T;
}

async function main(): Promise<void> {
  const results: Record<string, unknown> = {};
  let keel: Embedder | undefined = createEmbedder();
  try {
    await keel.embed(['probe']);
  } catch (error) {
    console.log(`(default embedder unavailable: ${(error as Error).message}; running the TF-IDF baseline only)`);
    keel = undefined;
  }
  if (keel) {
    const cache = new SemanticCache({ embedder: keel });
    results.default = await evaluate('default embedder', keel, cache.threshold);
  }
  // IDF fitted on the Quora questions (no labels used); applied unchanged to GPTCache's sentences.
  const tfidf = new TfIdfEmbedder(qqp.flatMap((p) => [p.a, p.b]));
  results.tfidfBaseline = await evaluate('TF-IDF baseline', tfidf, undefined);
  results.defaultNormalization = DEFAULT_NORMALIZATION;
  console.log(JSON.stringify(results));
}

void main();
