/**
 * The PostgreSQL team store (issue 18): team-wide cost (`keel cost --team`). Index and search go
 * through `index/build` and `search/query` with `store: 'postgres://…'`.
 */

export interface TeamCostParams {
  /** Team store: `postgres://…`, or `postgres` for the URL in SecretStorage / KEEL_INDEX_STORE_URL / KEEL_DATABASE_URL. */
  store?: string;
  /** Only this repository (default: all the role may read). */
  repo?: string;
  /** ISO date; default the first day of the current month (UTC). */
  since?: string;
}

export interface TeamCostLine {
  key: string;
  costUsd: number;
  calls: number;
  inputTokens: number;
  outputTokens: number;
}

export interface TeamBudgetLine {
  repo: string;
  period: 'day' | 'month';
  limitUsd: number;
  spentUsd: number;
  fraction: number;
}

export interface TeamCostSummary {
  /** The store URL, password redacted. */
  store: string;
  since: string;
  totalUsd: number;
  calls: number;
  perUser: TeamCostLine[];
  perFeature: TeamCostLine[];
  perRepo: TeamCostLine[];
  budgets: TeamBudgetLine[];
}

export interface TeamStoreRequests {
  /** Team spend from the team store's ledger: per person, per feature, per repository, and team budgets. */
  'cost/team': { params: TeamCostParams; result: TeamCostSummary };
}
