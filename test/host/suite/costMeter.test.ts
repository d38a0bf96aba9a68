/**
 * The cost meter in a real host: scripted calls through the chat against the local OpenAI-protocol
 * server move the status-bar meter, and the meter and the cost report show exactly the ledger's totals.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { CostSummary } from '../../../src/protocol';
import { OpenAIChatServer } from '../../servers/openaiChat';
import { keelApi, resetProvider, showChat, useOpenAI, waitFor, within } from './helpers';

/** Parse "$(pulse) $0.0123" → 0.0123. */
function meterUsd(text: string): number {
  const match = /\$\(pulse\) \$(\d+\.\d+)/.exec(text);
  assert.ok(match, `unexpected meter text: ${text}`);
  return Number(match[1]);
}

describe('cost meter and report', function () {
  let server: OpenAIChatServer;

  before(async () => {
    server = await new OpenAIChatServer().start();
    await useOpenAI(server.baseURL);
    await showChat();
  });
  after(async () => {
    // Leave the workbench as found: the harness photographs the chat view at the end.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await resetProvider();
    await server.close();
  });

  it('moves with each model call, and the meter, the report and the ledger agree', async () => {
    const api = await keelApi();
    const before = (await api.cost.refresh()) as CostSummary;
    for (const [i, question] of ['explain what the health route returns', 'explain how priceOrder totals an order'].entries()) {
      server.replies.push({ text: `Answer ${i} (src/routes/health.ts:1-5).` });
      await within(api.chatView.dispatch({ type: 'ask', turnId: `cost-${i}-${Date.now()}`, question, bypassCache: true }), 'an answer', 90_000);
    }
    assert.ok(server.requests.length >= 2, 'two real calls reached the local server');
    const after = await waitFor(async () => {
      const s = (await api.cost.refresh()) as CostSummary;
      return s.calls.total >= before.calls.total + 2 ? s : undefined;
    }, 'the ledger to record both calls');
    assert.ok(after.today > before.today, 'today’s spend went up');

    // The status bar shows today's spend as the ledger has it.
    assert.ok(Math.abs(meterUsd(api.cost.statusText) - after.today) < 0.00005 + (after.today >= 0.01 ? 0.005 : 0), `${api.cost.statusText} vs ${after.today}`);

    // The report is sent exactly the ledger's summary.
    await api.cost.showReport();
    const shown = await waitFor(() => api.cost.reportSummary, 'the cost report to receive its summary');
    const fresh = (await api.cost.refresh()) as CostSummary;
    assert.equal(shown.total, fresh.total);
    assert.equal(shown.today, fresh.today);
    assert.equal(shown.calls.total, fresh.calls.total);
    assert.deepEqual(shown.perModel.map((b) => [b.key, b.costUsd]), fresh.perModel.map((b) => [b.key, b.costUsd]));
    assert.ok(fresh.perFeature.some((b) => b.key === 'chat'));
  });
});
