/**
 * The engine's view of user settings and secrets, pushed by the host (`engine/configure`): VS Code
 * settings + SecretStorage from the extension, flags + environment variables from the CLI.
 * Secrets are held in memory only and never logged or echoed back.
 */
import { serviceKey, type ServiceKey, type ServiceRegistry } from './services';

export type Settings = Record<string, unknown>;

export class EngineConfig {
  private settings: Settings = {};
  private secrets = new Map<string, string>();
  private readonly listeners = new Set<(changed: string[]) => void>();

  get<T>(key: string, fallback: T): T {
    const value = this.settings[key];
    return value === undefined || value === null ? fallback : (value as T);
  }

  secret(name: string): string | undefined {
    return this.secrets.get(name);
  }

  update(settings: Settings | undefined, secrets: Record<string, string | null> | undefined): string[] {
    const changed: string[] = [];
    for (const [key, value] of Object.entries(settings ?? {})) {
      if (JSON.stringify(this.settings[key]) !== JSON.stringify(value)) changed.push(key);
      this.settings[key] = value;
    }
    for (const [name, value] of Object.entries(secrets ?? {})) {
      if (value === null || value === '') this.secrets.delete(name);
      else this.secrets.set(name, value);
      changed.push(`secret:${name}`);
    }
    if (changed.length) for (const listener of this.listeners) listener(changed);
    return changed;
  }

  onDidChange(listener: (changed: string[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

export const ConfigKey = serviceKey<EngineConfig>('config');

/**
 * Resets the service `key` (once) when a setting or secret `affects` matches changes, so the next get()
 * rebuilds it from the new settings. Call after building the service: a build that throws leaves no listener.
 */
export function resetOnSettingChange<T>(
  config: EngineConfig | undefined,
  registry: ServiceRegistry,
  key: ServiceKey<T>,
  affects: (changed: string) => boolean,
): void {
  if (!config) return;
  const dispose = config.onDidChange((changed) => {
    if (changed.some(affects)) {
      dispose();
      registry.reset(key);
    }
  });
}
