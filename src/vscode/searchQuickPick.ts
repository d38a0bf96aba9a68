/**
 * `Keel: Search Workspace`: a quick pick with live hybrid-search results (symbol, path:line, snippet)
 * that opens the chosen location. Each keystroke (debounced) cancels the previous request through the
 * protocol's cancellation, so a slow query never overwrites a newer one. Files open in the editor are
 * passed as signals to the local re-ranker.
 */
import * as vscode from 'vscode';
import { toKeelError } from '../common/errors';
import type { SearchHit } from '../protocol';
import type { KeelContext } from './context';
import { hitItem, resolveHitPath, type HitItem } from './searchQuickPickItems';

const DEBOUNCE_MS = 150;
const MIN_QUERY = 2;

type Item = vscode.QuickPickItem & { hit?: SearchHit };

export interface SearchQuickPick {
  /** Opens the quick pick, optionally pre-filled (e.g. with the selection). */
  show(initial?: string): Promise<void>;
}

export function registerSearchQuickPick(ctx: KeelContext): SearchQuickPick {
  return { show: (initial) => showSearch(ctx, initial) };
}

async function showSearch(ctx: KeelContext, initial?: string): Promise<void> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 0) {
    void vscode.window.showInformationMessage('Keel: open a folder to search it.');
    return;
  }
  const pick = vscode.window.createQuickPick<Item>();
  const disposables: vscode.Disposable[] = [pick];
  pick.title = 'Keel: Search Workspace';
  pick.placeholder = 'Search code by meaning or by name — e.g. "where are refunds validated" or "parseRetryAfter"';
  pick.matchOnDescription = false;
  pick.matchOnDetail = false;
  let timer: NodeJS.Timeout | undefined;
  let inflight: vscode.CancellationTokenSource | undefined;

  const run = async (query: string): Promise<void> => {
    inflight?.cancel();
    inflight?.dispose();
    if (query.trim().length < MIN_QUERY) {
      pick.items = [];
      pick.busy = false;
      return;
    }
    const cts = new vscode.CancellationTokenSource();
    inflight = cts;
    pick.busy = true;
    try {
      const result = await ctx.engine.request(
        'search/query',
        { query, dir: folders[0].uri.fsPath, ensureIndex: true, top: 20, preview: true, openFiles: openFiles() },
        { token: cts.token },
      );
      if (cts.token.isCancellationRequested) return;
      // alwaysShow: the engine already ranked these; the quick pick must not filter them by label again.
      pick.items = result.hits.length
        ? result.hits.map((h) => ({ ...toItem(hitItem(h)), alwaysShow: true }))
        : [{ label: 'No results', description: query, alwaysShow: true }];
    } catch (error) {
      if (cts.token.isCancellationRequested) return;
      const e = toKeelError(error);
      if (e.code === 'CANCELLED') return;
      ctx.log.warn(`search failed: ${e.message} [${e.code}]`);
      pick.items = [{ label: `$(error) ${e.message}`, description: e.code, alwaysShow: true }];
    } finally {
      if (inflight === cts) pick.busy = false;
    }
  };

  pick.onDidChangeValue((value) => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void run(value), DEBOUNCE_MS);
  }, undefined, disposables);
  pick.onDidAccept(async () => {
    const hit = pick.selectedItems[0]?.hit;
    if (!hit) return;
    pick.hide();
    await open(hit, folders);
  }, undefined, disposables);
  pick.onDidHide(() => {
    if (timer) clearTimeout(timer);
    inflight?.cancel();
    inflight?.dispose();
    for (const d of disposables) d.dispose();
  }, undefined, disposables);

  pick.show();
  if (initial) {
    pick.value = initial;
    void run(initial);
  }
}

function toItem(item: HitItem): Item {
  return { label: item.label, description: item.description, detail: item.detail, hit: item.hit };
}

function openFiles(): string[] {
  const paths = new Set<string>();
  for (const group of vscode.window.tabGroups.all) {
    for (const tab of group.tabs) {
      if (tab.input instanceof vscode.TabInputText) paths.add(vscode.workspace.asRelativePath(tab.input.uri, false));
    }
  }
  return [...paths];
}

async function open(hit: SearchHit, folders: readonly vscode.WorkspaceFolder[]): Promise<void> {
  const target = resolveHitPath(hit.path, folders.map((f) => ({ name: f.name, fsPath: f.uri.fsPath })));
  const folder = folders.find((f) => f.uri.fsPath === target?.folder.fsPath);
  if (!target || !folder) return;
  const uri = vscode.Uri.joinPath(folder.uri, ...target.relative.split('/'));
  const start = new vscode.Position(Math.max(0, hit.startLine - 1), 0);
  try {
    const editor = await vscode.window.showTextDocument(uri, { selection: new vscode.Range(start, start), preview: true });
    editor.revealRange(new vscode.Range(start, new vscode.Position(Math.max(0, hit.endLine - 1), 0)), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  } catch (error) {
    void vscode.window.showErrorMessage(`Keel: could not open ${hit.path}: ${(error as Error).message}`);
  }
}
