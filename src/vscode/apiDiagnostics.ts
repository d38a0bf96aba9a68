/**
 * Agent-ready API diagnostics: each open TS/JS/Python/Go document and OpenAPI YAML/JSON is analysed
 * through `api/analyze` on open and on edit (debounced), findings go to their own 'keel-api'
 * collection (source "Keel", code KEEL-API-*), and their fixes (problem-details helper, idempotency
 * middleware, validation schema) are offered as quick fixes, the best one preferred.
 * Settings: `keel.api.enabled`, `keel.api.rules` (code → off|info|warning|error).
 */
import * as vscode from 'vscode';
import type { Finding } from '../protocol';
import type { KeelContext } from './context';
import { analyzeFindings, followOpenDocuments } from './documentAnalysis';
import { findingsPublisher } from './sqlDiagnostics';

const LANGUAGES = ['typescript', 'typescriptreact', 'javascript', 'javascriptreact', 'python', 'go', 'yaml', 'json'];
const DEBOUNCE_MS = 400;
const findingsByUri = new Map<string, Finding[]>();

export function registerApiDiagnostics(ctx: KeelContext): void {
  const collection = vscode.languages.createDiagnosticCollection('keel-api');
  const { publish, clear } = findingsPublisher(collection, findingsByUri);
  const analyzeDocument = analyzeFindings(ctx, {
    section: 'keel.api',
    label: 'API',
    request: async (doc, rules) => (await ctx.engine.request('api/analyze', { path: doc.uri.fsPath, text: doc.getText(), languageId: doc.languageId, rules })).findings,
    publish,
    clear,
  });
  const analyze = async (doc: vscode.TextDocument): Promise<void> => {
    if (!LANGUAGES.includes(doc.languageId) || doc.uri.scheme !== 'file' || !vscode.workspace.isTrusted) return;
    await analyzeDocument(doc);
  };
  ctx.disposables.push(
    collection,
    ...followOpenDocuments({
      analyze,
      forget: (doc) => clear(doc.uri),
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
