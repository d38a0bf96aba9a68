/**
 * The demo's flagship question, asked in the real chat view as a user would (no model configured, so
 * the answer is Keel's own retrieval): the code Keel's N+1 diagnostic flags — the per-order item query
 * in src/routes/orders.ts, lines 11–27 — must be among the first three citations. The question is
 * asked without waiting for the editor's index build, which may still be running: the engine must
 * answer from the finished index, not from a half-built one ("No indexed code matched").
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ToChatView } from '../../../src/protocol';
import { keelApi, resetProvider, showChat, within } from './helpers';

const FLAGSHIP = 'where do we load orders for a user and is there an N+1 problem?';

describe('chat: the demo flagship question', function () {
  before(async () => {
    await showChat();
    await vscode.workspace.getConfiguration('keel').update('provider', 'none', vscode.ConfigurationTarget.Global);
  });
  after(async () => {
    await resetProvider();
  });

  it(`"${FLAGSHIP}" cites src/routes/orders.ts:11-27 among the first three`, async () => {
    const api = await keelApi();
    const posted: ToChatView[] = [];
    const subscription = api.chatView.onDidPost((m) => posted.push(m));
    try {
      await within(api.chatView.dispatch({ type: 'ask', turnId: `flagship-${Date.now()}`, question: FLAGSHIP }), 'the answer', 120_000);
    } finally {
      subscription.dispose();
    }
    const error = posted.find((m) => m.type === 'error');
    assert.equal(error, undefined, `the view got an error: ${JSON.stringify(error)}`);
    const done = posted.find((m) => m.type === 'done');
    assert.ok(done && done.type === 'done', 'the answer finished');
    assert.doesNotMatch(done.answer, /No indexed code matched/);
    const first = done.citations.slice(0, 3);
    console.log(`      first citations: ${first.map((c) => `${c.path}:${c.startLine}-${c.endLine}`).join(', ')}`);
    assert.ok(
      first.some((c) => c.path === 'src/routes/orders.ts' && c.startLine === 11 && c.endLine === 27),
      `orders.ts:11-27 among ${JSON.stringify(first)}`,
    );
  });
});
