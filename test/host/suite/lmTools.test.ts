/**
 * Keel's agent tools in a real VS Code: registered with vscode.lm.registerTool from the
 * `contributes.languageModelTools` declaration, visible in vscode.lm.tools, and invocable the way agent
 * mode invokes them (vscode.lm.invokeTool), with the engine's path policy on the other side.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { keelApi, waitFor, within } from './helpers';

const KEEL_TOOLS = ['keel_search_code', 'keel_read_code', 'keel_find_symbol', 'keel_sql_findings', 'keel_index_status', 'keel_cost_summary'];

describe('language-model tools (vscode.lm)', function () {
  it('registers Keel’s tools where the host offers vscode.lm.registerTool, and they answer through the engine', async () => {
    await keelApi();
    if (typeof vscode.lm?.registerTool !== 'function') {
      // A host without the API: Keel must still have activated (checked above) and registered nothing.
      assert.equal(typeof (vscode.lm as { tools?: unknown } | undefined)?.tools, 'undefined');
      return;
    }
    const tools = await waitFor(() => {
      const names = vscode.lm.tools.map((t) => t.name);
      return KEEL_TOOLS.every((n) => names.includes(n)) ? vscode.lm.tools : undefined;
    }, 'Keel tools in vscode.lm.tools');
    const search = tools.find((t) => t.name === 'keel_search_code')!;
    assert.deepEqual((search.inputSchema as { required?: string[] }).required, ['query']);

    const token = new vscode.CancellationTokenSource().token;
    const read = await within(
      Promise.resolve(vscode.lm.invokeTool('keel_read_code', { input: { path: 'src/db.ts', startLine: 1, endLine: 5 }, toolInvocationToken: undefined }, token)),
      'keel_read_code',
      60_000,
    );
    const text = read.content.map((p) => (p instanceof vscode.LanguageModelTextPart ? p.value : '')).join('');
    assert.match(text, /^src\/db\.ts:1-5 of \d+/);
    assert.match(text, /PrismaClient/);

    await assert.rejects(
      Promise.resolve(vscode.lm.invokeTool('keel_read_code', { input: { path: '.env.example' }, toolInvocationToken: undefined }, token)),
      /ACCESS_DENIED/,
    );
  });
});
