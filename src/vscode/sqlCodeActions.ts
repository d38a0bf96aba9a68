/**
 * Quick fixes for Keel's SQL diagnostics: matches diagnostics by `code` (and range) to the findings
 * sqlDiagnostics.ts published, and turns each FixWire (parameterise, eager-load, batch, suppress)
 * into a WorkspaceEdit; the best fix is `isPreferred`. Edits are previewable like any quick fix.
 */
import * as vscode from 'vscode';
import type { Finding, FixWire } from '../protocol';
import type { KeelContext } from './context';
import { explainAndFixAction } from './sqlAiFix';
import { sqlFindings } from './sqlDiagnostics';

const SELECTOR: vscode.DocumentSelector = ['typescript', 'typescriptreact', 'javascript', 'javascriptreact', 'python'].map((language) => ({ language }));

export class SqlCodeActionProvider implements vscode.CodeActionProvider {
  static readonly providedCodeActionKinds = [vscode.CodeActionKind.QuickFix];

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const findings = sqlFindings.get(document.uri.toString()) ?? [];
    const actions: vscode.CodeAction[] = [];
    for (const diagnostic of context.diagnostics) {
      if (diagnostic.source !== 'Keel') continue;
      const finding = findings.find(
        (f) => f.code === diagnostic.code && f.line - 1 === diagnostic.range.start.line && f.column - 1 === diagnostic.range.start.character,
      );
      if (!finding) continue;
      for (const fix of finding.fixes) actions.push(toAction(document, diagnostic, finding, fix));
      actions.push(explainAndFixAction(document, diagnostic, finding));
    }
    return actions;
  }
}

function toAction(document: vscode.TextDocument, diagnostic: vscode.Diagnostic, finding: Finding, fix: FixWire): vscode.CodeAction {
  const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
  action.diagnostics = [diagnostic];
  action.isPreferred = fix.isPreferred === true;
  const edit = new vscode.WorkspaceEdit();
  for (const e of fix.edits) {
    const uri = e.path === finding.path ? document.uri : vscode.Uri.file(e.path);
    edit.replace(uri, new vscode.Range(e.line - 1, e.column - 1, e.endLine - 1, e.endColumn - 1), e.newText);
  }
  action.edit = edit;
  return action;
}

export function registerSqlCodeActions(ctx: KeelContext): void {
  ctx.disposables.push(
    vscode.languages.registerCodeActionsProvider(SELECTOR, new SqlCodeActionProvider(), {
      providedCodeActionKinds: SqlCodeActionProvider.providedCodeActionKinds,
    }),
  );
}
