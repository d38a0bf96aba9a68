/**
 * The vscode-lm provider in a real VS Code: the engine worker's `host/lm/chat` request crosses to the
 * extension host, which asks the real `vscode.lm`. code-server has no Copilot, so the only honest outcome
 * here is "no models available" — as a coded error that came back through the bridge, not a hang.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { KeelError } from '../../../src/common/errors';
import { keelApi, within } from './helpers';

describe('vscode-lm provider (engine ⇄ extension host bridge)', function () {
  const config = () => vscode.workspace.getConfiguration('keel');

  after(async () => {
    await config().update('provider', undefined, vscode.ConfigurationTarget.Global);
  });

  it('without any chat model, chat/ask fails with PROVIDER_NOT_CONFIGURED from the host side', async () => {
    const api = await keelApi();
    assert.equal(typeof vscode.lm?.selectChatModels, 'function', 'this VS Code has the Language Model API');
    assert.deepEqual(await vscode.lm.selectChatModels(), [], 'no chat models in this host (no Copilot)');
    await config().update('provider', 'vscode-lm', vscode.ConfigurationTarget.Global);
    await api.engine.request('engine/configure', { settings: { 'keel.provider': 'vscode-lm' } });

    const root = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
    await assert.rejects(
      within(api.engine.request('chat/ask', { question: 'where are order items loaded?', root }), 'chat/ask', 90_000),
      (error: KeelError) => {
        assert.equal(error.code, 'PROVIDER_NOT_CONFIGURED', error.message);
        assert.equal(error.provider, 'vscode-lm');
        // This message is the extension host's (lmBridge.ts), so the request really crossed the bridge.
        assert.match(error.message, /No VS Code language models are available/);
        return true;
      },
    );
  });
});
