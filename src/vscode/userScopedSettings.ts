/**
 * Privacy settings are the user's: whether anything may leave the machine (keel.localOnly, the egress
 * allow-list), where it goes (every base URL) and who receives it (provider, embedder, re-ranker) are
 * declared `"scope": "machine"` in package.json and read here from the user's own settings only. A
 * cloned repository's .vscode/settings.json must not be able to switch local-only off or point the
 * user's API key at another host. Plain data in, plain data out: no `vscode` import, unit-testable.
 */

/** What `WorkspaceConfiguration.inspect(key)` returns, reduced to the fields that matter here. */
export interface InspectedSetting {
  defaultValue?: unknown;
  globalValue?: unknown;
  workspaceValue?: unknown;
  workspaceFolderValue?: unknown;
}

interface ConfigurationSection {
  properties?: Record<string, { scope?: string }>;
}

const USER_ONLY_SCOPES = new Set(['machine', 'application']);

/** Keys package.json declares with a user-only scope (`machine` / `application`). */
export function userOnlySettingKeys(packageJSON: { contributes?: { configuration?: ConfigurationSection[] | ConfigurationSection } }): string[] {
  const declared = packageJSON.contributes?.configuration;
  const sections = Array.isArray(declared) ? declared : declared ? [declared] : [];
  return sections.flatMap((section) =>
    Object.entries(section.properties ?? {})
      .filter(([, spec]) => USER_ONLY_SCOPES.has(spec?.scope ?? ''))
      .map(([key]) => key),
  );
}

/**
 * The value a user-only setting takes — the user's, else the default — and whether a workspace or
 * folder value was set that differs from it (and was therefore ignored).
 */
export function userScopedValue(inspected: InspectedSetting | undefined): { value: unknown; ignoredWorkspaceValue: boolean } {
  const value = inspected?.globalValue !== undefined ? inspected.globalValue : inspected?.defaultValue;
  const same = (v: unknown): boolean => JSON.stringify(v) === JSON.stringify(value);
  const ignoredWorkspaceValue = [inspected?.workspaceValue, inspected?.workspaceFolderValue].some((v) => v !== undefined && !same(v));
  return { value, ignoredWorkspaceValue };
}

/** The one notice shown when workspace values were ignored. */
export function ignoredSettingsNotice(keys: readonly string[]): string {
  return (
    `Keel ignored ${keys.length === 1 ? 'a workspace setting' : 'workspace settings'} that would change where your code and keys are sent: ` +
    `${keys.join(', ')}. These apply only from your user settings.`
  );
}
