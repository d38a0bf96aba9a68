/**
 * The LLM layer's services (egress gate, chat provider) and the egress audit log request. Chat, ask and
 * the SQL review use the provider through `engine.services.get(LlmProviderKey)`.
 */
import type { Engine } from '../engine';
import { KeelError } from '../../common/errors';
import { provideLlmRuntime } from '../llm/runtime';
import { EgressGateKey, provideLlmServices } from '../llm/services';
import { workspaceStateDir } from '../stateDir';

export function registerLlmFeature(engine: Engine): void {
  // The CLI has no host storage: its audit log goes to the user's state dir, so egress is always recorded.
  provideLlmServices(engine.services, { storageDir: workspaceStateDir(engine.options) });
  // The cost ledger and the semantic cache: shared by chat, the cost feature and future model callers.
  provideLlmRuntime(engine);

  engine.handle('egress/log', async (params) => {
    const limit = params?.limit ?? 500;
    if (!Number.isInteger(limit) || limit < 1 || limit > 100_000) throw new KeelError('INVALID_PARAMS', '`limit` must be an integer between 1 and 100000.');
    const gate = engine.services.get(EgressGateKey);
    return { file: gate.audit?.file ?? null, localOnly: gate.localOnly, entries: gate.audit?.read(limit) ?? [] };
  });
}
