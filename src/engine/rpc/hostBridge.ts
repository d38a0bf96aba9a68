/**
 * The engine's way to ask its host for things only the host has (VS Code's Language Model API).
 * `serveEngine` installs one per served engine; an in-process engine (the CLI) has none, and a host
 * that has not announced a method (`host/methods`) gets no request for it — callers fail at once with
 * a coded error instead of waiting for an answer that will never come.
 */
import type { HostChunkOf, HostMethod, HostParamsOf, HostResultOf } from '../../protocol';
import { serviceKey, type ServiceRegistry } from '../services';

export interface HostRequestOptions<C> {
  signal?: AbortSignal;
  onChunk?: (chunk: C) => void;
  timeoutMs?: number;
}

export interface HostBridge {
  /** True when the host announced it answers `method` and is still connected. */
  serves(method: HostMethod): boolean;
  /** Rejects with NOT_AVAILABLE when the host does not serve `method` (or has gone away). */
  request<M extends HostMethod>(method: M, params: HostParamsOf<M>, options?: HostRequestOptions<HostChunkOf<M>>): Promise<HostResultOf<M>>;
}

export const HostBridgeKey = serviceKey<HostBridge>('rpc.hostBridge');

/** The engine's host bridge, or undefined when nothing hosts it over a transport (in-process CLI). */
export function hostBridgeOf(services: ServiceRegistry): HostBridge | undefined {
  return services.has(HostBridgeKey) ? services.get(HostBridgeKey) : undefined;
}
