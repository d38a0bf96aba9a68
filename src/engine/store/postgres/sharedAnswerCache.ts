/**
 * The team store's answer cache: what one engineer paid for serves the next. Rows carry the local
 * cache's scope (repository as the workspace, task kind, tier, prompt version, embedder — hashed to
 * scope_key with the local cache's own function), the question's vector and the content hashes of
 * the files the answer cited. The similarity rules stay in SemanticCache; this only stores and finds.
 */
import { scopeKey, type CacheScope } from '../../llm/cache/scope';
import type { StoredEntry } from '../../llm/cache/types';
import type { Usage } from '../../../protocol';
import { vectorLiteral, type PgStore } from './pgStore';

/** The scope as a team sees it: a checkout's absolute path means nothing on a teammate's machine. */
export function teamScope(scope: CacheScope, repo: string): CacheScope {
  return { ...scope, workspace: `repo:${repo}` };
}

export async function sharedCandidates(store: PgStore, repo: string, scope: CacheScope, embedderId: string, vector: Float32Array, floor: number, ttlMs: number, limit = 16): Promise<Array<{ entry: StoredEntry; score: number }>> {
  const team = teamScope(scope, repo);
  const key = scopeKey(team, embedderId);
  const rows = await store.pool.query<{ id: string; question: string; answer: unknown; model: string | null; usage: Usage | null; cost_usd: string; files: Record<string, string>; created: string; score: number }>(
    `SELECT id, question, answer, model, usage, cost_usd, files, (extract(epoch FROM created_at) * 1000)::float8 AS created,
            -(question_vector <#> $2::vector) AS score
       FROM keel.answer_cache
      WHERE scope_key = $1 AND embedder = $3 AND created_at > now() - make_interval(secs => $5)
        AND -(question_vector <#> $2::vector) >= $4
      ORDER BY question_vector <#> $2::vector, created_at DESC
      LIMIT $6`,
    [key, vectorLiteral(vector), embedderId, floor, ttlMs / 1000, limit],
    'keel_cache_candidates',
  );
  return rows.map((r) => ({
    score: Number(r.score),
    entry: {
      id: `team:${r.id}`,
      scopeKey: key,
      scope: team,
      embedderId,
      question: r.question,
      vector,
      answer: r.answer,
      model: r.model ?? '',
      usage: r.usage ?? { input: 0, cacheWrite: 0, cacheRead: 0, output: 0 },
      costUsd: Number(r.cost_usd),
      files: r.files ?? {},
      createdAt: Number(r.created),
      lastUsedAt: Number(r.created),
      hits: 0,
    },
  }));
}

export async function sharedPut(store: PgStore, repo: string, entry: StoredEntry): Promise<void> {
  const team = teamScope(entry.scope, repo);
  await store.pool.query(
    `INSERT INTO keel.answer_cache (repo_id, workspace, task_kind, tier, prompt_version, embedder, cited_hashes, question, answer,
                                    scope_key, question_vector, files, model, usage, cost_usd)
     VALUES ((SELECT id FROM keel.repositories WHERE name = $1), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::vector, $12, $13, $14, $15)`,
    [
      repo, team.workspace, team.taskKind, team.tier, team.systemPromptVersion, entry.embedderId,
      Object.values(entry.files), entry.question, JSON.stringify(entry.answer),
      scopeKey(team, entry.embedderId), vectorLiteral(entry.vector), JSON.stringify(entry.files), entry.model, JSON.stringify(entry.usage), entry.costUsd,
    ],
    'keel_cache_put',
  );
}
