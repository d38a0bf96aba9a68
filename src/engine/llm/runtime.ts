/**
 * The cost ledger and the semantic cache as engine services, shared by every feature that calls a
 * model (chat, SQL review): ONE ledger per user (budgets are per person), ONE cache per workspace.
 * Settings changes reach them here. (The egress gate and the provider are in ./services.ts.)
 */
import { ConfigKey, type EngineConfig } from '../config';
import type { Engine } from '../engine';
import { EmbedderKey } from '../embed/service';
import { serviceKey } from '../services';
import { userStateDir, workspaceStateDir } from '../stateDir';
import { defaultMargin, defaultThreshold, SemanticCache } from './cache';
import { CostLedger, type BudgetConfig } from './ledger';
import type { PriceTable } from './pricing';
import { TeamRuntime } from '../store/teamRuntime';
import { TeamStoresKey } from '../store/teamStore';

export const CostLedgerKey = serviceKey<CostLedger>('cost-ledger');
export const SemanticCacheKey = serviceKey<SemanticCache>('semantic-cache');
/** The team store behind the ledger and the cache (store/teamRuntime.ts); inert while the store is local. */
export const TeamRuntimeKey = serviceKey<TeamRuntime | undefined>('team-runtime');

export function budgetConfig(config: EngineConfig): BudgetConfig {
  return {
    dailyUsd: config.get('keel.budget.dailyUsd', 0),
    monthlyUsd: config.get('keel.budget.monthlyUsd', 0),
    action: config.get('keel.budget.action', 'warn'),
  };
}

export function priceOverrides(config: EngineConfig): PriceTable {
  return config.get<PriceTable>('keel.prices', {});
}

export function provideLlmRuntime(engine: Engine): void {
  const { services } = engine;
  services.provide(TeamRuntimeKey, (registry) => {
    if (!registry.has(TeamStoresKey)) return undefined;
    // Taken now so the pools' shutdown is registered first and runs after our flush (last registered runs first).
    const stores = registry.get(TeamStoresKey);
    const team = new TeamRuntime({ config: registry.get(ConfigKey), store: (url) => stores.get(url, false), log: engine.log });
    engine.onShutdown(() => team.flush());
    return team;
  });
  services.provide(CostLedgerKey, (registry) => {
    const config = registry.get(ConfigKey);
    const ledger = new CostLedger({ dir: userStateDir(engine.options), budget: budgetConfig(config), prices: priceOverrides(config) });
    config.onDidChange(() => {
      ledger.budget = budgetConfig(config);
      ledger.prices = priceOverrides(config);
    });
    const team = registry.get(TeamRuntimeKey);
    if (team) ledger.onRecord((entry) => team.mirror(entry));
    return ledger;
  });
  services.provide(SemanticCacheKey, (registry) => {
    const config = registry.get(ConfigKey);
    const cache = new SemanticCache({
      dir: workspaceStateDir(engine.options),
      embedder: registry.get(EmbedderKey),
      enabled: config.get('keel.cache.enabled', true),
      threshold: config.get<number | undefined>('keel.cache.threshold', undefined),
      margin: config.get<number | undefined>('keel.cache.margin', undefined),
      warn: (message) => engine.log.warn(message),
      shared: registry.get(TeamRuntimeKey)?.answerCache(),
    });
    config.onDidChange((changed) => {
      cache.enabled = config.get('keel.cache.enabled', true);
      // Empty setting: the threshold calibrated for this embedder (thresholds do not carry across models).
      if (changed.includes('keel.cache.threshold')) cache.threshold = config.get('keel.cache.threshold', defaultThreshold(cache.embedderId));
      if (changed.includes('keel.cache.margin')) cache.margin = config.get('keel.cache.margin', defaultMargin(cache.embedderId));
      // A different embedder means a different vector space: start a fresh cache instance.
      if (changed.includes('keel.embedder')) registry.reset(SemanticCacheKey);
    });
    engine.onShutdown(() => cache.flush());
    return cache;
  });
}

