/** Shared by the egress tests: an engine's service registry with the one gate, and a connect() watcher. */
import diagnostics from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import { ConfigKey, EngineConfig } from '../../src/engine/config';
import { provideEgressGate } from '../../src/engine/egress/service';
import { provideEmbedder } from '../../src/engine/embed/service';
import { provideLlmServices } from '../../src/engine/llm/services';
import { ServiceRegistry } from '../../src/engine/services';

/** The services a real engine wires (gate first, then providers and embedder) over these settings. */
export function engineServices(settings: Record<string, unknown>, secrets: Record<string, string>, storageDir: string, env: NodeJS.ProcessEnv = {}): ServiceRegistry {
  const registry = new ServiceRegistry();
  const config = new EngineConfig();
  config.update(settings, secrets);
  registry.provide(ConfigKey, () => config);
  provideEgressGate(registry, { storageDir, env });
  provideLlmServices(registry, { storageDir, env });
  provideEmbedder(registry);
  return registry;
}

/** Every outbound TCP connection attempt (and DNS answer) in this process, via net + undici channels. */
export function watchConnections(): { addresses: string[]; stop(): void } {
  const addresses: string[] = [];
  const onSocket = (message: unknown): void => {
    const socket = (message as { socket: Socket }).socket;
    socket.once('connect', () => addresses.push(socket.remoteAddress ?? '?'));
    socket.once('lookup', (_e: unknown, address: string) => addresses.push(address));
  };
  const onUndici = (message: unknown): void => {
    const params = (message as { connectParams?: { hostname?: string } }).connectParams;
    if (params?.hostname) addresses.push(params.hostname);
  };
  diagnostics.subscribe('net.client.socket', onSocket);
  diagnostics.subscribe('undici:client:beforeConnect', onUndici);
  return {
    addresses,
    stop: () => {
      diagnostics.unsubscribe('net.client.socket', onSocket);
      diagnostics.unsubscribe('undici:client:beforeConnect', onUndici);
    },
  };
}
