/**
 * The editor's view of files: a function typed into a demo file and NOT saved is found by Keel's
 * search (the extension serves the dirty buffer to the engine); reverting the buffer takes it away.
 * The fixture file is never saved.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { keelApi, waitFor, within } from './helpers';

describe('unsaved editor buffers', function () {
  it('search sees a function that exists only in an unsaved buffer, and forgets it on revert', async () => {
    const api = await keelApi();
    const root = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const uri = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, 'src', 'routes', 'orders.ts');
    const doc = await vscode.workspace.openTextDocument(uri);
    const editor = await vscode.window.showTextDocument(doc);
    const search = async () =>
      (await within(api.engine.request('search/query', { query: 'reconcileUnsavedInvoices', dir: root, ensureIndex: true, mode: 'bm25', top: 3 }), 'search')).hits;
    try {
      await editor.edit((b) => b.insert(new vscode.Position(doc.lineCount, 0), '\nexport function reconcileUnsavedInvoices(batch: string[]) {\n  return batch.length;\n}\n'));
      assert.ok(doc.isDirty);
      const hits = await waitFor(async () => {
        const h = await search();
        return h.length && h[0].path === 'src/routes/orders.ts' ? h : undefined;
      }, 'the unsaved function to be found', 30_000);
      assert.equal(hits[0].path, 'src/routes/orders.ts');
    } finally {
      await vscode.commands.executeCommand('workbench.action.files.revert');
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    }
    assert.equal(doc.isDirty, false);
    await waitFor(async () => ((await search()).length === 0 ? true : undefined), 'the reverted function to be gone', 30_000);
  });
});
