/**
 * Agent-ready API diagnostics: each open TS/JS/Python/Go document and OpenAPI YAML/JSON is analysed
 * through `api/analyze` on open and on edit (debounced), findings go to their own 'keel-api'
 * collection (source "Keel", code KEEL-API-*), and their fixes (problem-details helper, idempotency
 * middleware, validation schema) are offered as quick fixes, the best one preferred.
 * Settings: `keel.api.enabled`, `keel.api.rules` (code → off|info|warning|error).
 */
import * as vscode from 'vscode';
import type { Finding, SqlRuleSettings } from '../protocol';
import type { KeelContext } from './context';
import { followOpenDocuments } from './documentAnalysis';
import { toDiagnostic } from './sqlDiagnostics';

const LANGUAGES = ['typescript', 'typescriptreact', 'javascript', 'javascriptreact', 'python', 'go', 'yaml', 'json'];
const DEBOUNCE_MS = 400;
const findingsByUri = new Map<string, Finding[]>();

export function registerApiDiagnostics(ctx: KeelContext): void {
  const collection = vscode.languages.createDiagnosticCollection('keel-api');
  const versions = new Map<string, number>();
  const settings = (): { enabled: boolean; rules: SqlRuleSettings } => {
    const c = vscode.workspace.getConfiguration('keel.api');
    return { enabled: c.get<boolean>('enabled', true), rules: { ...c.get<SqlRuleSettings>('rules', {}) } };
  };
  const analyze = async (doc: vscode.TextDocument): Promise<void> => {
    if (!LANGUAGES.includes(doc.languageId) || doc.uri.scheme !== 'file' || !vscode.workspace.isTrusted) return;
    const key = doc.uri.toString();
    const { enabled, rules } = settings();
    if (!enabled) {
      collection.delete(doc.uri);
      findingsByUri.delete(key);
      return;
    }
    const version = doc.version;
    versions.set(key, version);
    try {
      const { findings } = await ctx.engine.request('api/analyze', { path: doc.uri.fsPath, text: doc.getText(), languageId: doc.languageId, rules });
      if (versions.get(key) !== version || doc.isClosed) return;
      findingsByUri.set(key, findings);
      collection.set(doc.uri, findings.map((f) => toDiagnostic(f, doc.uri)));
    } catch (error) {
      ctx.log.warn(`Keel API analysis of ${doc.uri.fsPath} failed: ${(error as Error).message}`);
    }
  };
  ctx.disposables.push(
    collection,
    ...followOpenDocuments({
      analyze,
      forget: (doc) => {
        collection.delete(doc.uri);
        findingsByUri.delete(doc.uri.toString());
      },
      section: 'keel.api',
      debounceMs: DEBOUNCE_MS,
    }),
    vscode.languages.registerCodeActionsProvider(LANGUAGES.map((language) => ({ language })), { provideCodeActions }, { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] }),
  );
}

function provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
  const findings = findingsByUri.get(document.uri.toString()) ?? [];
  const actions: vscode.CodeAction[] = [];
  for (const diagnostic of context.diagnostics) {
    if (diagnostic.source !== 'Keel' || !String(diagnostic.code).startsWith('KEEL-API-')) continue;
    const finding = findings.find((f) => f.code === diagnostic.code && f.line - 1 === diagnostic.range.start.line && f.column - 1 === diagnostic.range.start.character);
    for (const fix of finding?.fixes ?? []) {
      const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
      action.diagnostics = [diagnostic];
      action.isPreferred = fix.isPreferred === true;
      const edit = new vscode.WorkspaceEdit();
      for (const e of fix.edits) edit.replace(document.uri, new vscode.Range(e.line - 1, e.column - 1, e.endLine - 1, e.endColumn - 1), e.newText);
      action.edit = edit;
      actions.push(action);
    }
  }
  return actions;
}
