/** Protocol handlers for SQL safety: sql/analyze (open documents), sql/scan (folders), sql/aiFixRequest, sql/aiFix. */
import { ConfigKey } from '../config';
import type { Engine } from '../engine';
import { defaultTierModels } from '../llm/router';
import { CostLedgerKey, priceOverrides } from '../llm/runtime';
import { LlmProviderKey } from '../llm/services';
import { runAiFix } from '../sql/aiFixCall';
import { throwIfCancelled } from '../../common/errors';
import { buildAiFixRequest } from '../sql/aiFix';
import { analyzeSource } from '../sql/analyze';
import { scanPaths } from '../sql/scan';

export function registerSqlFeature(engine: Engine): void {
  engine.handle('sql/analyze', async (params, ctx) => {
    throwIfCancelled(ctx.signal);
    // Open documents are re-analysed on every edit: keep their trees and reparse incrementally.
    return { findings: await analyzeSource(params, { incremental: true }) };
  });
  engine.handle('sql/scan', async (params, ctx) => {
    const result = await scanPaths(params, ctx.signal);
    ctx.log.info(`sql/scan: ${result.files} files, ${result.findings.length} findings in ${result.ms} ms`);
    return result;
  });
  engine.handle('sql/aiFixRequest', async (params) => buildAiFixRequest(params?.finding, params?.text));
  engine.handle('sql/aiFix', async (params, ctx) => {
    const config = engine.services.get(ConfigKey);
    const provider = engine.services.get(LlmProviderKey);
    const tiers = defaultTierModels(provider?.id ?? 'none', { fast: config.get('keel.models.fast', ''), reasoning: config.get('keel.models.reasoning', '') });
    return runAiFix(params?.finding, params?.text, {
      provider,
      tiers,
      ledger: provider ? engine.services.get(CostLedgerKey) : undefined,
      prices: priceOverrides(config),
    }, ctx.signal);
  });
}
