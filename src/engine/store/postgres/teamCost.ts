/**
 * The team's cost ledger in the team store: every model call with the person and repository it was
 * for, summed per person, per feature and per repository, against team budgets (keel.team_budgets).
 * Row-level security (README) decides which repositories a role sees; these queries add no filter of
 * their own beyond `repo`.
 */
import type { TeamCostLine, TeamCostSummary } from '../../../protocol';
import type { PgStore } from './pgStore';

export interface TeamCostEntry {
  /** Undefined: the database role (what the README's row-level security policy requires). */
  user?: string;
  repo: string;
  feature: string;
  provider: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  at?: string;
  /** The local ledger line's id: a line mirrored twice is stored once. */
  entryId?: string;
  taskKind?: string;
  tier?: string;
  cacheHit?: boolean;
  savedUsd?: number;
}

export async function recordTeamCost(store: PgStore, e: TeamCostEntry): Promise<void> {
  await store.pool.query(
    `INSERT INTO keel.cost_ledger (at, user_name, repo, feature, provider, model, input_tokens, output_tokens, cost_usd, entry_id, task_kind, tier, cache_hit, saved_usd)
     VALUES (coalesce($1::timestamptz, now()), coalesce($2, session_user), $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
     ON CONFLICT (entry_id) WHERE entry_id IS NOT NULL DO NOTHING`,
    [e.at ?? null, e.user ?? null, e.repo, e.feature, e.provider, e.model, e.inputTokens, e.outputTokens, e.costUsd, e.entryId ?? null, e.taskKind ?? null, e.tier ?? null, e.cacheHit ?? false, e.savedUsd ?? 0],
    'keel_cost_insert',
  );
}

export async function teamCost(store: PgStore, options: { repo?: string; since?: string; now?: Date } = {}): Promise<TeamCostSummary> {
  const now = options.now ?? new Date();
  const since = options.since ?? `${now.toISOString().slice(0, 7)}-01`;
  const by = async (column: 'user_name' | 'feature' | 'repo'): Promise<TeamCostLine[]> => {
    const rows = await store.pool.query<{ key: string; cost: string; calls: string; input: string; output: string }>(
      `SELECT ${column} AS key, sum(cost_usd) AS cost, count(*) AS calls, sum(input_tokens) AS input, sum(output_tokens) AS output
         FROM keel.cost_ledger WHERE at >= $1::date AND ($2::text IS NULL OR repo = $2)
        GROUP BY ${column} ORDER BY sum(cost_usd) DESC, ${column}`,
      [since, options.repo ?? null],
    );
    return rows.map((r) => ({ key: r.key, costUsd: Number(r.cost), calls: Number(r.calls), inputTokens: Number(r.input), outputTokens: Number(r.output) }));
  };
  const perUser = await by('user_name');
  const perFeature = await by('feature');
  const perRepo = await by('repo');
  const budgets = await store.pool.query<{ repo: string; period: 'day' | 'month'; limit_usd: string; spent: string }>(
    `SELECT b.repo, b.period, b.limit_usd,
            coalesce((SELECT sum(l.cost_usd) FROM keel.cost_ledger l WHERE l.repo = b.repo
                       AND l.at >= CASE b.period WHEN 'day' THEN date_trunc('day', $1::timestamptz) ELSE date_trunc('month', $1::timestamptz) END), 0) AS spent
       FROM keel.team_budgets b WHERE ($2::text IS NULL OR b.repo = $2) ORDER BY b.repo, b.period`,
    [now.toISOString(), options.repo ?? null],
  );
  return {
    store: store.label,
    since,
    totalUsd: perUser.reduce((s, l) => s + l.costUsd, 0),
    calls: perUser.reduce((s, l) => s + l.calls, 0),
    perUser,
    perFeature,
    perRepo,
    budgets: budgets.map((b) => {
      const limit = Number(b.limit_usd);
      const spent = Number(b.spent);
      return { repo: b.repo, period: b.period, limitUsd: limit, spentUsd: spent, fraction: limit > 0 ? spent / limit : 0 };
    }),
  };
}
