/**
 * List prices (USD per million tokens) and the one cost formula. Source: the providers' pricing pages
 * as of 2026-11 (../shared/data/pricing.md at design time). Prices change, so the table is a default
 * that callers can override (the `keel.pricing` setting / cost ledger pass `overrides`).
 *
 * The formula relies on Keel's Usage partition (usage.ts): each token class is priced once, at its own
 * rate — uncached input at `input`, cache writes at `cacheWrite`, cache reads at `cacheRead`.
 */
import type { Usage } from '../../protocol';

export interface ModelPrice {
  input: number;
  /** 5-minute cache write (Anthropic 1.25× input). OpenAI has no write surcharge: equals input. */
  cacheWrite: number;
  /** 1-hour cache write (Anthropic 2× input). */
  cacheWrite1h: number;
  cacheRead: number;
  output: number;
}

// Rounded to 1e-6 $/MTok so 3 × 0.1 is 0.3, not 0.30000000000000004.
const per = (n: number): number => Math.round(n * 1e6) / 1e6;
const anthropic = (input: number, output: number): ModelPrice => ({
  input,
  cacheWrite: per(input * 1.25),
  cacheWrite1h: per(input * 2),
  cacheRead: per(input * 0.1),
  output,
});
const openai = (input: number, cachedInput: number, output: number): ModelPrice => ({
  input,
  cacheWrite: input,
  cacheWrite1h: input,
  cacheRead: cachedInput,
  output,
});

/** Keys are model ids without date suffixes; see `priceFor` for how snapshots resolve. */
export const DEFAULT_PRICES: Readonly<Record<string, ModelPrice>> = Object.freeze({
  'claude-opus-4-6': anthropic(5, 25),
  'claude-opus-4-5': anthropic(5, 25),
  'claude-opus-4-1': anthropic(15, 75),
  'claude-opus-4-0': anthropic(15, 75),
  'claude-opus-4': anthropic(15, 75),
  'claude-sonnet-4-6': anthropic(3, 15),
  'claude-sonnet-4-5': anthropic(3, 15),
  'claude-sonnet-4-0': anthropic(3, 15),
  'claude-sonnet-4': anthropic(3, 15),
  'claude-haiku-4-5': anthropic(1, 5),
  'gpt-4o': openai(2.5, 1.25, 10),
  'gpt-4o-mini': openai(0.15, 0.075, 0.6),
  'gpt-4.1': openai(2, 0.5, 8),
  'gpt-4.1-mini': openai(0.4, 0.1, 1.6),
  'gpt-4.1-nano': openai(0.1, 0.025, 0.4),
  'o4-mini': openai(1.1, 0.275, 4.4),
});

export type PriceTable = Readonly<Record<string, ModelPrice>>;

/**
 * Resolve a model id to its price: exact id first, then the longest table key that the id starts with
 * followed by '-' (so "claude-sonnet-4-5-20250929" and "gpt-4.1-mini-2025-04-14" resolve, but
 * "gpt-4.1-mini" never falls back to the "gpt-4.1" price). Undefined for unknown (e.g. self-hosted).
 */
export function priceFor(model: string, overrides: PriceTable = {}): ModelPrice | undefined {
  const table: PriceTable = { ...DEFAULT_PRICES, ...overrides };
  const id = model.trim().toLowerCase();
  if (table[id]) return table[id];
  let best: string | undefined;
  for (const key of Object.keys(table)) {
    if (id.startsWith(`${key}-`) && (!best || key.length > best.length)) best = key;
  }
  return best ? table[best] : undefined;
}

export interface CostOptions {
  overrides?: PriceTable;
  /** Anthropic cache TTL used for writes (default 5 minutes). */
  cacheTtl?: '5m' | '1h';
}

/**
 * Cost of one call in USD. Unknown models (self-hosted, VS Code LM) cost 0 — check `priceFor` first
 * when "unpriced" must be told apart from "free".
 */
export function costUsd(model: string, usage: Usage, options: CostOptions = {}): number {
  const price = priceFor(model, options.overrides);
  if (!price) return 0;
  const writeRate = options.cacheTtl === '1h' ? price.cacheWrite1h : price.cacheWrite;
  const microDollars =
    usage.input * price.input + usage.cacheWrite * writeRate + usage.cacheRead * price.cacheRead + usage.output * price.output;
  // Round to 1e-9 USD so sums of many calls don't accumulate float noise in reports.
  return Math.round(microDollars * 1000) / 1e9;
}
