/**
 * Serves the editor's unsaved buffers to the engine (`buffers/sync`), so search and chat answer from
 * the code as the user sees it, not as it was last saved. Only file-backed documents inside a
 * workspace folder are sent; edits are batched, and a save, a revert or a close sends the path back
 * as clean (the disk is true again). The CLI has no editor and reads the disk.
 */
import * as vscode from 'vscode';
import type { KeelContext } from './context';

/** Typing sends one message per pause, not one per keystroke. */
const BATCH_MS = 400;
/** Larger buffers stay on the disk version (the indexer skips files this large anyway). */
const MAX_CHARS = 1024 * 1024;

export function registerUnsavedBuffers(ctx: KeelContext): void {
  const dirty = new Map<string, vscode.TextDocument>();
  const clean = new Set<string>();
  const sent = new Set<string>();
  let timer: NodeJS.Timeout | undefined;

  const inWorkspace = (doc: vscode.TextDocument): boolean =>
    doc.uri.scheme === 'file' && vscode.workspace.getWorkspaceFolder(doc.uri) !== undefined;
  const flush = (): void => {
    timer = undefined;
    const body = {
      dirty: [...dirty.values()].filter((d) => !d.isClosed && d.isDirty).map((d) => ({ path: d.uri.fsPath, text: d.getText() })),
      clean: [...clean],
    };
    dirty.clear();
    clean.clear();
    if (!body.dirty.length && !body.clean.length) return;
    for (const d of body.dirty) sent.add(d.path);
    for (const p of body.clean) sent.delete(p);
    ctx.engine.request('buffers/sync', body).catch((error: Error) => ctx.log.warn(`unsaved buffers not sent: ${error.message}`));
  };
  const schedule = (): void => {
    timer ??= setTimeout(flush, BATCH_MS);
  };
  const changed = (doc: vscode.TextDocument): void => {
    if (!inWorkspace(doc)) return;
    const path = doc.uri.fsPath;
    if (doc.isDirty && doc.getText().length <= MAX_CHARS) {
      clean.delete(path);
      dirty.set(path, doc);
    } else if (sent.has(path) || dirty.has(path)) {
      dirty.delete(path);
      clean.add(path);
    }
    schedule();
  };
  const settled = (doc: vscode.TextDocument): void => {
    const path = doc.uri.fsPath;
    dirty.delete(path);
    if (sent.has(path)) {
      clean.add(path);
      schedule();
    }
  };

  ctx.disposables.push(
    vscode.workspace.onDidChangeTextDocument((e) => changed(e.document)),
    vscode.workspace.onDidSaveTextDocument(settled),
    vscode.workspace.onDidCloseTextDocument(settled),
    { dispose: () => timer && clearTimeout(timer) },
  );
  for (const doc of vscode.workspace.textDocuments) if (doc.isDirty) changed(doc);
}
