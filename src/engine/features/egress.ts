/**
 * The engine's one egress gate (every outbound request: chat, embeddings, re-rankers) and the audit
 * log request. Registered before every feature that sends anything.
 */
import { EgressGateKey, provideEgressGate } from '../egress/service';
import type { Engine } from '../engine';
import { KeelError } from '../../common/errors';
import { workspaceStateDir } from '../stateDir';

export function registerEgressFeature(engine: Engine): void {
  // The CLI has no host storage: its audit log goes to the user's state dir, so egress is always recorded.
  provideEgressGate(engine.services, { storageDir: workspaceStateDir(engine.options) });

  engine.handle('egress/log', async (params) => {
    const limit = params?.limit ?? 500;
    if (!Number.isInteger(limit) || limit < 1 || limit > 100_000) throw new KeelError('INVALID_PARAMS', '`limit` must be an integer between 1 and 100000.');
    const gate = engine.services.get(EgressGateKey);
    return { file: gate.audit?.file ?? null, localOnly: gate.localOnly, entries: gate.audit?.read(limit) ?? [] };
  });
}
