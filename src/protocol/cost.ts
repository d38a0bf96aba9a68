/**
 * Routing, semantic answer cache, cost ledger, budgets and the egress audit log.
 */

import type { ProviderId, Tier, Usage } from './chat';

// ---------------------------------------------------------------------------------------------
// Routing, semantic answer cache, cost ledger and budgets (issue 9; owner: routing-and-cost engineer).
// Kept in one block; RequestMap entries are added by interface merging below so other blocks stay untouched.
// ---------------------------------------------------------------------------------------------

/** What a model call is for. The router starts from this; the ledger aggregates by it. */
export type TaskKind =
  | 'completion'
  | 'chat'
  | 'summarize'
  | 'rerank'
  | 'classify'
  | 'extract'
  | 'commit-message'
  | 'sql-review'
  | 'code-review';

export type RoutingMode = 'auto' | 'fast' | 'reasoning';
export type BudgetAction = 'warn' | 'downgrade' | 'block';

/** What every ledger line and every report of a call share. */
export interface CostCall {
  /** The Keel feature that made the call: 'chat', 'sql-fix', 'commit-message' … */
  feature: string;
  taskKind: TaskKind;
  provider: ProviderId;
  model: string;
  tier: Tier;
  usage: Usage;
  latencyMs: number;
}

/** One model call as reported by the feature that made it (`cost/record`). */
export interface CostRecordInput extends CostCall {
  /** ISO time; default now. */
  time?: string;
  /** Served from the semantic answer cache: no call was made; `avoidedUsage`/`avoidedModel` say what it would have cost. */
  cacheHit?: boolean;
  avoidedUsage?: Usage;
  avoidedModel?: string;
  /** Set when the router chose the fast tier on its own (not a forced mode): the model it would otherwise have used. */
  routedFrom?: string;
  /** Explicit cost (e.g. a provider-reported figure); default: the price table. */
  costUsd?: number;
}

/** One persisted ledger line. */
export interface CostEntry extends CostCall {
  v: 1;
  id: string;
  time: string;
  costUsd: number;
  cacheHit: boolean;
  savings: CostSavings;
}

/** USD not spent thanks to each mechanism. Prompt caching may be negative (cache writes cost extra). */
export interface CostSavings {
  semanticCache: number;
  routing: number;
  promptCaching: number;
}

export interface CostBucket {
  key: string;
  costUsd: number;
  calls: number;
  cacheHits: number;
  usage: Usage;
}

export interface BudgetLine {
  limitUsd: number | null;
  spentUsd: number;
  /** spent / limit, null without a limit. */
  fraction: number | null;
  state: 'none' | 'ok' | 'warning' | 'exceeded';
}

export interface BudgetState {
  action: BudgetAction;
  daily: BudgetLine;
  monthly: BudgetLine;
  /** The worse of the two lines. */
  state: BudgetLine['state'];
}

/** `keel cost --json` */
export interface CostSummary {
  currency: 'USD';
  /** Day keys are the machine's local calendar days, YYYY-MM-DD. */
  day: string;
  month: string;
  today: number;
  monthToDate: number;
  total: number;
  calls: { today: number; month: number; total: number };
  savings: CostSavings & { total: number };
  perDay: CostBucket[];
  perModel: CostBucket[];
  perFeature: CostBucket[];
  budget: BudgetState;
  /** Ledger lines that could not be read (a torn last line after a crash, hand edits); they are skipped. */
  skippedLines: number;
  ledger: string;
}

export interface CostStoreParams {
  /** Storage directory override (CLI `--store`); default: the engine's storage dir. */
  store?: string;
}

// ---------------------------------------------------------------------------------------------
// Egress audit log (issue 8). What left the machine and why — never payloads or keys.
// ---------------------------------------------------------------------------------------------

export interface EgressLogEntry {
  time: string;
  provider: string;
  host: string;
  model: string | null;
  purpose: string;
  bytes: number;
  requests: number;
  tokens: Usage | null;
  redactions: number;
  files: string[];
  outcome: string;
}

export interface CostRequests {
  /** Ledger totals, savings, breakdowns and budget state. */
  'cost/summary': { params: CostStoreParams; result: CostSummary };
  /** Record one model call (features record in-process; this method serves tests and the CLI). */
  'cost/record': { params: CostStoreParams & { call: CostRecordInput }; result: { entry: CostEntry; budget: BudgetState } };
  /** Drop every semantic-cache entry (`Keel: Clear Answer Cache`). */
  'cache/clear': { params: CostStoreParams; result: { removed: number } };
  /** The newest egress audit entries, oldest first (`Keel: Show Egress Log`). */
  'egress/log': { params: { limit?: number }; result: { file: string | null; localOnly: boolean; entries: EgressLogEntry[] } };
}
