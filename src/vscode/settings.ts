/**
 * Pushes Keel's settings to the engine at start and whenever they change. The keys pushed are exactly
 * the ones package.json declares, so a new setting needs no code here. Provider endpoints and egress
 * settings are honoured only from user scope in untrusted workspaces — VS Code enforces that through
 * `capabilities.untrustedWorkspaces.restrictedConfigurations` in package.json.
 */
import * as vscode from 'vscode';
import type { KeelContext } from './context';

interface ConfigurationSection {
  properties?: Record<string, unknown>;
}

export function declaredSettingKeys(packageJSON: { contributes?: { configuration?: ConfigurationSection[] | ConfigurationSection } }): string[] {
  // The manifest allows one section object or an array of them; hosts may hand back either.
  const declared = packageJSON.contributes?.configuration;
  const sections = Array.isArray(declared) ? declared : declared ? [declared] : [];
  return sections.flatMap((section) => Object.keys(section.properties ?? {}));
}

export function readSettings(keys: string[]): Record<string, unknown> {
  const config = vscode.workspace.getConfiguration();
  // Object-valued settings come back as read-only proxies, which postMessage cannot clone: copy to plain JSON.
  return Object.fromEntries(keys.map((key) => [key, plain(config.get(key))]));
}

function plain(value: unknown): unknown {
  return value === undefined || value === null || typeof value !== 'object' ? value : JSON.parse(JSON.stringify(value));
}

/** Push the current settings now; resolves when the engine has them. */
export async function pushSettings(ctx: KeelContext): Promise<void> {
  const keys = declaredSettingKeys(ctx.extension.extension.packageJSON);
  await ctx.engine.request('engine/configure', { settings: readSettings(keys) });
}

export function registerSettingsSync(ctx: KeelContext): void {
  const push = (): void => {
    pushSettings(ctx).catch((error: Error) => ctx.log.warn(`could not push settings: ${error.message}`));
  };
  push();
  vscode.workspace.onDidChangeConfiguration((event) => {
    if (event.affectsConfiguration('keel')) push();
  }, undefined, ctx.disposables);
}
