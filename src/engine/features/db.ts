/** Protocol handlers for query plans: db/explain (Keel: Explain Query Plan, `keel explain`) and db/sql (`keel sql`). */
import { ConfigKey, type EngineConfig } from '../config';
import { closeRehearsals, explainQuery } from '../db/explainQuery';
import { modelSqlDeriver, textToSql } from '../db/textToSql';
import type { Engine } from '../engine';
import { egressPolicy } from '../egress/service';
import { LlmProviderKey } from '../llm/services';
import { CostLedgerKey, priceOverrides } from '../llm/runtime';
import { defaultTierModels, type TierModels } from '../llm/router';
import type { ProviderId } from '../../protocol';

const tiersOf = (config: EngineConfig, id: ProviderId): TierModels =>
  defaultTierModels(id, { fast: config.get('keel.models.fast', ''), reasoning: config.get('keel.models.reasoning', '') });

/** The connection string is a secret (SecretStorage / KEEL_DATABASE_URL), never a setting. */
function databaseUrl(config: EngineConfig, given: string | undefined): string | undefined {
  return given ?? config.secret('databaseUrl') ?? process.env.KEEL_DATABASE_URL;
}

export function registerDbFeature(engine: Engine): void {
  engine.onShutdown(closeRehearsals);
  engine.handle('db/explain', async (params, ctx) => {
    const config = engine.services.get(ConfigKey);
    const db = databaseUrl(config, params.db);
    const provider = engine.services.get(LlmProviderKey);
    const result = await explainQuery(
      { ...params, rows: params.rows ?? config.get<number>('keel.db.rehearsalRows', 1_000_000), ...(db ? { db } : {}) },
      {
        localOnly: egressPolicy(config, process.env).localOnly,
        timeoutS: config.get<number>('keel.db.timeoutS', 30),
        signal: ctx.signal,
        ...(provider ? { deriveSql: modelSqlDeriver({ provider, tiers: tiersOf(config, provider.id), ledger: engine.services.get(CostLedgerKey), prices: priceOverrides(config) }) } : {}),
      },
    );
    ctx.log.info(`db/explain: ${result.database}, cost ${result.cost}, ${result.indexes.length} index(es) in ${result.ms} ms`);
    return result;
  });
  engine.handle('db/sql', async (params, ctx) => {
    const config = engine.services.get(ConfigKey);
    const provider = engine.services.get(LlmProviderKey);
    const db = databaseUrl(config, params.db);
    const result = await textToSql(
      { ...params, rows: params.rows ?? config.get<number>('keel.db.rehearsalRows', 1_000_000), ...(db ? { db } : {}) },
      {
        localOnly: egressPolicy(config, process.env).localOnly,
        timeoutS: config.get<number>('keel.db.timeoutS', 30),
        signal: ctx.signal,
        provider,
        tiers: tiersOf(config, provider?.id ?? 'none'),
        routingMode: params.tier && params.tier !== 'auto' ? params.tier : config.get('keel.routing.mode', 'auto'),
        ledger: provider ? engine.services.get(CostLedgerKey) : undefined,
        prices: priceOverrides(config),
      },
    );
    ctx.log.info(`db/sql: ${result.verdict} (${result.checks.length} checks) by ${result.model} in ${result.ms} ms`);
    return result;
  });
}
