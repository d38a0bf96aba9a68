/**
 * Keel: Explain Query Plan — a code lens on SQL strings and Prisma reads, a command, and the plan
 * view (media/plan). The engine does the work (`db/explain`: the configured dev database, or the
 * embedded production-scale rehearsal); this file only translates. The database URL is a secret:
 * SecretStorage (Keel: Set Database URL), never a setting.
 */
import * as vscode from 'vscode';
import type { DbExplainResult } from '../protocol';
import type { KeelContext } from './context';
import type { FromQueryPlan, ToQueryPlan } from '../protocol';
import { localResourceRoots, renderPage } from './webviewHtml';

const DATABASE_URL_SECRET = 'keel.database.url';
const LANGUAGES = ['typescript', 'javascript', 'typescriptreact', 'javascriptreact', 'python', 'go', 'java'];
/** Lines worth a lens: Prisma reads, and string literals that open with a SQL statement. */
const PRISMA_READ = /\bprisma\.\w+\.(findMany|findFirst|findUnique|findFirstOrThrow|findUniqueOrThrow|count)\s*\(/;
const SQL_STRING = /(["'`]|"""|f"|r")\s*(SELECT|WITH|UPDATE|DELETE)\s/i;

export interface QueryPlanSurface {
  explain(uri?: vscode.Uri, line?: number): Promise<DbExplainResult | undefined>;
  readonly lastResult: DbExplainResult | undefined;
}

export function registerQueryPlan(ctx: KeelContext): QueryPlanSurface {
  let panel: vscode.WebviewPanel | undefined;
  let ready: Promise<void> = Promise.resolve();
  let lastResult: DbExplainResult | undefined;

  const pushDatabaseUrl = async (): Promise<void> => {
    const url = (await ctx.extension.secrets.get(DATABASE_URL_SECRET)) ?? null;
    await ctx.engine.request('engine/configure', { secrets: { databaseUrl: url } });
  };
  pushDatabaseUrl().catch((e: Error) => ctx.log.warn(`could not push the database URL: ${e.message}`));
  ctx.extension.secrets.onDidChange((e) => {
    if (e.key === DATABASE_URL_SECRET) void pushDatabaseUrl().catch(() => undefined);
  }, undefined, ctx.disposables);

  const showPanel = (): vscode.WebviewPanel => {
    if (panel) {
      panel.reveal(vscode.ViewColumn.Beside, true);
      return panel;
    }
    const extensionUri = ctx.extension.extensionUri;
    const p = vscode.window.createWebviewPanel('keel.queryPlan', 'Keel: Query Plan', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
      enableScripts: true,
      localResourceRoots: localResourceRoots(extensionUri),
    });
    p.webview.html = renderPage(p.webview, extensionUri, {
      title: 'Keel Query Plan',
      script: 'dist/webview/plan.js',
      styles: ['dist/webview/plan.css'],
      body: '<main id="keel-plan-root" aria-live="polite"></main>',
    }).html;
    ready = new Promise((resolve) => {
      p.webview.onDidReceiveMessage(
        async (m: FromQueryPlan) => {
          if (m?.type === 'ready') resolve();
          else if (m?.type === 'copy' && typeof m.text === 'string') {
            await vscode.env.clipboard.writeText(m.text);
            void vscode.window.setStatusBarMessage('Keel: index statement copied', 3000);
          }
        },
        undefined,
        ctx.disposables,
      );
    });
    p.onDidDispose(() => (panel = undefined), undefined, ctx.disposables);
    panel = p;
    return p;
  };

  const post = async (message: ToQueryPlan): Promise<void> => {
    const p = showPanel();
    await ready;
    await p.webview.postMessage(message);
  };

  const explain = async (uri?: vscode.Uri, line?: number): Promise<DbExplainResult | undefined> => {
    const editor = vscode.window.activeTextEditor;
    const doc = uri ? await vscode.workspace.openTextDocument(uri) : editor?.document;
    if (!doc) {
      void vscode.window.showInformationMessage('Keel: put the cursor on a SQL statement or a Prisma call to plan it.');
      return undefined;
    }
    const at = line ?? (editor && editor.document === doc ? editor.selection.active.line + 1 : 1);
    const folder = vscode.workspace.getWorkspaceFolder(doc.uri);
    const where = `${vscode.workspace.asRelativePath(doc.uri)}:${at}`;
    void post({ type: 'pending', what: where });
    try {
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Keel: planning ${where}`, cancellable: true },
        (_progress, token) =>
          ctx.engine.request('db/explain', { file: doc.uri.fsPath, line: at, text: doc.getText(), ...(folder ? { root: folder.uri.fsPath } : {}) }, { token }),
      );
      lastResult = result;
      ctx.log.info(`query plan for ${where}: ${result.database}, cost ${result.cost}, ${result.indexes.length} proven index(es), ${result.ms} ms`);
      await post({ type: 'result', result });
      return result;
    } catch (error) {
      const e = error as { code?: string; message?: string };
      ctx.log.warn(`query plan for ${where} failed: ${e.message} [${e.code ?? 'INTERNAL'}]`);
      await post({ type: 'error', code: e.code ?? 'INTERNAL', message: e.message ?? String(error) });
      return undefined;
    }
  };

  const lenses: vscode.CodeLensProvider = {
    provideCodeLenses(doc) {
      if (!vscode.workspace.getConfiguration('keel').get<boolean>('db.codeLens', true)) return [];
      const out: vscode.CodeLens[] = [];
      for (let i = 0; i < doc.lineCount; i++) {
        const text = doc.lineAt(i).text;
        if (PRISMA_READ.test(text) || SQL_STRING.test(text)) {
          out.push(new vscode.CodeLens(new vscode.Range(i, 0, i, 0), { title: 'Keel: Explain Query Plan', command: 'keel.explainQueryPlan', arguments: [doc.uri, i + 1] }));
        }
      }
      return out;
    },
  };
  ctx.disposables.push(
    vscode.languages.registerCodeLensProvider(LANGUAGES.map((language) => ({ language, scheme: 'file' })), lenses),
    vscode.commands.registerCommand('keel.explainQueryPlan', (uri?: vscode.Uri, line?: number) => explain(uri instanceof vscode.Uri ? uri : undefined, typeof line === 'number' ? line : undefined)),
    vscode.commands.registerCommand('keel.setDatabaseUrl', async () => {
      const value = await vscode.window.showInputBox({
        title: 'Keel: Dev database URL',
        prompt: 'postgres://user:password@host:5432/db — stored in SecretStorage. Leave empty to plan on the embedded rehearsal.',
        password: true,
        ignoreFocusOut: true,
      });
      if (value === undefined) return;
      if (value.trim() === '') await ctx.extension.secrets.delete(DATABASE_URL_SECRET);
      else await ctx.extension.secrets.store(DATABASE_URL_SECRET, value.trim());
    }),
  );
  return {
    explain,
    get lastResult() {
      return lastResult;
    },
  };
}
