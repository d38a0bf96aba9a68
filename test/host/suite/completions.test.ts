/**
 * Inline completions in a real VS Code host: typing into a demo file asks the engine for a completion,
 * which calls the local OpenAI-compatible server's /v1/completions (FIM, streamed) through the egress
 * gate; the ghost text shows in the editor's DOM, Tab (a real key press in the browser) accepts it,
 * the accept command reaches the engine, and the ledger and the acceptance figures move.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { OpenAIChatServer } from '../../servers/openaiChat';
import { keelApi, panelScreenshot, pressKeyOverGhostText, waitFor } from './helpers';

describe('inline completions: ghost text, Tab, ledger', function () {
  let server: OpenAIChatServer;
  let file: string;
  const config = () => vscode.workspace.getConfiguration('keel');

  before(async () => {
    server = await new OpenAIChatServer().start();
    server.policy = (body) => ((body as { prompt?: string })?.prompt !== undefined ? { text: 'a + b;\n}\n' } : undefined);
    const root = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
    file = path.join(root, 'src', 'keel-completions-demo.ts');
    fs.writeFileSync(file, '// A demo file for the inline-completions host test.\nexport function add(a: number, b: number): number {\n  \n}\n');
    await config().update('provider', 'openai-compatible', vscode.ConfigurationTarget.Global);
    await config().update('openaiCompatible.baseUrl', server.baseURL, vscode.ConfigurationTarget.Global);
    await config().update('models.fast', 'qwen2.5-coder:1.5b', vscode.ConfigurationTarget.Global);
    await config().update('completions.enabled', true, vscode.ConfigurationTarget.Global);
  });
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor').then(undefined, () => undefined);
    for (const key of ['provider', 'openaiCompatible.baseUrl', 'models.fast', 'completions.enabled']) await config().update(key, undefined, vscode.ConfigurationTarget.Global);
    fs.rmSync(file, { force: true });
    await server.close();
  });

  it('shows the model’s completion as ghost text, accepts it with Tab, and records call and accept', async () => {
    const api = await keelApi();
    const before = await api.engine.request('completions/stats', {});
    const doc = await vscode.workspace.openTextDocument(file);
    const editor = await vscode.window.showTextDocument(doc);
    editor.selection = new vscode.Selection(2, 2, 2, 2);
    // Typed as the keyboard would (the `type` command is what a key press runs in the editor).
    await vscode.commands.executeCommand('type', { text: 'return ' });

    await waitFor(() => server.requests.some((r) => r.path === '/v1/completions'), 'a /v1/completions request', 40_000);
    const sent = server.requests.find((r) => r.path === '/v1/completions')!.json as { prompt: string; stream: boolean };
    assert.equal(sent.stream, true);
    assert.match(sent.prompt, /<\|fim_prefix\|>[\s\S]*return <\|fim_suffix\|>/, 'Qwen FIM template');
    const shown = await waitFor(async () => {
      const s = await api.engine.request('completions/stats', {});
      return s.shown > before.shown ? s : undefined;
    }, 'the completion to be shown', 40_000);
    assert.equal(shown.calls, before.calls + 1, 'the model call is in the ledger');

    await panelScreenshot('completions-ghost', true);
    const ghost = await pressKeyOverGhostText('Tab');
    // The DOM splits ghost text into token spans (allInnerTexts joins them with newlines).
    assert.match(ghost.replace(/\s+/g, ''), /a\+b;/, `ghost text in the DOM: ${JSON.stringify(ghost)}`);

    await waitFor(() => doc.lineAt(2).text === '  return a + b;', `the accepted text in the document (line 3 is ${JSON.stringify(doc.lineAt(2).text)})`, 20_000);
    const after = await waitFor(async () => {
      const s = await api.engine.request('completions/stats', {});
      return s.accepted > before.accepted ? s : undefined;
    }, 'the accept to reach the engine', 20_000);
    assert.equal(after.accepted, before.accepted + 1);
    assert.ok(after.acceptanceRate !== null && after.acceptanceRate > 0);
    const summary = await api.engine.request('cost/summary', {});
    const bucket = summary.perFeature.find((b) => b.key === 'completions');
    assert.ok(bucket && bucket.calls >= 1 && bucket.usage.output > 0, `ledger bucket for completions: ${JSON.stringify(bucket)}`);
    await panelScreenshot('completions-accepted', true);
  });
});
