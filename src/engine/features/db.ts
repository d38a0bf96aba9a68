/** Protocol handlers for query plans: db/explain (Keel: Explain Query Plan, `keel explain`). */
import { ConfigKey } from '../config';
import { closeRehearsals, explainQuery } from '../db/explainQuery';
import type { Engine } from '../engine';
import { egressPolicy } from '../egress/service';

export function registerDbFeature(engine: Engine): void {
  engine.onShutdown(closeRehearsals);
  engine.handle('db/explain', async (params, ctx) => {
    const config = engine.services.get(ConfigKey);
    // The connection string is a secret (SecretStorage / KEEL_DATABASE_URL), never a setting.
    const db = params.db ?? config.secret('databaseUrl') ?? process.env.KEEL_DATABASE_URL;
    const result = await explainQuery(
      { ...params, rows: params.rows ?? config.get<number>('keel.db.rehearsalRows', 1_000_000), ...(db ? { db } : {}) },
      {
        localOnly: egressPolicy(config, process.env).localOnly,
        timeoutS: config.get<number>('keel.db.timeoutS', 30),
        signal: ctx.signal,
      },
    );
    ctx.log.info(`db/explain: ${result.database}, cost ${result.cost}, ${result.indexes.length} index(es) in ${result.ms} ms`);
    return result;
  });
}
