/**
 * The LLM layer's services (egress gate, chat provider). No protocol methods of its own: chat, ask and
 * the SQL review use the provider through `engine.services.get(LlmProviderKey)`; embedders and
 * re-rankers take `engine.services.get(EgressGateKey).fetchFor(purpose)` as their fetch.
 */
import type { Engine } from '../engine';
import { provideLlmServices } from '../llm/services';
import { workspaceStateDir } from '../stateDir';

export function registerLlmFeature(engine: Engine): void {
  // The egress log is per workspace (what left the machine from THIS repo), next to the answer cache.
  provideLlmServices(engine.services, { storageDir: workspaceStateDir(engine.options) });
}
