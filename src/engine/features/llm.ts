/**
 * The LLM layer's services (the chat provider on the engine's egress gate), the cost ledger and the
 * semantic cache. Chat, ask and the SQL review use the provider through `engine.services.get(LlmProviderKey)`.
 */
import type { Engine } from '../engine';
import { provideLlmRuntime } from '../llm/runtime';
import { provideLlmServices } from '../llm/services';
import { workspaceStateDir } from '../stateDir';

export function registerLlmFeature(engine: Engine): void {
  provideLlmServices(engine.services, { storageDir: workspaceStateDir(engine.options) });
  // The cost ledger and the semantic cache: shared by chat, the cost feature and future model callers.
  provideLlmRuntime(engine);
}
