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
 * The ambiguity margin (semanticCache.ts: the best candidate must beat the runner-up by ≥ margin) is
 * calibrated with the threshold: over a threshold × margin grid, the pair with the best precision at
 * ≥ 50% hit rate (issue 9's goal) on the EVEN pairs, reported on the ODD pairs — and the reverse, so
 * the spread between the two held-out figures shows how much of the gain is calibration luck.
 *
 *   npm run eval:semcache        last line: one JSON object with the figures at the default threshold
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Embedder } from '../src/engine/embed/types';
import { createEmbedder } from '../src/engine/embed/registry';
import { defaultMargin, DEFAULT_NORMALIZATION, identifiersOf, normalizeQuestion, sameIdentifiers, SemanticCache, type CacheScope, type Normalization } from '../src/engine/llm/cache';
import { unitVector } from '../src/engine/llm/cache/vectorBucket';
import { TfIdfEmbedder } from './semcache-tfidf';

const DATA = path.join(__dirname, '..', '..', 'shared', 'data', 'semcache');
const TARGET_PRECISION = 0.97;
const THRESHOLDS = Array.from({ length: 50 }, (_, i) => Math.round((0.5 + i * 0.01) * 100) / 100);
const MARGINS = Array.from({ length: 13 }, (_, i) => i / 100);
const TARGET_HIT_RATE = 0.5;

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
  margin: number;
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

interface Best { best: number; score: number; second: number }

/**
 * For each paraphrase: its best origin and score (what a top-1 cache lookup sees), and the runner-up's
 * score among origins with other text (the cache merges identical questions, so those are not rivals).
 */
function bestOrigins(origins: Float32Array[], queries: Float32Array[], admissible: (query: number, origin: number) => boolean = () => true): Best[] {
  return queries.map((q, i) => {
    let best = -1;
    let score = -Infinity;
    const scores = origins.map((o, j) => (admissible(i, j) ? dot(o, q) : -Infinity));
    scores.forEach((s, j) => {
      if (s > score) (score = s), (best = j);
    });
    let second = -Infinity;
    scores.forEach((s, j) => {
      if (s > second && best >= 0 && originKey[j] !== originKey[best]) second = s;
    });
    return { best, score, second };
  });
}

