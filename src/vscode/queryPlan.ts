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
import { PlanDiagnostics } from './planDiagnostics';
import { localResourceRoots, renderPage } from './webviewHtml';

const DATABASE_URL_SECRET = 'keel.database.url';
const LANGUAGES = ['typescript', 'javascript', 'typescriptreact', 'javascriptreact', 'python', 'go', 'java'];
/** Lines worth a lens: Prisma reads, and string literals that open with a SQL statement. */
const PRISMA_READ = /\bprisma\.\w+\.(findMany|findFirst|findUnique|findFirstOrThrow|findUniqueOrThrow|count)\s*\(/;
const SQL_STRING = /(["'`]|"""|f"|r")\s*(SELECT|WITH|UPDATE|DELETE)\s/i;

export interface QueryPlanSurface {
  explain(uri?: vscode.Uri, line?: number): Promise<DbExplainResult | undefined>;
  /** Keel: Check Query Plans in This File; resolves to the number of statements it left a plan diagnostic on. */
  checkFile(): Promise<number>;
  readonly lastResult: DbExplainResult | undefined;
}

/** 1-based lines worth a lens / a plan check: Prisma reads and SQL strings. */
export function planTargets(doc: vscode.TextDocument): number[] {
  const out: number[] = [];
  for (let i = 0; i < doc.lineCount; i++) {
    const text = doc.lineAt(i).text;
    if (PRISMA_READ.test(text) || SQL_STRING.test(text)) out.push(i + 1);
  }
  return out;
}

export function registerQueryPlan(ctx: KeelContext): QueryPlanSurface {
  const diagnostics = new PlanDiagnostics();
  ctx.disposables.push(diagnostics);
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
      diagnostics.publish(doc.uri, result);
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

  /** Plan every statement of the active file (no panel) and leave the findings as diagnostics. */
  const checkFile = async (): Promise<number> => {
    const doc = vscode.window.activeTextEditor?.document;
    if (!doc) return 0;
    const folder = vscode.workspace.getWorkspaceFolder(doc.uri);
    const seen = new Set<number>();
    let flagged = 0;
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Keel: checking query plans', cancellable: true }, async (progress, token) => {
      const targets = planTargets(doc);
      for (const [i, line] of targets.entries()) {
        if (token.isCancellationRequested) break;
        progress.report({ message: `${vscode.workspace.asRelativePath(doc.uri)}:${line} (${i + 1}/${targets.length})` });
        try {
          const r = await ctx.engine.request('db/explain', { file: doc.uri.fsPath, line, text: doc.getText(), ...(folder ? { root: folder.uri.fsPath } : {}) }, { token });
          // Two lenses on one statement plan it once.
          if (!r.location || seen.has(r.location.startLine)) continue;
          seen.add(r.location.startLine);
          if (diagnostics.publish(doc.uri, r) > 0) flagged++;
        } catch (error) {
          ctx.log.info(`plan check ${vscode.workspace.asRelativePath(doc.uri)}:${line}: ${(error as Error).message}`);
        }
      }
    });
    return flagged;
  };

  const lenses: vscode.CodeLensProvider = {
    provideCodeLenses(doc) {
      if (!vscode.workspace.getConfiguration('keel').get<boolean>('db.codeLens', true)) return [];
      return planTargets(doc).map((line) => new vscode.CodeLens(new vscode.Range(line - 1, 0, line - 1, 0), { title: 'Keel: Explain Query Plan', command: 'keel.explainQueryPlan', arguments: [doc.uri, line] }));
    },
  };
  ctx.disposables.push(
    vscode.languages.registerCodeLensProvider(LANGUAGES.map((language) => ({ language, scheme: 'file' })), lenses),
    vscode.commands.registerCommand('keel.explainQueryPlan', (uri?: vscode.Uri, line?: number) => explain(uri instanceof vscode.Uri ? uri : undefined, typeof line === 'number' ? line : undefined)),
    vscode.commands.registerCommand('keel.checkQueryPlans', () => checkFile()),
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
    checkFile,
    get lastResult() {
      return lastResult;
    },
  };
}
