/**
 * The team store behind the LLM layer: when searches go to the team store (`keel.index.store:
 * postgres`, or the request's own `store` is a postgres URL), every line the cost ledger writes is
 * mirrored to the team ledger with the person and repository, and the semantic answer cache also
 * asks and fills the team's shared cache. Both decide per call (settings may change while the engine
 * runs) and never fail the model call they ride on: a team store that is down costs a warning.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CostEntry } from '../../protocol';
import type { EngineConfig } from '../config';
import type { Logger } from '../log';
import type { CacheScope } from '../llm/cache/scope';
import type { SharedAnswerCache, StoredEntry } from '../llm/cache/types';
import { parseStoreLocation } from './location';
import { gitIdentity } from './postgres/publishWorkspace';
import { sharedCandidates, sharedPut } from './postgres/sharedAnswerCache';
import { recordTeamCost } from './postgres/teamCost';
import type { PgStore } from './postgres/pgStore';
import { requestScope } from './requestScope';

export interface TeamRuntimeDeps {
  config: EngineConfig;
  /** The engine's team store pools (TeamStoresKey), looked up when first needed. */
  store(url: string): Promise<PgStore>;
  log: Logger;
  env?: NodeJS.ProcessEnv;
}

/** The team store URL in force for the current request, or undefined when searches are local. */
export function teamStoreUrl(config: EngineConfig, env: NodeJS.ProcessEnv = process.env, store = requestScope.getStore()?.store): string | undefined {
  const setting = config.get<string>('keel.index.store', 'local');
  try {
    const location = parseStoreLocation(store ?? (setting === 'postgres' ? 'postgres' : undefined), config.secret('indexStoreUrl') ?? config.secret('databaseUrl'), env);
    return location.kind === 'postgres' ? location.url : undefined;
  } catch {
    return undefined; // `postgres` chosen but no URL: search reports that; the ledger stays local
  }
}

/** The repository a workspace belongs to: its git checkout's identity (KEEL_REPO overrides). */
export async function repositoryOf(workspace: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  let dir = path.resolve(workspace ?? process.cwd());
  if (fs.existsSync(dir) && !fs.statSync(dir).isDirectory()) dir = path.dirname(dir);
  for (let d = dir; ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, '.git'))) return (await gitIdentity(d, env)).repo;
    if (path.dirname(d) === d) break;
  }
  return (await gitIdentity(dir, env)).repo;
}

export class TeamRuntime {
  private readonly pending = new Set<Promise<void>>();
  private warned = false;
  private readonly env: NodeJS.ProcessEnv;

  constructor(private readonly deps: TeamRuntimeDeps) {
    this.env = deps.env ?? process.env;
  }

  /** CostLedger.onRecord: mirror one local ledger line to the team ledger (in the background). */
  mirror(entry: CostEntry): void {
    const url = teamStoreUrl(this.deps.config, this.env);
    if (!url) return;
    const workspace = requestScope.getStore()?.workspace;
    const user = this.env.KEEL_USER || undefined;
    const u = entry.usage;
    const job = (async () => {
      const store = await this.deps.store(url);
      await recordTeamCost(store, {
        user,
        repo: await repositoryOf(workspace, this.env),
        feature: entry.feature,
        provider: entry.provider,
        model: entry.model,
        inputTokens: u.input + u.cacheWrite + u.cacheRead,
        outputTokens: u.output,
        costUsd: entry.costUsd,
        at: entry.time,
        entryId: entry.id,
        taskKind: entry.taskKind,
        tier: entry.tier,
        cacheHit: entry.cacheHit,
        savedUsd: entry.savings.semanticCache + entry.savings.routing + entry.savings.promptCaching,
      });
    })().catch((error: Error) => this.warn(`team ledger: could not record the call (${error.message}); it is in the local ledger`));
    this.track(job);
  }

  /** The shared answer cache, active only while the team store is in force. */
  answerCache(): SharedAnswerCache {
    return {
      candidates: async (scope: CacheScope, embedderId: string, vector: Float32Array, floor: number, ttlMs: number) => {
        const url = teamStoreUrl(this.deps.config, this.env);
        if (!url) return [];
        return sharedCandidates(await this.deps.store(url), await repositoryOf(scope.workspace, this.env), scope, embedderId, vector, floor, ttlMs);
      },
      put: async (entry: StoredEntry) => {
        const url = teamStoreUrl(this.deps.config, this.env);
        if (!url) return;
        await sharedPut(await this.deps.store(url), await repositoryOf(entry.scope.workspace, this.env), entry);
      },
    };
  }

  /** Waits for mirrored lines still on their way (engine shutdown, tests). */
  async flush(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  private track(job: Promise<void>): void {
    this.pending.add(job);
    void job.finally(() => this.pending.delete(job));
  }

  private warn(message: string): void {
    // Once per engine: a server that is down would otherwise warn on every call.
    if (this.warned) return this.deps.log.debug(message);
    this.warned = true;
    this.deps.log.warn(message);
  }
}
