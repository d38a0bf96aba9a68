/**
 * Evaluates the model router on two labelled sets:
 * - dev: test/fixtures/router/requests.jsonl, the mix the router's signals were written against (its
 *   old "held-out third" was printed on every run, so it is development data too). Mistakes are listed.
 * - held out: test/fixtures/router/heldout/requests.jsonl, labelled by written criteria without looking
 *   at the router (see its README). Only its aggregate is printed: no per-request result, ever.
 * Each split prints its own baselines (every request on one tier) and a 95% paired-bootstrap interval
 * for "router accuracy − best single-tier accuracy".
 *
 * Cost of the mix: each request's prompt = question + attached code + retrieved context + a fixed system
 * prompt; output tokens are a typical size per task kind. Priced at list prices (pricing.ts, from
 * ../shared/data/pricing.md) for two provider pairs, routed vs. everything on the reasoning tier.
 *
 *   npm run eval:router          last line: one JSON object with the figures
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TaskKind, Tier } from '../src/protocol';
import { costUsd } from '../src/engine/llm/pricing';
import { countTokens } from '../src/engine/llm/tokens';
import { route } from '../src/engine/llm/router';
import type { TierModels } from '../src/engine/llm/router';

interface Labelled {
  id: number;
  taskKind: TaskKind;
  text: string;
  codeTokens?: number;
  contextTokens?: number;
  previousTier?: Tier;
  label: Tier;
  security: boolean;
  why: string;
}

const SYSTEM_PROMPT_TOKENS = 400;
const OUTPUT_TOKENS: Record<TaskKind, number> = {
  completion: 40,
  chat: 500,
  summarize: 300,
  rerank: 60,
  classify: 5,
  extract: 150,
  'commit-message': 60,
  'sql-review': 600,
  'code-review': 800,
};

const PAIRS: Record<string, TierModels> = {
  anthropic: { fast: { provider: 'anthropic', model: 'claude-haiku-4-5' }, reasoning: { provider: 'anthropic', model: 'claude-sonnet-4-5' } },
  openai: { fast: { provider: 'openai', model: 'gpt-4.1-mini' }, reasoning: { provider: 'openai', model: 'gpt-4.1' } },
};

const fixtures = path.join(__dirname, '..', 'test', 'fixtures', 'router');
const load = (file: string): Labelled[] => fs.readFileSync(path.join(fixtures, file), 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Labelled);
const mix = load('requests.jsonl');
const heldOut = load(path.join('heldout', 'requests.jsonl'));

function evaluate(requests: Labelled[]) {
  let correct = 0;
  let fast = 0;
  let securityToFast = 0;
  let underRouted = 0; // labelled reasoning, sent fast: quality risk
  let overRouted = 0; // labelled fast, sent reasoning: money wasted
  const mistakes: string[] = [];
  const cost: Record<string, { routed: number; allReasoning: number; labels: number }> = {};
  for (const name of Object.keys(PAIRS)) cost[name] = { routed: 0, allReasoning: 0, labels: 0 };

  const hits: number[] = [];
  for (const r of requests) {
    const decision = route({ taskKind: r.taskKind, text: r.text, codeTokens: r.codeTokens, contextTokens: r.contextTokens, previousTier: r.previousTier, mode: 'auto' }, PAIRS.anthropic);
    hits.push(decision.tier === r.label ? 1 : 0);
    if (decision.tier === r.label) correct++;
    else {
      if (r.label === 'reasoning') underRouted++;
      else overRouted++;
      mistakes.push(`  #${r.id} [${r.taskKind}] label=${r.label} routed=${decision.tier}: ${r.text.slice(0, 90)} — ${decision.reason}`);
    }
    if (decision.tier === 'fast') fast++;
    if (r.security && decision.tier === 'fast') securityToFast++;

    const usage = { input: SYSTEM_PROMPT_TOKENS + countTokens(r.text) + (r.codeTokens ?? 0) + (r.contextTokens ?? 0), cacheWrite: 0, cacheRead: 0, output: OUTPUT_TOKENS[r.taskKind] };
    for (const [name, tiers] of Object.entries(PAIRS)) {
      cost[name].routed += costUsd(tiers[decision.tier].model, usage);
      cost[name].allReasoning += costUsd(tiers.reasoning.model, usage);
      cost[name].labels += costUsd(tiers[r.label].model, usage);
    }
  }
  const n = requests.length;
  const labelledFast = requests.map((r) => (r.label === 'fast' ? 1 : 0));
  const baselines = { allFast: round(mean(labelledFast)), allReasoning: round(1 - mean(labelledFast)) };
  // The router against the better of the two single-tier baselines, paired per request.
  const best = baselines.allFast >= baselines.allReasoning ? labelledFast : labelledFast.map((x) => 1 - x);
  return {
    n,
    accuracy: round(correct / n),
    baselines,
    vsBestBaseline: pairedBootstrap(hits, best),
    fastShare: round(fast / n),
    labelledFastShare: round(requests.filter((r) => r.label === 'fast').length / n),
    security: requests.filter((r) => r.security).length,
    securityToFast,
    underRouted,
    overRouted,
    cost: Object.fromEntries(
      Object.entries(cost).map(([k, v]) => [k, { routedUsd: round(v.routed, 4), allReasoningUsd: round(v.allReasoning, 4), labelsUsd: round(v.labels, 4), saving: round(1 - v.routed / v.allReasoning) }]),
    ),
    mistakes,
  };
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
}

/** Mean of a − b with a 95% paired-bootstrap interval (2,000 resamples, fixed seed: reruns agree). */
function pairedBootstrap(a: number[], b: number[]): { diff: number; lo: number; hi: number } {
  const d = a.map((x, i) => x - b[i]);
  let seed = 0x2545f491;
  const rand = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const means: number[] = [];
  for (let k = 0; k < 2000; k++) {
    let s = 0;
    for (let i = 0; i < d.length; i++) s += d[Math.floor(rand() * d.length)];
    means.push(s / d.length);
  }
  means.sort((x, y) => x - y);
  return { diff: round(mean(d)), lo: round(means[Math.floor(0.025 * means.length)]), hi: round(means[Math.ceil(0.975 * means.length) - 1]) };
}

