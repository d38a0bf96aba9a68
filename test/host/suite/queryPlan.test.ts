/**
 * Keel: Explain Query Plan in a real host: the code lens sits on the demo's Prisma read, the command
 * plans it on the embedded rehearsal (no server, no network), and the plan view shows the proven
 * index. The harness photographs the editor area (test-results/panel-editor-query-plan.png).
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { keelApi, panelScreenshot, within } from './helpers';

describe('query plan view', function () {
  this.timeout(300_000);
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.workspace.getConfiguration('keel').update('db.rehearsalRows', undefined, vscode.ConfigurationTarget.Global);
  });

  it('shows a code lens on the Prisma read, plans it, and shows the proven index', async () => {
    const folder = vscode.workspace.workspaceFolders![0].uri;
    const uri = vscode.Uri.file(path.join(folder.fsPath, 'src/routes/orders.ts'));
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri)) ?? [];
    const lens = lenses.find((l) => l.command?.command === 'keel.explainQueryPlan' && l.range.start.line === 13);
    assert.ok(lens, `a lens on line 14 (found on lines ${lenses.map((l) => l.range.start.line + 1).join(', ')})`);
    assert.equal(lens!.command!.title, 'Keel: Explain Query Plan');

    const api = await keelApi();
    // A smaller rehearsal than the default million rows keeps the host tier quick; the plan's shape is the same.
    await vscode.workspace.getConfiguration('keel').update('db.rehearsalRows', 50_000, vscode.ConfigurationTarget.Global);
    const result = await within(
      Promise.resolve(vscode.commands.executeCommand<unknown>(lens!.command!.command, ...(lens!.command!.arguments ?? []))).then(() => api.queryPlan.lastResult),
      'the plan',
      240_000,
    );
    assert.ok(result, 'the command produced a plan');
    assert.equal(result!.database, 'embedded');
    assert.equal(result!.derived, 'prisma');
    assert.deepEqual(result!.indexes.map((i) => [i.table, i.columns]), [['public.Order', ['userId', 'createdAt']]]);
    await panelScreenshot('editor-query-plan');
    // What the plan found stays on the statement's lines, naming the proven index.
    const [plan] = vscode.languages.getDiagnostics(uri).filter((d) => /^KEEL-PLAN-/.test(String(d.code)));
    assert.ok(plan, `a plan diagnostic (found ${vscode.languages.getDiagnostics(uri).map((d) => String(d.code)).join(', ')})`);
    assert.ok(plan.range.start.line <= 13 && plan.range.end.line >= 13, `on the statement (lines ${plan.range.start.line + 1}-${plan.range.end.line + 1})`);
    assert.match(plan.message, /CREATE INDEX CONCURRENTLY ON "public"\."Order" \("userId", "createdAt"\)/);
  });

  it('Check Query Plans in This File plans every statement and leaves what the plans found as diagnostics', async () => {
    const folder = vscode.workspace.workspaceFolders![0].uri;
    const uri = vscode.Uri.file(path.join(folder.fsPath, 'src/routes/orders.ts'));
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const api = await keelApi();
    const flagged = await within(api.queryPlan.checkFile(), 'the plan check', 240_000);
    assert.ok(flagged >= 1, `statements flagged: ${flagged}`);
    const plans = vscode.languages.getDiagnostics(uri).filter((d) => /^KEEL-PLAN-/.test(String(d.code)));
    assert.ok(plans.length >= flagged, `${plans.length} plan diagnostics for ${flagged} statements`);
  });
});
