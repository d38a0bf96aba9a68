import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { keelApi, keelExtension, waitFor } from './helpers';

describe('activation', () => {
  it('opens the demo-backend fixture workspace', () => {
    const folders = vscode.workspace.workspaceFolders ?? [];
    assert.equal(folders.length, 1, `workspace folders: ${folders.map((f) => f.uri.toString()).join(', ')}`);
    assert.equal(folders[0].uri.scheme, 'file');
    assert.ok(
      folders[0].uri.fsPath.endsWith(path.join('test', 'fixtures', 'demo-backend')),
      `unexpected folder ${folders[0].uri.fsPath}`,
    );
  });

  // First test of the first file: nothing has called activate() yet, so this proves the manifest's
  // activation events (onStartupFinished / workspaceContains) fire in a real host.
  it('activates by itself once the workbench has started', async () => {
    await waitFor(() => keelExtension().isActive, 'Keel to activate on its own', 30_000);
  });

  it('activates keel-dev.keel in the real extension host', async () => {
    const ext = keelExtension();
    const api = await keelApi();
    assert.equal(ext.isActive, true);
    assert.equal(typeof api.engine.request, 'function');
    assert.equal(typeof api.chatView.whenRendered, 'function');
  });

  it('activates in under 300 ms', async () => {
    const { activationMs } = await keelApi();
    assert.equal(typeof activationMs, 'number');
    assert.ok(Number.isFinite(activationMs) && activationMs >= 0, `activationMs = ${activationMs}`);
    console.log(`      activation took ${activationMs.toFixed(1)} ms`);
    assert.ok(activationMs < 300, `activation took ${activationMs.toFixed(1)} ms (budget 300 ms)`);
  });
});
