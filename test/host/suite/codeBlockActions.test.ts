/**
 * The extension side of the chat's code-block buttons, in a real host: what the webview asks for
 * (copyCode / insertCode / applyCode messages) arrives through the same dispatch the view uses. Copy
 * fills the clipboard; Insert replaces the editor's selection; Apply never writes by itself — it shows a
 * diff against a `keel-proposed:` document, and changes the file only when the user clicks Apply (the
 * harness clicks it in the workbench, as a user would); a dismissed question leaves the file as it was.
 * Only untitled documents are edited, so no fixture on disk can change.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { clickNotification, keelApi, waitFor } from './helpers';

async function scratch(text: string): Promise<vscode.TextEditor> {
  const document = await vscode.workspace.openTextDocument({ language: 'typescript', content: text });
  await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.One, preview: false });
  // Right after the previous test reverted and closed its scratch editor (and its diff tabs), the
  // workbench can hand focus back to another editor after ours opened: ask again until ours is active.
  let asked = Date.now();
  return waitFor(async () => {
    const active = vscode.window.activeTextEditor;
    if (active && active.document === document && active.document.getText() === text) return active;
    if (Date.now() - asked > 2000) {
      asked = Date.now();
      await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.One, preview: false });
    }
    return undefined;
  }, 'the scratch document to be the active editor');
}

async function closeWithoutSaving(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
}

/** Selects the first occurrence of `text` in the editor. */
function select(editor: vscode.TextEditor, text: string): void {
  const at = editor.document.getText().indexOf(text);
  assert.ok(at >= 0, `"${text}" is in the document`);
  editor.selection = new vscode.Selection(editor.document.positionAt(at), editor.document.positionAt(at + text.length));
}

/** Closes the diff editors an Apply opened, then the scratch document — untitled and dirty: revert, never a save prompt. */
async function closeDiffsAndDiscard(document: vscode.TextDocument): Promise<void> {
  const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputTextDiff);
  await vscode.window.tabGroups.close(tabs);
  await vscode.window.showTextDocument(document);
  await closeWithoutSaving();
}

/**
 * A scratch document holding `original`, `target` selected, and an Apply of `code` started (it settles
 * only once the Apply / Discard question is answered); resolves when the proposal's diff is showing.
 */
async function startApply(original: string, target: string, code: string): Promise<{ document: vscode.TextDocument; applying: Promise<void>; diff: vscode.TabInputTextDiff }> {
  const api = await keelApi();
  const editor = await scratch(original);
  select(editor, target);
  const applying = api.chatView.dispatch({ type: 'applyCode', code, language: 'typescript' });
  const diff = await waitFor(proposedDiffTab, 'the diff editor with the proposal');
  return { document: editor.document, applying, diff };
}

function proposedDiffTab(): vscode.TabInputTextDiff | undefined {
  for (const group of vscode.window.tabGroups.all) {
    for (const tab of group.tabs) {
      if (tab.input instanceof vscode.TabInputTextDiff && tab.input.modified.scheme === 'keel-proposed') return tab.input;
    }
  }
  return undefined;
}

describe('chat: code-block actions', () => {
  it('Copy puts the code on the clipboard', async () => {
    const api = await keelApi();
    const code = `const copied = ${Date.now()};`;
    await api.chatView.dispatch({ type: 'copyCode', code });
    assert.equal(await vscode.env.clipboard.readText(), code);
  });

  it('Insert replaces the selection of the active editor', async () => {
    const api = await keelApi();
    const editor = await scratch('const a = 1;\nconst b = OLD;\n');
    try {
      select(editor, 'OLD');
      await api.chatView.dispatch({ type: 'insertCode', code: 'fetchB()' });
      assert.equal(editor.document.getText(), 'const a = 1;\nconst b = fetchB();\n');
    } finally {
      await closeWithoutSaving();
    }
  });

  it('Apply writes the proposal once the user clicks Apply in the question', async () => {
    const original = 'export const limit = 10;\n';
    const { document, applying } = await startApply(original, '10', 'Number(process.env.LIMIT ?? 10)');
    try {
      assert.equal(document.getText(), original, 'nothing is written before the answer');
      await clickNotification('Apply');
      await applying;
      assert.equal(document.getText(), 'export const limit = Number(process.env.LIMIT ?? 10);\n');
    } finally {
      await closeDiffsAndDiscard(document);
    }
  });

  it('Apply shows the proposal as a diff and writes nothing unless the user applies it', async () => {
    const original = 'export function total(items) {\n  return 0;\n}\n';
    const { document, applying, diff } = await startApply(original, 'return 0;', 'return items.reduce((s, i) => s + i.price, 0);');
    try {
      assert.equal(diff.original.toString(), document.uri.toString(), 'the diff is against the document being changed');
      const proposed = await vscode.workspace.openTextDocument(diff.modified);
      assert.equal(proposed.getText(), 'export function total(items) {\n  return items.reduce((s, i) => s + i.price, 0);\n}\n');
      assert.equal(document.getText(), original, 'nothing is written while the question is open');

      // Dismissing the question is not "Apply". It is asked just after the diff opens, so keep
      // clearing notifications until the handler has seen the dismissal.
      let settled = false;
      void applying.finally(() => (settled = true));
      await waitFor(async () => {
        await vscode.commands.executeCommand('notifications.clearAll');
        return settled;
      }, 'the apply handler to finish after the question was dismissed');
      await applying;
      assert.equal(document.getText(), original, 'a dismissed proposal leaves the file unchanged');
    } finally {
      await closeDiffsAndDiscard(document);
    }
  });
});
