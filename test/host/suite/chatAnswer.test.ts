/**
 * One question through the real chat view in a real VS Code host: the extension sends it to the engine
 * worker, which retrieves from the demo workspace and streams an answer from the local OpenAI-protocol
 * server through the official SDK. The view receives context pills before the answer, the answer in
 * several deltas, and a footer with model, tier and cost; the citation opens the right file and line.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ToChatView } from '../../../src/protocol';
import { OpenAIChatServer } from '../../servers/openaiChat';
import { keelApi, panelScreenshot, resetProvider, showChat, useOpenAI, waitFor, within } from './helpers';

describe('chat: asking a question', function () {
  let server: OpenAIChatServer;
  const config = () => vscode.workspace.getConfiguration('keel');

  before(async () => {
    server = await new OpenAIChatServer().start();
    await showChat();
  });
  after(async () => {
    await resetProvider();
    await server.close();
  });

  async function askAndCollect(question: string): Promise<ToChatView[]> {
    const api = await keelApi();
    const posted: ToChatView[] = [];
    const subscription = api.chatView.onDidPost((m) => posted.push(m));
    const turnId = `host-${Date.now()}`;
    try {
      await within(api.chatView.dispatch({ type: 'ask', turnId, question }), 'the answer', 90_000);
    } finally {
      subscription.dispose();
    }
    const error = posted.find((m) => m.type === 'error');
    assert.equal(error, undefined, `the view got an error: ${JSON.stringify(error)}`);
    return posted;
  }

  it('answers offline, with citations, when no provider is configured', async () => {
    await config().update('provider', 'none', vscode.ConfigurationTarget.Global);
    const posted = await askAndCollect('where are order items loaded for each order?');
    const done = posted.find((m) => m.type === 'done');
    assert.ok(done && done.type === 'done');
    assert.equal(done.footer.offline, true);
    assert.match(done.answer, /Retrieval answer/);
    assert.ok(done.citations.length > 0);
  });

  it('answers "is this API agent-ready?" from the api rules, as an offline analysis (no provider prompt)', async () => {
    await config().update('provider', 'none', vscode.ConfigurationTarget.Global);
    const posted = await askAndCollect('is this API agent-ready?');
    const done = posted.find((m) => m.type === 'done');
    assert.ok(done && done.type === 'done');
    assert.match(done.answer, /Agent readiness: \d+\/100/);
    assert.equal(done.footer.offline, true);
    assert.equal(done.footer.analysis, true, 'the footer says "offline analysis" and offers no provider set-up');
  });

  it('streams a cited, priced answer from the provider; the citation opens the file at the line', async () => {
    await useOpenAI(server.baseURL);
    server.replies.push({ text: 'Each order loads its items in a loop in src/routes/orders.ts:11-27 (an N+1). Use `include: { items: true }` on the findMany.' });

    const posted = await askAndCollect('explain the ordersRouter handler that loads orderItem rows for each order');
    const kinds = posted.map((m) => m.type);
    const firstContext = kinds.indexOf('context');
    const firstDelta = kinds.indexOf('delta');
    assert.ok(firstContext >= 0 && firstDelta > firstContext, `context pills precede the answer: ${kinds.join(',')}`);
    assert.ok(kinds.filter((k) => k === 'delta').length > 1, 'the answer streamed');
    const done = posted.find((m) => m.type === 'done');
    assert.ok(done && done.type === 'done');
    assert.equal(done.footer.offline, false);
    assert.equal(done.footer.provider, 'openai');
    assert.ok(done.footer.costUsd > 0, 'the footer shows a cost');
    assert.ok(done.footer.usage.output > 0);
    assert.deepEqual(done.citations[0], { path: 'src/routes/orders.ts', startLine: 11, endLine: 27 });
    assert.ok(server.requests.length >= 1, 'the local server was called through the SDK');

    const api = await keelApi();
    assert.ok(api.chatView.lastContextMs !== undefined && api.chatView.lastContextMs < 5000, `Enter → first pill: ${api.chatView.lastContextMs} ms`);
    console.log(`      Enter → first context pill: ${api.chatView.lastContextMs?.toFixed(0)} ms`);

    await api.chatView.dispatch({ type: 'openCitation', path: 'src/routes/orders.ts', line: 11, endLine: 27 });
    const editor = await waitFor(() => {
      const e = vscode.window.activeTextEditor;
      return e && e.document.uri.fsPath.endsWith(path.join('src', 'routes', 'orders.ts')) ? e : undefined;
    }, 'orders.ts to open');
    assert.equal(editor.selection.start.line, 10, 'opened at line 11');
  });

  it('shows the answered conversation natively in dark and light themes (screenshots in test-results/)', async () => {
    const workbench = vscode.workspace.getConfiguration('workbench');
    await vscode.commands.executeCommand('keel.openChat');
    try {
      for (const [theme, kind, name] of [
        ['Default Dark Modern', vscode.ColorThemeKind.Dark, 'dark'],
        ['Default Light Modern', vscode.ColorThemeKind.Light, 'light'],
      ] as const) {
        await workbench.update('colorTheme', theme, vscode.ConfigurationTarget.Global);
        await waitFor(() => vscode.window.activeColorTheme.kind === kind, `the ${name} theme`);
        const shot = await panelScreenshot(name);
        if (shot) console.log(`      panel screenshot: test-results/panel-${name}.png`);
      }
    } finally {
      await workbench.update('colorTheme', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('refuses citations that point outside the workspace', async () => {
    const api = await keelApi();
    const before = vscode.window.activeTextEditor?.document.uri.toString();
    await api.chatView.dispatch({ type: 'openCitation', path: '../../../../etc/passwd', line: 1 });
    assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), before);
  });
});
