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

export function declaredSettingKeys(packageJSON: { contributes?: { configuration?: ConfigurationSection[] } }): string[] {
  return (packageJSON.contributes?.configuration ?? []).flatMap((section) => Object.keys(section.properties ?? {}));
}

export function readSettings(keys: string[]): Record<string, unknown> {
  const config = vscode.workspace.getConfiguration();
  return Object.fromEntries(keys.map((key) => [key, config.get(key)]));
}

export function registerSettingsSync(ctx: KeelContext): void {
  const keys = declaredSettingKeys(ctx.extension.extension.packageJSON);
  const push = (): void => {
    ctx.engine
      .request('engine/configure', { settings: readSettings(keys) })
      .catch((error: Error) => ctx.log.warn(`could not push settings: ${error.message}`));
  };
  push();
  vscode.workspace.onDidChangeConfiguration((event) => {
    if (event.affectsConfiguration('keel')) push();
  }, undefined, ctx.disposables);
}
