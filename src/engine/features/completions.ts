/** `completions/inline`, `completions/accepted`, `completions/stats`: inline completions (src/engine/completions/). */
import { ConfigKey } from '../config';
import type { Engine } from '../engine';
import { completionIndexOf, CompletionService } from '../completions/service';
import { IndexServiceKey } from '../index/indexService';
import { CostLedgerKey } from '../llm/runtime';
import { EgressGateKey, LlmProviderKey } from '../llm/services';
import { serviceKey } from '../services';
import { userStateDir } from '../stateDir';

export const CompletionServiceKey = serviceKey<CompletionService>('completions');

export function registerCompletionsFeature(engine: Engine): void {
  engine.services.provide(CompletionServiceKey, (registry) => {
    const config = registry.get(ConfigKey);
    const service = new CompletionService({
      config,
      gate: registry.get(EgressGateKey),
      ledger: registry.get(CostLedgerKey),
      provider: () => {
        try {
          return registry.get(LlmProviderKey);
        } catch {
          return undefined; // PROVIDER_NOT_CONFIGURED: no completions, not an error per keystroke
        }
      },
      indexFor: (p) => completionIndexOf(registry.get(IndexServiceKey).forPath(p), p),
      dir: userStateDir(engine.options),
      debug: (m) => engine.log.debug(m),
    });
    // A different model or template answers differently: cached completions no longer apply.
    config.onDidChange((changed) => {
      if (changed.some((k) => k.startsWith('keel.completions.') || k === 'keel.provider' || k === 'keel.models.fast')) service.cache.clear();
    });
    return service;
  });
  engine.handle('completions/inline', async (params, ctx) => {
    const result = await engine.services.get(CompletionServiceKey).inline(params, ctx.signal);
    ctx.log.debug(`completion ${result.cached ? 'cached' : result.reason ?? 'shown'}: assemble ${result.timings.assembleMs.toFixed(1)} ms, model ${result.timings.modelMs.toFixed(0)} ms`);
    return result;
  });
  engine.handle('completions/accepted', async (params) => engine.services.get(CompletionServiceKey).accepted(params));
  engine.handle('completions/stats', async () => engine.services.get(CompletionServiceKey).stats());
}
