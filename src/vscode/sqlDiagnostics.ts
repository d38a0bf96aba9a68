/**
 * Keel SQL diagnostics: analyses a document on open and on edit (debounced ~300 ms) through
 * `sql/analyze`, and the workspace on demand (`scanWorkspace()`, the `keel.scanWorkspace` command
 * registered by commands.ts → `sql/scan`), publishing
 * findings to the 'keel' DiagnosticCollection (Problems view, source "Keel"). The findings (with
 * their fixes) are kept per document for the code-action provider (sqlCodeActions.ts).
 */
import * as vscode from 'vscode';
import type { Finding, FindingSeverity, SqlRuleSettings } from '../protocol';
import type { KeelContext } from './context';
import { analyserSettings, analyzeFindings, followOpenDocuments } from './documentAnalysis';

const LANGUAGES = new Set(['typescript', 'typescriptreact', 'javascript', 'javascriptreact', 'python']);
const DEBOUNCE_MS = 300;

/** uri → findings last published for it (what the code actions read their edits from). */
export const sqlFindings = new Map<string, Finding[]>();

export interface SqlDiagnostics {
  collection: vscode.DiagnosticCollection;
  /** Keel: Scan SQL in Workspace — pass as the `keel.scanWorkspace` implementation to registerCommands. */
  scanWorkspace(): Promise<void>;
}

export function registerSqlDiagnostics(ctx: KeelContext): SqlDiagnostics {
  const collection = vscode.languages.createDiagnosticCollection('keel');
  ctx.disposables.push(collection);
  const { publish, clear } = findingsPublisher(collection, sqlFindings);
  const analyzeDocument = analyzeFindings(ctx, {
    section: 'keel.sql',
    label: 'SQL',
    request: async (doc, rules) =>
      (await ctx.engine.request('sql/analyze', { path: doc.uri.fsPath || doc.uri.toString(), text: doc.getText(), languageId: doc.languageId, rules })).findings,
    publish,
    clear,
  });
  const analyze = async (doc: vscode.TextDocument): Promise<void> => {
    if (!LANGUAGES.has(doc.languageId) || doc.uri.scheme === 'output' || !vscode.workspace.isTrusted) return;
    await analyzeDocument(doc);
  };

  ctx.disposables.push(
    ...followOpenDocuments({
      analyze,
      forget: (doc) => clear(doc.uri),
      section: 'keel.sql',
      debounceMs: DEBOUNCE_MS,
    }),
  );
  return { collection, scanWorkspace: () => scanWorkspace(ctx, publish, analyserSettings('keel.sql').rules) };
}

async function scanWorkspace(ctx: KeelContext, publish: (uri: vscode.Uri, f: Finding[]) => void, rules: SqlRuleSettings): Promise<void> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 0) {
    void vscode.window.showInformationMessage('Keel: open a folder to scan it.');
    return;
  }
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Keel: scanning SQL…', cancellable: true }, async (_p, token) => {
    let total = 0;
    for (const folder of folders) {
      const cts = new vscode.CancellationTokenSource();
      token.onCancellationRequested(() => cts.cancel());
      const result = await ctx.engine.request('sql/scan', { paths: ['.'], cwd: folder.uri.fsPath, rules }, { token: cts.token });
      const byFile = new Map<string, Finding[]>();
      for (const f of result.findings) byFile.set(f.path, [...(byFile.get(f.path) ?? []), f]);
      for (const [rel, findings] of byFile) {
        const uri = vscode.Uri.joinPath(folder.uri, rel);
        publish(uri, findings.map((f) => ({ ...f, path: uri.fsPath, fixes: f.fixes.map((x) => ({ ...x, edits: x.edits.map((e) => ({ ...e, path: uri.fsPath })) })) })));
      }
      total += result.findings.length;
    }
    void vscode.commands.executeCommand('workbench.actions.view.problems');
    void vscode.window.showInformationMessage(`Keel: ${total} SQL finding${total === 1 ? '' : 's'} in the workspace.`);
  });
}

const SEVERITY: Record<FindingSeverity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

/** Publishes a document's findings as diagnostics and keeps them (with their fixes) for the code actions; clear drops both. */
export function findingsPublisher(
  collection: vscode.DiagnosticCollection,
  kept: Map<string, Finding[]>,
): { publish(uri: vscode.Uri, findings: Finding[]): void; clear(uri: vscode.Uri): void } {
  return {
    publish: (uri, findings) => {
      kept.set(uri.toString(), findings);
      collection.set(uri, findings.map((f) => toDiagnostic(f, uri)));
    },
    clear: (uri) => {
      collection.delete(uri);
      kept.delete(uri.toString());
    },
  };
}

export function toDiagnostic(f: Finding, uri: vscode.Uri): vscode.Diagnostic {
  const range = new vscode.Range(f.line - 1, f.column - 1, f.endLine - 1, f.endColumn - 1);
  const d = new vscode.Diagnostic(range, f.message, SEVERITY[f.severity]);
  d.source = 'Keel';
  d.code = f.code;
  if (f.related?.length) {
    d.relatedInformation = f.related.map(
      (r) => new vscode.DiagnosticRelatedInformation(new vscode.Location(r.path === f.path ? uri : vscode.Uri.file(r.path), new vscode.Position(r.line - 1, r.column - 1)), r.message),
    );
  }
  return d;
}
