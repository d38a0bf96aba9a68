import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { keelApi, within } from './helpers';

describe('chat view', () => {
  it('keel.openChat resolves the webview view and it renders (posts ready)', async () => {
    const api = await keelApi();
    await vscode.commands.executeCommand('keel.openChat');
    const info = await within(api.chatView.whenRendered(), 'the chat webview to post ready', 45_000);
    assert.equal(info.nonce, true, 'a script in the chat webview ran without the per-load nonce');
    assert.equal(typeof info.csp, 'string');
  });

  it('serves the webview with a locked-down Content-Security-Policy', async () => {
    const { csp } = await within((await keelApi()).chatView.whenRendered(), 'the chat webview', 45_000);
    const directives = new Map(csp.split(';').map((d) => d.trim()).filter(Boolean).map((d) => {
      const [name, ...values] = d.split(/\s+/);
      return [name, values] as const;
    }));
    assert.deepEqual(directives.get('default-src'), ["'none'"], `CSP: ${csp}`);
    const scripts = directives.get('script-src') ?? [];
    assert.ok(scripts.some((v) => /^'nonce-[A-Za-z0-9+/=_-]{16,}'$/.test(v)), `script-src has no nonce: ${csp}`);
    assert.ok(!scripts.includes("'unsafe-inline'") && !scripts.includes("'unsafe-eval'"), `script-src too open: ${csp}`);
  });
});
