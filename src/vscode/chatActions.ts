/**
 * What the chat webview may ask the extension to do. The webview is treated as untrusted (it renders
 * model output), so every request is validated here: citations must resolve inside the workspace,
 * links must be http(s), and code is never written silently — "apply" opens a diff preview first.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { chooseRoot } from './chatTarget';
import { gateAiWrite, recordAiWrite, type AiWriteMeta } from './trustGate';

/** The workspace folder a question is about: the active editor's, else the first (chatTarget.ts). */
export function questionRoot(): string | undefined {
  const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
  const active = vscode.window.activeTextEditor?.document.uri;
  return chooseRoot(folders, active?.scheme === 'file' ? active.fsPath : undefined);
}

/** Resolve a workspace-relative (or absolute-inside-workspace) path; undefined if it escapes. */
export function resolveWorkspacePath(relative: string): vscode.Uri | undefined {
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    const root = folder.uri.fsPath;
    const full = path.resolve(root, relative);
    if (full === root || full.startsWith(root + path.sep)) return vscode.Uri.file(full);
  }
  return undefined;
}

export async function openLocation(relative: string, line: number, endLine?: number): Promise<boolean> {
  const uri = resolveWorkspacePath(relative);
  if (!uri) {
    void vscode.window.showWarningMessage(`Keel: ${relative} is not inside this workspace.`);
    return false;
  }
  try {
    await vscode.workspace.fs.stat(uri);
  } catch {
    void vscode.window.showWarningMessage(`Keel: ${relative} no longer exists.`);
    return false;
  }
  const start = Math.max(0, line - 1);
  const end = Math.max(start, (endLine ?? line) - 1);
  await vscode.window.showTextDocument(uri, { selection: new vscode.Range(start, 0, end, 0), preview: true });
  return true;
}

export async function openLink(href: string): Promise<boolean> {
  let uri: vscode.Uri;
  try {
    uri = vscode.Uri.parse(href, true);
  } catch {
    return false;
  }
  if (uri.scheme !== 'http' && uri.scheme !== 'https') {
    void vscode.window.showWarningMessage(`Keel: refused to open a ${uri.scheme}: link from a model answer.`);
    return false;
  }
  return vscode.env.openExternal(uri);
}

export async function copyCode(code: string): Promise<void> {
  await vscode.env.clipboard.writeText(code);
  void vscode.window.setStatusBarMessage('Keel: code copied', 2000);
}

export async function insertCode(code: string, meta?: AiWriteMeta): Promise<boolean> {
  const editor = vscode.window.activeTextEditor ?? vscode.window.visibleTextEditors[0];
  if (!editor) {
    void vscode.window.showInformationMessage('Keel: open an editor to insert the code into.');
    return false;
  }
  const range = editor.selection;
  const gate = await gateAiWrite(editor.document, range, code);
  if (gate.decision === 'cancel') return false;
  const done = await editor.edit((edit) => edit.replace(range, code));
  if (done) await recordAiWrite(editor.document, range.start.line + 1, range.start.line + code.split('\n').length, code, meta, gate.acknowledged);
  return done;
}

const PROPOSED_SCHEME = 'keel-proposed';
const proposals = new Map<string, string>();
const proposalChanged = new vscode.EventEmitter<vscode.Uri>();

export function registerProposalProvider(disposables: vscode.Disposable[]): void {
  disposables.push(
    proposalChanged,
    vscode.workspace.registerTextDocumentContentProvider(PROPOSED_SCHEME, {
      onDidChange: proposalChanged.event,
      provideTextDocumentContent: (uri) => proposals.get(uri.toString()) ?? '',
    }),
  );
}

/**
 * Show the active editor's content with `code` replacing its selection (or inserted at the cursor) as
 * a diff, and apply it only if the user says so.
 */
export async function applyAsDiff(code: string, meta?: AiWriteMeta): Promise<'applied' | 'discarded' | 'no-editor'> {
  const editor = vscode.window.activeTextEditor ?? vscode.window.visibleTextEditors[0];
  if (!editor) {
    void vscode.window.showInformationMessage('Keel: open the file the code belongs to, then choose “Apply as diff” again.');
    return 'no-editor';
  }
  return previewAndApply(editor.document, editor.selection, code, 'Apply Keel’s proposed change?', meta);
}

/**
 * The one way Keel changes a user's file from model output: a diff of `document` with `range` replaced
 * by `newText`, then an explicit Apply (and, in a high-radius area, an explicit acknowledgement: the
 * trust gate). Nothing is written if the file changed meanwhile. The write goes into the provenance ledger.
 */
export async function previewAndApply(document: vscode.TextDocument, range: vscode.Range, newText: string, question: string, meta?: AiWriteMeta): Promise<'applied' | 'discarded'> {
  const original = document.getText();
  const proposed = original.slice(0, document.offsetAt(range.start)) + newText + original.slice(document.offsetAt(range.end));
  const proposedUri = vscode.Uri.from({ scheme: PROPOSED_SCHEME, path: document.uri.path, query: String(Date.now()) });
  proposals.set(proposedUri.toString(), proposed);
  proposalChanged.fire(proposedUri);
  await vscode.commands.executeCommand('vscode.diff', document.uri, proposedUri, `${path.basename(document.uri.fsPath)} ↔ Keel's proposal`);
  const choice = await vscode.window.showInformationMessage(question, 'Apply', 'Discard');
  proposals.delete(proposedUri.toString());
  if (choice !== 'Apply') return 'discarded';
  const gate = await gateAiWrite(document, range, newText);
  if (gate.decision === 'cancel') return 'discarded';
  if (document.getText() !== original) {
    void vscode.window.showWarningMessage('Keel: the file changed while the diff was open; not applied.');
    return 'discarded';
  }
  const edit = new vscode.WorkspaceEdit();
  edit.replace(document.uri, new vscode.Range(document.positionAt(0), document.positionAt(original.length)), proposed);
  await vscode.workspace.applyEdit(edit);
  await recordAiWrite(document, range.start.line + 1, range.start.line + newText.split('\n').length, newText, meta, gate.acknowledged);
  return 'applied';
}

/** A whole-file proposal (e.g. tests for a change) as a diff, written only on an explicit Apply. */
export async function proposeFileDiff(target: vscode.Uri, original: string, proposed: string, question: string): Promise<'applied' | 'discarded'> {
  const originalUri = vscode.Uri.from({ scheme: PROPOSED_SCHEME, path: target.path, query: `original-${Date.now()}` });
  const proposedUri = vscode.Uri.from({ scheme: PROPOSED_SCHEME, path: target.path, query: String(Date.now()) });
  proposals.set(originalUri.toString(), original);
  proposals.set(proposedUri.toString(), proposed);
  await vscode.commands.executeCommand('vscode.diff', originalUri, proposedUri, `${path.basename(target.fsPath)} ↔ Keel's proposed tests`);
  const choice = await vscode.window.showInformationMessage(question, 'Apply', 'Discard');
  proposals.delete(originalUri.toString());
  proposals.delete(proposedUri.toString());
  if (choice !== 'Apply') return 'discarded';
  const edit = new vscode.WorkspaceEdit();
  edit.createFile(target, { overwrite: true, contents: Buffer.from(proposed, 'utf8') });
  await vscode.workspace.applyEdit(edit);
  return 'applied';
}
