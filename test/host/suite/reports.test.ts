/**
 * What a user sees around the chat, in a real VS Code: reports open as read-only `keel:` documents
 * (one tab each, refreshed in place, never an Untitled buffer asking "Save?"); Index Workspace says
 * what it did and logs each run once; a failed model call shows in the chat AND the Keel output
 * channel; Ask About Selection shows the selection as the first chip. Screenshots of both reports go
 * to test-results/page-*.png.
 */
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ToChatView } from '../../../src/protocol/webview';
import { OpenAIChatServer } from '../../servers/openaiChat';
import { clickNotification, keelApi, panelScreenshot, resetProvider, showChat, useOpenAI, waitFor, within } from './helpers';

const config = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('keel');

function tabsShowing(uri: vscode.Uri): number {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === uri.toString()).length;
}

function activeReport(name: string): vscode.TextDocument | undefined {
  const doc = vscode.window.activeTextEditor?.document;
  return doc?.uri.scheme === 'keel' && doc.uri.path.includes(name) ? doc : undefined;
}

async function ask(question: string, options: { bypassCache?: boolean } = {}): Promise<ToChatView[]> {
  const api = await keelApi();
  const posted: ToChatView[] = [];
  const subscription = api.chatView.onDidPost((m) => posted.push(m));
  try {
    await within(api.chatView.dispatch({ type: 'ask', turnId: `reports-${Date.now()}`, question, ...options }), 'the answer', 120_000);
  } finally {
    subscription.dispose();
  }
  return posted;
}

describe('reports and feedback around the chat', function () {
  let server: OpenAIChatServer;

  before(async () => {
    server = await new OpenAIChatServer().start();
    await showChat();
  });
  after(async () => {
    await resetProvider();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await server.close();
  });

  it('Index Workspace logs the run once and ends with a notification whose button opens Index Status read-only', async () => {
    const api = await keelApi();
    const from = api.logLines.length;
    const summary = (await vscode.commands.executeCommand('keel.indexWorkspace')) as { files: number; chunks: number } | undefined;
    assert.ok(summary && summary.files > 0, 'the index run returned its summary');
    const runs = api.logLines.slice(from).filter((l) => /\bindexed \d+ files\b/.test(l));
    assert.equal(runs.length, 1, `one log line per index run, got:\n${runs.join('\n')}`);

    await clickNotification('Show Index Status');
    const doc = await waitFor(() => activeReport('Index Status'), 'the Index Status report');
    assert.equal(doc.isUntitled, false, 'not an Untitled buffer');
    assert.equal(doc.isDirty, false, 'nothing to save');
    assert.equal(doc.languageId, 'markdown');
    assert.match(doc.getText(), /^# Keel index/);
    assert.match(doc.getText(), new RegExp(`\\| files \\| ${summary.files.toLocaleString()} \\|`));
    if (await panelScreenshot('index-status', true)) console.log('      screenshot: test-results/page-index-status.png');

    await vscode.commands.executeCommand('keel.showIndexStatus');
    assert.equal(tabsShowing(doc.uri), 1, 'the second Show Index Status reused the tab');
  });

  it('the egress log is a read-only report that refreshes in place after an answer', async () => {
    await useOpenAI(server.baseURL);

    await vscode.commands.executeCommand('keel.showEgressLog');
    const doc = await waitFor(() => activeReport('Egress Log'), 'the Egress Log report');
    assert.equal(doc.isUntitled, false);
    assert.equal(doc.isDirty, false);
    // One table row per outbound call, each starting with its ISO time.
    const rows = (): number => doc.getText().split('\n').filter((l) => /^\| \d{4}-\d\d-\d\dT/.test(l)).length;
    const before = rows();
    let changed = 0;
    const listener = vscode.workspace.onDidChangeTextDocument((e) => e.document === doc && changed++);
    try {
      server.replies.push({ text: 'Orders are listed in src/routes/orders.ts:11-27.' });
      const posted = await ask('which handler lists the orders of the signed-in customer?', { bypassCache: true });
      assert.ok(posted.some((m) => m.type === 'done'), JSON.stringify(posted.find((m) => m.type === 'error')));
      await waitFor(() => rows() > before, 'the open egress log to show the new call');
    } finally {
      listener.dispose();
    }
    assert.ok(changed > 0, 'the same document changed in place');
    assert.equal(doc.isDirty, false);
    await vscode.window.showTextDocument(doc);
    if (await panelScreenshot('egress-log', true)) console.log('      screenshot: test-results/page-egress-log.png');
    await vscode.commands.executeCommand('keel.showEgressLog');
    assert.equal(tabsShowing(doc.uri), 1, 'one tab per report');
  });

  it('a model call that cannot reach its server shows in the chat and in the Keel output channel', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    await useOpenAI(`http://127.0.0.1:${closedPort}/v1`);
    const api = await keelApi();
    const from = api.logLines.length;
    const posted = await ask('where is the order total computed before it is saved?', { bypassCache: true });
    const error = posted.find((m) => m.type === 'error');
    assert.ok(error && error.type === 'error', 'the chat got the failure');
    assert.equal(error.error.code, 'PROVIDER_UNAVAILABLE');
    const logged = api.logLines.slice(from).find((l) => l.startsWith('[error]') && l.includes('PROVIDER_UNAVAILABLE'));
    assert.ok(logged, `the output channel has it; got:\n${api.logLines.slice(from).join('\n')}`);
    assert.match(logged, /could not reach/i);
  });

  it('Ask About Selection shows the selection as the first chip, with few retrieved chips after it', async () => {
    await config().update('provider', 'none', vscode.ConfigurationTarget.Global);
    const folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const editor = await vscode.window.showTextDocument(vscode.Uri.file(path.join(folder, 'src', 'routes', 'orders.ts')));
    editor.selection = new vscode.Selection(10, 0, 27, 0);
    const api = await keelApi();
    const posted: ToChatView[] = [];
    const subscription = api.chatView.onDidPost((m) => posted.push(m));
    try {
      await vscode.commands.executeCommand('keel.askAboutSelection');
      const prefill = await waitFor(() => posted.find((m) => m.type === 'prefill'), 'the prefill');
      assert.ok(prefill.type === 'prefill');
      assert.equal(prefill.text, '#selection ');
      assert.deepEqual([prefill.attachment?.path, prefill.attachment?.startLine, prefill.attachment?.endLine, prefill.attachment?.attached], ['src/routes/orders.ts', 11, 27, 'selection']);
    } finally {
      subscription.dispose();
    }
    const answer = await ask('#selection why is this slow?');
    const context = answer.filter((m) => m.type === 'context').pop();
    assert.ok(context && context.type === 'context');
    assert.equal(context.pills[0].attached, 'selection');
    assert.equal(context.pills[0].path, 'src/routes/orders.ts');
    assert.ok(context.pills.length <= 4, `selection + at most 3 retrieved chips, got ${context.pills.length}`);
    const done = answer.find((m) => m.type === 'done');
    assert.ok(done, 'answered');
    if (await panelScreenshot('ask-selection')) console.log('      screenshot: test-results/panel-ask-selection.png');
  });
});