function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

const splits = {
  dev: evaluate(mix),
  heldOut: evaluate(heldOut),
};

for (const [name, s] of Object.entries(splits)) {
  console.log(`\n== ${name}: ${s.n} requests (${s.security} security) ==`);
  console.log(`accuracy              ${(s.accuracy * 100).toFixed(1)}%   (baselines: all fast ${(s.baselines.allFast * 100).toFixed(1)}%, all reasoning ${(s.baselines.allReasoning * 100).toFixed(1)}%)`);
  console.log(`vs best baseline      ${s.vsBestBaseline.diff >= 0 ? '+' : ''}${(s.vsBestBaseline.diff * 100).toFixed(1)} pts, 95% CI [${(s.vsBestBaseline.lo * 100).toFixed(1)}, ${(s.vsBestBaseline.hi * 100).toFixed(1)}]${s.vsBestBaseline.lo > 0 ? ' — a win' : ' — not a win'}`);
  console.log(`routed to fast        ${(s.fastShare * 100).toFixed(1)}%   (labels: ${(s.labelledFastShare * 100).toFixed(1)}%)`);
  console.log(`security → fast       ${s.securityToFast}   (must be 0)`);
  console.log(`under-routed (r→fast) ${s.underRouted}    over-routed (f→reasoning) ${s.overRouted}`);
  for (const [pair, c] of Object.entries(s.cost)) {
    console.log(`cost ${pair.padEnd(9)}        routed $${c.routedUsd.toFixed(4)} vs all-reasoning $${c.allReasoningUsd.toFixed(4)} (−${(c.saving * 100).toFixed(1)}%; labels-as-oracle $${c.labelsUsd.toFixed(4)})`);
  }
  // Held out means held out: its per-request results are never printed (README beside the set).
  if (name === 'dev' && s.mistakes.length) console.log(`mistakes:\n${s.mistakes.join('\n')}`);
}

const strip = ({ mistakes: _m, ...rest }: ReturnType<typeof evaluate>) => rest;
console.log(JSON.stringify({ dev: strip(splits.dev), heldOut: strip(splits.heldOut) }));
