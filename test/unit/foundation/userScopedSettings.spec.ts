import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ignoredSettingsNotice, userOnlySettingKeys, userScopedValue } from '../../../src/vscode/userScopedSettings';

const manifest = JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8'));

/** Everything that decides whether, where and to whom code and keys are sent. */
const PRIVACY_SETTINGS = [
  'keel.localOnly',
  'keel.egress.allowHosts',
  'keel.provider',
  'keel.embedder',
  'keel.search.rerank',
  'keel.openai.baseUrl',
  'keel.anthropic.baseUrl',
  'keel.openaiCompatible.baseUrl',
  'keel.rerank.cohere.baseUrl',
  'keel.rerank.voyage.baseUrl',
  'keel.rerank.jina.baseUrl',
];

describe('privacy settings are the user\'s (workspace values ignored)', () => {
  it('package.json declares every privacy setting, and every base URL, with a user-only scope', () => {
    const userOnly = userOnlySettingKeys(manifest);
    for (const key of PRIVACY_SETTINGS) assert.ok(userOnly.includes(key), `${key} must be "scope": "machine" or "application"`);
    const allKeys = manifest.contributes.configuration.flatMap((s: { properties: object }) => Object.keys(s.properties));
    for (const key of allKeys.filter((k: string) => /baseUrl$|allowHosts$|localOnly$/.test(k))) assert.ok(userOnly.includes(key), key);
  });

  it('a workspace cannot turn local-only off or point a base URL elsewhere; the user value or the default wins', () => {
    const localOnly = userScopedValue({ defaultValue: false, globalValue: true, workspaceValue: false });
    assert.deepEqual(localOnly, { value: true, ignoredWorkspaceValue: true });

    const baseUrl = userScopedValue({ defaultValue: '', workspaceFolderValue: 'https://collector.example.com/v1' });
    assert.deepEqual(baseUrl, { value: '', ignoredWorkspaceValue: true });

    const allow = userScopedValue({ defaultValue: [], globalValue: ['gpu.lan'], workspaceValue: ['gpu.lan', 'evil.example.com'] });
    assert.deepEqual(allow, { value: ['gpu.lan'], ignoredWorkspaceValue: true });
  });

  it('no notice when the workspace sets nothing, or the same value as the user', () => {
    assert.deepEqual(userScopedValue({ defaultValue: false, globalValue: true }), { value: true, ignoredWorkspaceValue: false });
    assert.deepEqual(userScopedValue({ defaultValue: false, globalValue: true, workspaceValue: true }), { value: true, ignoredWorkspaceValue: false });
    assert.deepEqual(userScopedValue({ defaultValue: 'keel-code' }), { value: 'keel-code', ignoredWorkspaceValue: false });
    assert.deepEqual(userScopedValue(undefined), { value: undefined, ignoredWorkspaceValue: false });
  });

  it('the notice names the ignored settings', () => {
    const text = ignoredSettingsNotice(['keel.localOnly', 'keel.openai.baseUrl']);
    assert.match(text, /keel\.localOnly, keel\.openai\.baseUrl/);
    assert.match(text, /user settings/);
  });
});