function countAt(results: Best[], indices: number[], threshold: number, margin = 0): GptCacheCounts {
  let own = 0;
  let wrong = 0;
  let wrongIdentical = 0;
  for (const i of indices) {
    if (results[i].score < threshold || results[i].score - results[i].second < margin) continue;
    if (results[i].best === i) own++;
    else {
      wrong++;
      if (originKey[results[i].best] === originKey[i]) wrongIdentical++;
    }
  }
  const n = indices.length;
  const hits = own + wrong;
  return { threshold, margin, own, wrong, miss: n - hits, precision: hits ? own / hits : 1, hitRate: hits / n, wrongIdentical, precisionDedup: hits ? (own + wrongIdentical) / hits : 1 };
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

/**
 * Threshold × margin calibrated for the goal: best precision at ≥ TARGET_HIT_RATE on `calibrate`, then
 * reported on `report` (never tuned on what is reported).
 */
function calibrateMargin(results: Best[], calibrate: number[], report: number[]) {
  let chosen: GptCacheCounts | undefined;
  for (const t of THRESHOLDS) {
    for (const m of MARGINS) {
      const c = countAt(results, calibrate, t, m);
      if (c.hitRate >= TARGET_HIT_RATE && (!chosen || c.precision > chosen.precision || (c.precision === chosen.precision && c.hitRate > chosen.hitRate))) chosen = c;
    }
  }
  if (!chosen) return undefined;
  return { threshold: chosen.threshold, margin: chosen.margin, calibration: round(chosen), heldOut: round(countAt(results, report, chosen.threshold, chosen.margin)) };
}

/** Threshold alone, calibrated the same way (the baseline the margin has to beat). */
function calibrateThresholdOnly(results: Best[], calibrate: number[], report: number[]) {
  let chosen: GptCacheCounts | undefined;
  for (const t of THRESHOLDS.flatMap((x) => [x, Math.round((x + 0.005) * 1000) / 1000])) {
    const c = countAt(results, calibrate, t);
    if (c.hitRate >= TARGET_HIT_RATE && (!chosen || c.precision > chosen.precision)) chosen = c;
  }
  if (!chosen) return undefined;
  return { threshold: chosen.threshold, calibration: round(chosen), heldOut: round(countAt(results, report, chosen.threshold)) };
}

/**
 * Quora as a cache (no calibration on it: an independent check that the margin is not a GPTCache
 * artefact). The `a` sides of the first QQP_CACHE_PAIRS pairs are the cache, every `b` side a query.
 * A hit is RIGHT when the served question is the query's own `a` and the pair is a labelled duplicate,
 * WRONG otherwise (a non-duplicate's own `a` is Quora's hard negative — same topic, other question; a
 * hit on another pair's `a` may rarely be an unlabelled duplicate, so precision is a lower bound).
 */
const QQP_CACHE_PAIRS = 4000;
interface QqpCacheCounts { threshold: number; margin: number; right: number; wrong: number; precision: number; hitRate: number; recallOfDuplicates: number }

function qqpCacheResults(qa: Float32Array[], qb: Float32Array[]): Best[] {
  const n = Math.min(QQP_CACHE_PAIRS, qa.length);
  const text = qqp.slice(0, n).map((p) => normalizeQuestion(p.a, 'full'));
  return qb.slice(0, n).map((q) => {
    const scores = qa.slice(0, n).map((a) => dot(a, q));
    let best = -1;
    let score = -Infinity;
    scores.forEach((s, j) => {
      if (s > score) (score = s), (best = j);
    });
    let second = -Infinity;
    scores.forEach((s, j) => {
      if (s > second && text[j] !== text[best]) second = s;
    });
    return { best, score, second };
  });
}

function qqpCacheAt(results: Best[], threshold: number, margin = 0): QqpCacheCounts {
  const text = results.map((_, j) => normalizeQuestion(qqp[j].a, 'full'));
  let right = 0;
  let wrong = 0;
  let duplicates = 0;
  results.forEach((r, i) => {
    if (qqp[i].duplicate) duplicates++;
    if (r.score < threshold || r.score - r.second < margin) return;
    if (qqp[i].duplicate && text[r.best] === text[i]) right++;
    else wrong++;
  });
  const hits = right + wrong;
  return { threshold, margin, right, wrong, precision: hits ? right / hits : 1, hitRate: hits / results.length, recallOfDuplicates: right / duplicates };
}

/** Replays the protocol through the real cache at one threshold and margin (must agree with the sweep arithmetic). */
async function replayThroughCache(embedder: Embedder, threshold: number, margin: number, normalise: Normalization, identifierGuard: boolean) {
  const scope: CacheScope = { workspace: 'eval', taskKind: 'chat', tier: 'reasoning', systemPromptVersion: 'eval' };
  const cache = new SemanticCache({ embedder, threshold, margin, normalize: normalise, identifierGuard, maxEntries: pairs.length + 1 });
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

async function evaluate(name: string, embedder: Embedder, defaultThreshold: number | undefined, defaultMargin = 0) {
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
    // Quadratic in the cached questions, so only for the shipped configuration.
    const qqpCache = defaultThreshold !== undefined && normalise === DEFAULT_NORMALIZATION ? qqpCacheResults(qa, qb) : undefined;
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
    const replay = isDefault ? await replayThroughCache(embedder, defaultThreshold, defaultMargin, normalise, true) : undefined;
    if (replay) console.log(`  replay through SemanticCache at ${defaultThreshold}, margin ${defaultMargin} (identifier guard on): own ${replay.own} / wrong ${replay.wrong} / miss ${replay.miss} (precision ${pct(replay.precision)}, hit rate ${pct(replay.hitRate)})`);
    const replayNoMargin = isDefault && defaultMargin > 0 ? await replayThroughCache(embedder, defaultThreshold, 0, normalise, true) : undefined;
    if (replayNoMargin) console.log(`  same replay without the margin: own ${replayNoMargin.own} / wrong ${replayNoMargin.wrong} / miss ${replayNoMargin.miss} (precision ${pct(replayNoMargin.precision)}, hit rate ${pct(replayNoMargin.hitRate)})`);
    // Goal calibration (precision at ≥ 50% hit rate): threshold alone vs threshold × margin, both directions.
    // The cache runs with the identifier guard on by default, so the guarded rows are the shipped path.
    const guarded = bestOrigins(origins, queries, sameIds);
    const goal = {
      thresholdOnly: { evenToOdd: calibrateThresholdOnly(results, even, odd), oddToEven: calibrateThresholdOnly(results, odd, even) },
      withMargin: { evenToOdd: calibrateMargin(results, even, odd), oddToEven: calibrateMargin(results, odd, even) },
      guardThresholdOnly: { evenToOdd: calibrateThresholdOnly(guarded, even, odd), oddToEven: calibrateThresholdOnly(guarded, odd, even) },
      guardWithMargin: { evenToOdd: calibrateMargin(guarded, even, odd), oddToEven: calibrateMargin(guarded, odd, even) },
    };
    console.log(`  goal calibration (best precision at ≥ ${TARGET_HIT_RATE * 100}% hit rate on one half, reported on the other) — calibrated on → held out: precision / hit rate`);
    for (const [rule, dirs] of Object.entries(goal)) {
      for (const [dir, g] of Object.entries(dirs)) {
        if (!g) console.log(`    ${rule} ${dir}: no setting reaches the hit rate`);
        else console.log(`    ${rule.padEnd(18)} ${dir}: t=${g.threshold}${'margin' in g ? ` margin=${g.margin}` : ''} → calibration ${pct(g.calibration.precision)} / ${pct(g.calibration.hitRate)}, held out ${pct(g.heldOut.precision)} / ${pct(g.heldOut.hitRate)} (own ${g.heldOut.own}, wrong ${g.heldOut.wrong})`);
      }
    }
    const atDefaultWithMargin = defaultThreshold !== undefined ? countAt(results, all, defaultThreshold, defaultMargin) : undefined;
    // The identifier guard, measured: the same sweep where only candidates naming the same identifiers count.
    const guardRows = [...shown].sort((a, b) => a - b).map((t) => ({ without: countAt(results, all, t), with: countAt(guarded, all, t) }));
    console.log('  identifier guard — threshold | precision / hit rate without | with');
    for (const r of guardRows) console.log(`  ${r.with.threshold.toFixed(2)} | ${pct(r.without.precision)} / ${pct(r.without.hitRate)} | ${pct(r.with.precision)} / ${pct(r.with.hitRate)}`);
    const guardedAtDefault = defaultThreshold !== undefined ? countAt(guarded, all, defaultThreshold, defaultMargin) : undefined;
    const qqpAtDefault = defaultThreshold !== undefined ? sweep.rows.find((r) => r.threshold === defaultThreshold) : undefined;
    if (defaultThreshold !== undefined && qqpCache) {
      const withMargin = qqpCacheAt(qqpCache, defaultThreshold, defaultMargin);
      // The threshold alone, at the threshold whose hit rate comes closest to the margin rule's from above.
      const matched = THRESHOLDS.flatMap((t) => [t, t + 0.005]).map((t) => qqpCacheAt(qqpCache, Math.round(t * 1000) / 1000)).filter((c) => c.hitRate >= withMargin.hitRate).pop();
      const rows = [withMargin, qqpCacheAt(qqpCache, defaultThreshold), ...(matched ? [matched] : []), qqpCacheAt(qqpCache, 0.85)];
      console.log(`  Quora as a cache (${qqpCache.length} questions cached, each pair's b queried; not calibrated on) — threshold / margin | right | wrong | precision | hit rate | duplicates recalled`);
      for (const r of rows) console.log(`    ${r.threshold.toFixed(3)} / ${r.margin.toFixed(2)} | ${String(r.right).padStart(4)} | ${String(r.wrong).padStart(4)} | ${pct(r.precision)} | ${pct(r.hitRate)} | ${pct(r.recallOfDuplicates)}`);
      report[`${normalise}QqpCache`] = rows.map(round);
    }
    report[normalise] = {
      calibratedThreshold: calibrated,
      heldOut: round(heldOut),
      atDefault: atDefault && round(atDefault),
      atDefaultWithMargin: atDefaultWithMargin && round(atDefaultWithMargin),
      atDefaultWithMarginEven: defaultThreshold !== undefined ? round(countAt(results, even, defaultThreshold, defaultMargin)) : undefined,
      atDefaultWithMarginOdd: defaultThreshold !== undefined ? round(countAt(results, odd, defaultThreshold, defaultMargin)) : undefined,
      goal,
      atDefaultWithIdentifierGuard: guardedAtDefault && round(guardedAtDefault),
      replayAtDefault: replay && round(replay),
      replayAtDefaultWithoutMargin: replayNoMargin && round(replayNoMargin),
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
    results.default = await evaluate('default embedder', keel, cache.threshold, defaultMargin(keel.id));
  }
  // IDF fitted on the Quora questions (no labels used); applied unchanged to GPTCache's sentences.
  const tfidf = new TfIdfEmbedder(qqp.flatMap((p) => [p.a, p.b]));
  results.tfidfBaseline = await evaluate('TF-IDF baseline', tfidf, undefined);
  results.defaultNormalization = DEFAULT_NORMALIZATION;
  console.log(JSON.stringify(results));
}

void main();
