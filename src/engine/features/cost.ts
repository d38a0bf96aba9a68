/**
 * `cost/summary`, `cost/record`, `cache/clear`: the cost ledger and the semantic answer cache over the
 * protocol, for the status bar, the cost report, the CLI (`keel cost`) and tests. Features that call
 * models record in-process through the same ledger service (llm/runtime.ts).
 */
import * as path from 'node:path';
import { ConfigKey } from '../config';
import type { Engine } from '../engine';
import { EmbedderKey } from '../embed/service';
import { KeelError } from '../../common/errors';
import { SemanticCache } from '../llm/cache';
import { CostLedger } from '../llm/ledger';
import { budgetConfig, CostLedgerKey, priceOverrides, SemanticCacheKey } from '../llm/runtime';
import { parseStoreLocation } from '../store/location';
import { teamCost } from '../store/postgres/teamCost';
import { TeamStoresKey } from '../store/teamStore';

export function registerCostFeature(engine: Engine): void {
  /** The shared ledger, or one over an explicit store directory (`keel cost --store DIR`). */
  const ledgerFor = (store: string | undefined): CostLedger => {
    const dir = storeDir(store);
    if (!dir) return engine.services.get(CostLedgerKey);
    const config = engine.services.get(ConfigKey);
    return new CostLedger({ dir, budget: budgetConfig(config), prices: priceOverrides(config) });
  };

  engine.handle('cost/summary', async (params) => ledgerFor(params?.store).summary());

  engine.handle('cost/team', async (params) => {
    const location = parseStoreLocation(params?.store ?? 'postgres', engine.services.get(ConfigKey).secret('indexStoreUrl') ?? engine.services.get(ConfigKey).secret('databaseUrl'));
    if (location.kind !== 'postgres') throw new KeelError('INVALID_PARAMS', 'Team cost lives in the team store: give `store` as a postgres:// URL (or `postgres`).');
    if (params?.since !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(params.since)) throw new KeelError('INVALID_PARAMS', '`since` must be a date, YYYY-MM-DD.');
    const store = await engine.services.get(TeamStoresKey).get(location.url, false);
    return teamCost(store, { repo: params?.repo, since: params?.since });
  });

  engine.handle('cost/record', async (params) => {
    if (!params?.call || typeof params.call !== 'object') throw new KeelError('INVALID_PARAMS', '`call` must describe one model call.');
    return ledgerFor(params.store).record(params.call);
  });

  engine.handle('cache/clear', async (params) => {
    const dir = storeDir(params?.store);
    if (!dir) return { removed: engine.services.get(SemanticCacheKey).clear() };
    const cache = new SemanticCache({ dir, embedder: engine.services.get(EmbedderKey), saveDelayMs: 0, warn: (m) => engine.log.warn(m) });
    return { removed: cache.clear() };
  });
}

function storeDir(store: unknown): string | undefined {
  if (store === undefined || store === null || store === '') return undefined;
  if (typeof store !== 'string' || !path.isAbsolute(store)) throw new KeelError('INVALID_PARAMS', '`store` must be an absolute folder path.');
  return store;
}
