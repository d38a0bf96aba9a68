/**
 * Pushes Keel's settings to the engine at start and whenever they change. The keys pushed are exactly
 * the ones package.json declares, so a new setting needs no code here. Settings declared with a
 * user-only scope (privacy: local-only, allow-list, provider, base URLs) are read from the user's
 * settings alone, trusted workspace or not; a workspace value for one is ignored with a notice
 * (userScopedSettings.ts).
 */
import * as vscode from 'vscode';
import type { KeelContext } from './context';
import { ignoredSettingsNotice, userOnlySettingKeys, userScopedValue } from './userScopedSettings';

interface ConfigurationSection {
  properties?: Record<string, unknown>;
}

export function declaredSettingKeys(packageJSON: { contributes?: { configuration?: ConfigurationSection[] | ConfigurationSection } }): string[] {
  // The manifest allows one section object or an array of them; hosts may hand back either.
  const declared = packageJSON.contributes?.configuration;
  const sections = Array.isArray(declared) ? declared : declared ? [declared] : [];
  return sections.flatMap((section) => Object.keys(section.properties ?? {}));
}

export function readSettings(keys: string[], userOnly: ReadonlySet<string> = new Set(), ignored: string[] = []): Record<string, unknown> {
  const config = vscode.workspace.getConfiguration();
  // Object-valued settings come back as read-only proxies, which postMessage cannot clone: copy to plain JSON.
  return Object.fromEntries(
    keys.map((key) => {
      if (!userOnly.has(key)) return [key, plain(config.get(key))];
      const { value, ignoredWorkspaceValue } = userScopedValue(config.inspect(key));
      if (ignoredWorkspaceValue) ignored.push(key);
      return [key, plain(value)];
    }),
  );
}

/** Keys already warned about this session: one message per newly ignored key, not one per push. */
const warned = new Set<string>();

function plain(value: unknown): unknown {
  return value === undefined || value === null || typeof value !== 'object' ? value : JSON.parse(JSON.stringify(value));
}

/** Push the current settings now; resolves when the engine has them. */
export async function pushSettings(ctx: KeelContext): Promise<void> {
  const packageJSON = ctx.extension.extension.packageJSON;
  const keys = declaredSettingKeys(packageJSON);
  const ignored: string[] = [];
  const settings = readSettings(keys, new Set(userOnlySettingKeys(packageJSON)), ignored);
  await ctx.engine.request('engine/configure', { settings });
  if (ignored.length) {
    const notice = ignoredSettingsNotice(ignored);
    ctx.log.warn(notice);
    const fresh = ignored.filter((k) => !warned.has(k));
    if (fresh.length) {
      fresh.forEach((k) => warned.add(k));
      void vscode.window.showWarningMessage(notice);
    }
  }
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
