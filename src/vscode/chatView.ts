/**
 * The chat webview view in Keel's activity-bar container. This surface only hosts the webview and
 * relays messages; answering lives in the engine.
 */
import * as vscode from 'vscode';
import type { ChatViewRenderInfo } from '../api';
import { KeelError } from '../engine/errors';
import type { FromChatView, ToChatView } from '../webviewProtocol';
import type { KeelContext } from './context';
import { localResourceRoots, renderPage } from './webviewHtml';

export const CHAT_VIEW_ID = 'keel.chatView';

export class ChatViewProvider implements vscode.WebviewViewProvider {
  private view: vscode.WebviewView | undefined;
  private csp = '';
  private rendered: { promise: Promise<ChatViewRenderInfo>; resolve(info: ChatViewRenderInfo): void };

  constructor(private readonly ctx: KeelContext) {
    let resolve!: (info: ChatViewRenderInfo) => void;
    const promise = new Promise<ChatViewRenderInfo>((r) => (resolve = r));
    this.rendered = { promise, resolve };
  }

  whenRendered(): Promise<ChatViewRenderInfo> {
    return this.rendered.promise;
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    const extensionUri = this.ctx.extension.extensionUri;
    view.webview.options = { enableScripts: true, localResourceRoots: localResourceRoots(extensionUri) };
    const page = renderPage(view.webview, extensionUri, {
      title: 'Keel Chat',
      script: 'dist/webview/chat.js',
      styles: ['dist/webview/codicon.css', 'dist/webview/chat.css'],
      body: '<main id="keel-chat-root" aria-live="polite"></main>',
    });
    this.csp = page.csp;
    view.webview.html = page.html;
    view.webview.onDidReceiveMessage((message: FromChatView) => this.receive(message), undefined, this.ctx.disposables);
    view.onDidDispose(() => (this.view = undefined), undefined, this.ctx.disposables);
  }

  private post(message: ToChatView): void {
    void this.view?.webview.postMessage(message);
  }

  private async receive(message: FromChatView): Promise<void> {
    switch (message.type) {
      case 'ready':
        this.ctx.log.debug('chat view ready');
        this.rendered.resolve({ nonce: message.nonceOk, csp: this.csp });
        return;
      case 'openSettings':
        await vscode.commands.executeCommand('workbench.action.openSettings', '@ext:keel-dev.keel');
        return;
      case 'ask':
        // Grounded answers arrive with the retrieval and LLM features; until then say so plainly.
        this.post({
          type: 'error',
          error: new KeelError('NOT_AVAILABLE', 'Chat answers are not available in this build yet.').toWire(),
        });
        return;
    }
  }
}

export function registerChatView(ctx: KeelContext): ChatViewProvider {
  const provider = new ChatViewProvider(ctx);
  ctx.disposables.push(
    vscode.window.registerWebviewViewProvider(CHAT_VIEW_ID, provider, { webviewOptions: { retainContextWhenHidden: true } }),
  );
  return provider;
}
