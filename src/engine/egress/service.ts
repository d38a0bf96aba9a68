/**
 * ONE egress gate per engine, as an engine service: chat providers, embedders and re-rankers all get
 * it from here (through clients.ts). Its policy comes from settings (the editor) or the environment
 * (the CLI) and changes in place, so the redaction key — and with it every placeholder — stays stable.
 *   keel.localOnly      || KEEL_LOCAL_ONLY=1|true     (either one turns local-only on; nothing turns it off)
 *   keel.egress.allowHosts
 *   keel.llm.timeoutS   || KEEL_TIMEOUT_S             (first-byte and idle limit of every request)
 */
import { ConfigKey, type EngineConfig } from '../config';
import type { ServiceRegistry } from '../services';
import { serviceKey } from '../services';
import { DEFAULT_TIMEOUT_MS, EgressGate, type EgressPolicy } from './gate';

export const EgressGateKey = serviceKey<EgressGate>('egress.gate');

export const EGRESS_SETTINGS = ['keel.localOnly', 'keel.egress.allowHosts', 'keel.llm.timeoutS'];

export interface EgressServiceOptions {
  /** Where egress.jsonl is written (the engine's storage dir). */
  storageDir?: string;
  env?: NodeJS.ProcessEnv;
}

export function provideEgressGate(services: ServiceRegistry, options: EgressServiceOptions = {}): void {
  const env = options.env ?? process.env;
  services.provide(EgressGateKey, (registry) => {
    const config = registry.has(ConfigKey) ? registry.get(ConfigKey) : undefined;
    const gate = new EgressGate({ storageDir: options.storageDir, ...egressPolicy(config, env) });
    config?.onDidChange((changed) => {
      if (changed.some((k) => EGRESS_SETTINGS.includes(k))) gate.setPolicy(egressPolicy(config, env));
    });
    return gate;
  });
}

export function localOnlyFromEnv(env: NodeJS.ProcessEnv): boolean {
  return env.KEEL_LOCAL_ONLY === '1' || env.KEEL_LOCAL_ONLY === 'true';
}

/** Seconds from a setting, a flag or a variable; undefined when absent or not a positive number. */
export function timeoutSeconds(value: unknown): number | undefined {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : undefined;
}

export function egressPolicy(config: EngineConfig | undefined, env: NodeJS.ProcessEnv): EgressPolicy {
  const seconds = timeoutSeconds(config?.get<unknown>('keel.llm.timeoutS', undefined)) ?? timeoutSeconds(env.KEEL_TIMEOUT_S);
  return {
    localOnly: (config?.get<boolean>('keel.localOnly', false) ?? false) === true || localOnlyFromEnv(env),
    allowHosts: config?.get<string[]>('keel.egress.allowHosts', []) ?? [],
    timeoutMs: seconds !== undefined ? seconds * 1000 : DEFAULT_TIMEOUT_MS,
  };
}
