/**
 * Runs "Explain & fix with AI": the request built by aiFix.ts goes to the configured provider's
 * reasoning tier as a structured call (validated, one repair), through the egress gate, and is recorded
 * in the cost ledger like every other model call. Security fixes are never sent to the fast tier.
 */
import type { Finding, SqlAiFixResult } from '../../protocol';
import { KeelError } from '../../common/errors';
import type { CostLedger } from '../llm/ledger';
import { costUsd, type PriceTable } from '../llm/pricing';
import type { TierModels } from '../llm/router';
import type { LlmProvider } from '../llm/types';
import { AI_FIX_SCHEMA, buildAiFixRequest } from './aiFix';

export interface AiFixDeps {
  provider: LlmProvider | undefined;
  tiers: TierModels;
  ledger?: CostLedger;
  prices?: PriceTable;
}

export async function runAiFix(finding: Finding, text: string, deps: AiFixDeps, signal?: AbortSignal): Promise<SqlAiFixResult> {
  const request = buildAiFixRequest(finding, text);
  if (!deps.provider) {
    throw new KeelError('PROVIDER_NOT_CONFIGURED', 'Explain & fix with AI needs a model provider: choose one in keel.provider and set its key with “Keel: Set API Key”.');
  }
  const model = deps.tiers.reasoning.model;
  const started = performance.now();
  const result = await deps.provider.structured(
    { model, system: request.system, messages: [{ role: 'user', content: request.prompt }], maxTokens: 2000, purpose: 'sql-review', files: [finding.path] },
    AI_FIX_SCHEMA,
    signal,
  );
  const cost = costUsd(result.model || model, result.usage, { overrides: deps.prices });
  deps.ledger?.record({
    feature: 'sql-fix', taskKind: 'sql-review', provider: deps.provider.id, model: result.model || model, tier: 'reasoning',
    usage: result.usage, latencyMs: performance.now() - started, costUsd: cost,
  });
  return { ...result.value, range: request.range, provider: deps.provider.id, model: result.model || model, tier: 'reasoning', usage: result.usage, costUsd: cost };
}
