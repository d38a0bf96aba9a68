/**
 * Turns a reported model call into a ledger entry: prices it (default table or the user's overrides)
 * and computes what each saving mechanism avoided, honestly:
 *   semantic cache  — the whole call was avoided: its cost at the model that would have answered;
 *   routing         — the router chose fast on its own: reasoning-model price minus what was paid;
 *   prompt caching  — price of the same prompt with no caching minus what was paid (negative when
 *                     Anthropic cache writes cost more than the reads saved so far — that is the truth).
 * Also validates lines read back from disk, so a hand-edited or torn line is skipped, not trusted.
 */
import { randomUUID } from 'node:crypto';
import type { CostEntry, CostRecordInput, CostSavings, ProviderId, TaskKind, Tier, Usage } from '../../../protocol';
import { KeelError } from '../../../common/errors';
import { costUsd, type PriceTable } from '../pricing';

const TASK_KINDS: ReadonlySet<string> = new Set<TaskKind>(['completion', 'chat', 'summarize', 'rerank', 'classify', 'extract', 'commit-message', 'sql-review', 'code-review']);
const PROVIDERS: ReadonlySet<string> = new Set<ProviderId>(['openai', 'anthropic', 'openai-compatible', 'vscode-lm', 'none']);
const TIERS: ReadonlySet<string> = new Set<Tier>(['fast', 'reasoning']);

export function buildEntry(input: CostRecordInput, prices: PriceTable, nowMs: number): CostEntry {
  validateInput(input);
  const usage = cleanUsage(input.usage);
  const cacheHit = input.cacheHit === true;
  const listed = costUsd(input.model, usage, { overrides: prices });
  // A cache hit makes no call: nothing is paid whatever usage the caller echoes.
  const paid = cacheHit ? 0 : input.costUsd ?? listed;
  const savings: CostSavings = { semanticCache: 0, routing: 0, promptCaching: 0 };
  if (cacheHit) {
    savings.semanticCache = costUsd(input.avoidedModel ?? input.model, cleanUsage(input.avoidedUsage ?? usage), { overrides: prices });
  } else {
    const uncached: Usage = { input: usage.input + usage.cacheWrite + usage.cacheRead, cacheWrite: 0, cacheRead: 0, output: usage.output };
    savings.promptCaching = round9(costUsd(input.model, uncached, { overrides: prices }) - listed);
    if (input.tier === 'fast' && input.routedFrom) {
      savings.routing = round9(costUsd(input.routedFrom, uncached, { overrides: prices }) - costUsd(input.model, uncached, { overrides: prices }));
    }
  }
  return {
    v: 1,
    id: randomUUID(),
    time: input.time ?? new Date(nowMs).toISOString(),
    feature: input.feature,
    taskKind: input.taskKind,
    provider: input.provider,
    model: input.model,
    tier: input.tier,
    usage,
    costUsd: round9(paid),
    cacheHit,
    latencyMs: Math.max(0, Math.round(input.latencyMs)),
    savings,
  };
}

function validateInput(input: CostRecordInput): void {
  const bad = (why: string): never => {
    throw new KeelError('INVALID_PARAMS', `Cannot record model call: ${why}.`);
  };
  if (!input || typeof input !== 'object') bad('no call given');
  if (typeof input.feature !== 'string' || !input.feature.trim()) bad('feature is required');
  if (!TASK_KINDS.has(input.taskKind)) bad(`unknown taskKind "${String(input.taskKind)}"`);
  if (!PROVIDERS.has(input.provider)) bad(`unknown provider "${String(input.provider)}"`);
  if (typeof input.model !== 'string' || !input.model.trim()) bad('model is required');
  if (!TIERS.has(input.tier)) bad(`unknown tier "${String(input.tier)}"`);
  if (!isUsage(input.usage)) bad('usage must have non-negative input, cacheWrite, cacheRead and output token counts');
  if (input.avoidedUsage !== undefined && !isUsage(input.avoidedUsage)) bad('avoidedUsage is malformed');
  if (typeof input.latencyMs !== 'number' || !Number.isFinite(input.latencyMs) || input.latencyMs < 0) bad('latencyMs must be a non-negative number');
  if (input.costUsd !== undefined && (typeof input.costUsd !== 'number' || !Number.isFinite(input.costUsd) || input.costUsd < 0)) bad('costUsd must be a non-negative number');
  if (input.time !== undefined && Number.isNaN(Date.parse(input.time))) bad('time must be an ISO date');
}

function isUsage(u: unknown): u is Usage {
  if (!u || typeof u !== 'object') return false;
  const o = u as Record<string, unknown>;
  return (['input', 'cacheWrite', 'cacheRead', 'output'] as const).every((k) => typeof o[k] === 'number' && Number.isFinite(o[k]) && (o[k] as number) >= 0);
}

function cleanUsage(u: Usage): Usage {
  return { input: Math.round(u.input), cacheWrite: Math.round(u.cacheWrite), cacheRead: Math.round(u.cacheRead), output: Math.round(u.output) };
}

/** Structural check of a line read back from the ledger file. */
export function isCostEntry(value: unknown): value is CostEntry {
  if (!value || typeof value !== 'object') return false;
  const e = value as Record<string, unknown>;
  const s = e.savings as Record<string, unknown> | undefined;
  return (
    e.v === 1 &&
    typeof e.id === 'string' &&
    typeof e.time === 'string' &&
    !Number.isNaN(Date.parse(e.time)) &&
    typeof e.feature === 'string' &&
    TASK_KINDS.has(e.taskKind as string) &&
    PROVIDERS.has(e.provider as string) &&
    typeof e.model === 'string' &&
    TIERS.has(e.tier as string) &&
    isUsage(e.usage) &&
    typeof e.costUsd === 'number' &&
    Number.isFinite(e.costUsd) &&
    typeof e.cacheHit === 'boolean' &&
    typeof e.latencyMs === 'number' &&
    !!s &&
    typeof s.semanticCache === 'number' &&
    typeof s.routing === 'number' &&
    typeof s.promptCaching === 'number'
  );
}

export function round9(x: number): number {
  return Math.round(x * 1e9) / 1e9;
}
