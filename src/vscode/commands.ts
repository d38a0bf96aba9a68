/**
 * Registers every command Keel contributes. Each command delegates to the surface that owns it;
 * commands whose feature has not landed yet say so plainly instead of pretending.
 */
import * as vscode from 'vscode';
import { toKeelError } from '../common/errors';
import type { KeelContext } from './context';
import { CHAT_VIEW_ID } from './chatView';
import { setApiKey } from './secrets';

/** Command ids owned by later features; replaced as those features land. */
const NOT_YET: Record<string, string> = {
  'keel.indexWorkspace': 'Indexing',
  'keel.showIndexStatus': 'Index status',
};

export function registerCommands(ctx: KeelContext, implemented: Record<string, (...args: unknown[]) => unknown> = {}): void {
  const register = (id: string, fn: (...args: unknown[]) => unknown): void => {
    ctx.disposables.push(vscode.commands.registerCommand(id, fn));
  };
  register('keel.openChat', () => vscode.commands.executeCommand(`${CHAT_VIEW_ID}.focus`));
  register('keel.setApiKey', (provider?: unknown, key?: unknown) =>
    setApiKey(ctx, provider as 'openai' | undefined, key as string | undefined),
  );
  register('keel.showLog', () => ctx.log.show());
  register('keel.pingEngine', async () => {
    try {
      const info = await ctx.engine.request('engine/ping', { echo: 'vscode' });
      void vscode.window.setStatusBarMessage(`Keel engine ${info.version} (${info.host}, pid ${info.pid}) is alive`, 4000);
      return info;
    } catch (error) {
      const e = toKeelError(error);
      void vscode.window.showErrorMessage(`Keel engine did not answer: ${e.message} [${e.code}]`);
      return undefined;
    }
  });
  for (const [id, fn] of Object.entries(implemented)) register(id, fn);
  for (const [id, what] of Object.entries(NOT_YET)) {
    if (id in implemented) continue;
    register(id, () => vscode.window.showInformationMessage(`Keel: ${what} is not available in this build yet.`));
  }
}
