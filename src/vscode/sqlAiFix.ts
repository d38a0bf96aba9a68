/**
 * "Explain & fix with AI" for Keel's SQL findings: a code action on every Keel SQL diagnostic that sends
 * the finding and its surrounding code to the reasoning tier (`sql/aiFix`), then shows the explanation and
 * the patch as a diff preview the user accepts or discards. Never a silent overwrite.
 */
import * as vscode from 'vscode';
import type { Finding } from '../protocol';
import { toKeelError } from '../common/errors';
import { previewAndApply } from './chatActions';
import type { KeelContext } from './context';

export const EXPLAIN_AND_FIX = 'keel.sql.explainAndFix';

export function explainAndFixAction(document: vscode.TextDocument, diagnostic: vscode.Diagnostic, finding: Finding): vscode.CodeAction {
  const action = new vscode.CodeAction('Explain & fix with AI (reasoning model)', vscode.CodeActionKind.QuickFix);
  action.diagnostics = [diagnostic];
  action.command = { command: EXPLAIN_AND_FIX, title: 'Explain & fix with AI', arguments: [document.uri, finding] };
  return action;
}

export function registerSqlAiFix(ctx: KeelContext): void {
  ctx.disposables.push(
    vscode.commands.registerCommand(EXPLAIN_AND_FIX, async (uri: vscode.Uri, finding: Finding) => {
      const document = await vscode.workspace.openTextDocument(uri);
      try {
        const fix = await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: `Keel: asking the reasoning model about ${finding.code}…`, cancellable: true },
          (_progress, token) => ctx.engine.request('sql/aiFix', { finding, text: document.getText() }, { token }),
        );
        const range = new vscode.Range(fix.range.startLine - 1, 0, fix.range.endLine - 1, document.lineAt(fix.range.endLine - 1).text.length);
        ctx.log.info(`sql/aiFix ${finding.code}: ${fix.model}, $${fix.costUsd.toFixed(4)}`);
        return previewAndApply(document, range, fix.patchedCode, `[${fix.risk} risk] ${fix.explanation} Test: ${fix.testSuggestion} — apply the fix?`, {
          feature: 'sql-fix', provider: fix.provider, model: fix.model, tier: fix.tier,
        });
      } catch (error) {
        const e = toKeelError(error);
        if (e.code === 'CANCELLED') return 'discarded';
        const action = e.code === 'PROVIDER_NOT_CONFIGURED' || e.code === 'AUTH_FAILED' ? 'Set API Key' : undefined;
        const choice = await vscode.window.showErrorMessage(`Keel: ${e.message} [${e.code}]`, ...(action ? [action] : []));
        if (choice === 'Set API Key') await vscode.commands.executeCommand('keel.setApiKey');
        return 'discarded';
      }
    }),
  );
}
