/**
 * The chat webview view in Keel's activity-bar container. This surface hosts the webview, relays its
 * messages and persists history; answering lives in the engine (`chat/ask`).
 */
import * as vscode from 'vscode';
import type { ChatViewRenderInfo } from '../api';
import type { ChatAskResult, ChatChunk, Tier } from '../protocol';
import { KeelError, toKeelError } from '../common/errors';
import type { ChatTurn, ContextPill, FromChatView, ToChatView } from '../protocol';
import { applyAsDiff, copyCode, insertCode, openLink, openLocation, registerProposalProvider } from './chatActions';
import { ChatHistory } from './chatHistory';
import { completeMentions, resolveMentions } from './chatMentions';
import type { KeelContext } from './context';
import { configureProvider } from './providerSetup';
import { pushSecrets } from './secrets';
import { pushSettings } from './settings';
import { localResourceRoots, renderPage } from './webviewHtml';

export const CHAT_VIEW_ID = 'keel.chatView';
const ALLOWED_COMMANDS = new Set(['keel.setApiKey', 'workbench.action.openSettings']);

export interface AskOptions {
  tier?: Tier;
  bypassCache?: boolean;
  excludedPassages?: string[];
}

export class ChatViewProvider implements vscode.WebviewViewProvider {
  private view: vscode.WebviewView | undefined;
  private csp = '';
  private readonly history: ChatHistory;
  private readonly running = new Map<string, AbortController>();
  private readonly rendered: { promise: Promise<ChatViewRenderInfo>; resolve(info: ChatViewRenderInfo): void };
  /** Timing of the last question: Enter → first context pill (for the host test and the log). */
  lastContextMs: number | undefined;

  constructor(
    private readonly ctx: KeelContext,
    /** Called after every answer (the cost meter refreshes). */
    private readonly onAnswered: () => void = () => undefined,
  ) {
    this.history = new ChatHistory(ctx.extension.workspaceState);
    let resolve!: (info: ChatViewRenderInfo) => void;
    this.rendered = { promise: new Promise<ChatViewRenderInfo>((r) => (resolve = r)), resolve };
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
      body: '<main id="keel-chat-root"></main>',
    });
    this.csp = page.csp;
    view.webview.html = page.html;
    view.webview.onDidReceiveMessage((message: FromChatView) => void this.receive(message), undefined, this.ctx.disposables);
    view.onDidDispose(() => (this.view = undefined), undefined, this.ctx.disposables);
  }

  /** Reveal the view and put text in the question box (Ask About Selection). */
  async prefill(text: string): Promise<void> {
    await vscode.commands.executeCommand(`${CHAT_VIEW_ID}.focus`);
    await this.whenRendered();
    this.post({ type: 'prefill', text });
  }

  async newChat(): Promise<void> {
    for (const controller of this.running.values()) controller.abort();
    await this.history.clear();
    this.post({ type: 'history', turns: [] });
  }

  private readonly postListeners = new Set<(message: ToChatView) => void>();

  onDidPost(listener: (message: ToChatView) => void): { dispose(): void } {
    this.postListeners.add(listener);
    return { dispose: () => this.postListeners.delete(listener) };
  }

  private post(message: ToChatView): void {
    for (const listener of this.postListeners) listener(message);
    void this.view?.webview.postMessage(message);
  }

  async receive(message: FromChatView): Promise<void> {
    switch (message.type) {
      case 'ready':
        this.post({ type: 'history', turns: this.history.all() });
        this.rendered.resolve({ nonce: message.nonceOk, csp: this.csp });
        return;
      case 'ask':
        return this.ask(message.turnId, message.question, { tier: message.tier, bypassCache: message.bypassCache, excludedPassages: message.excludedPills });
      case 'stop':
        this.running.get(message.turnId)?.abort();
        return;
      case 'openCitation':
        await openLocation(message.path, message.line, message.endLine);
        return;
      case 'openLink':
        await openLink(message.href);
        return;
      case 'copyCode':
        return copyCode(message.code);
      case 'insertCode':
        await insertCode(message.code);
        return;
      case 'applyCode':
        await applyAsDiff(message.code);
        return;
      case 'mentionQuery':
        this.post({ type: 'mentions', items: await completeMentions(message.prefix, message.query) });
        return;
      case 'newChat':
        return this.newChat();
      case 'configureProvider':
        await configureProvider(this.ctx);
        return;
      case 'command':
        if (ALLOWED_COMMANDS.has(message.command)) await vscode.commands.executeCommand(message.command, ...(message.command === 'workbench.action.openSettings' ? ['@ext:keel-dev.keel'] : []));
        return;
    }
  }

  private async ask(turnId: string, question: string, options: AskOptions): Promise<void> {
    const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const turn: ChatTurn = { id: turnId, question, answer: '', pills: [], citations: [] };
    if (!root || !vscode.workspace.isTrusted) {
      // Restricted Mode: Keel reads and sends nothing from an untrusted workspace (package.json capabilities).
      const message = root ? 'This workspace is in Restricted Mode: trust it to let Keel read its code.' : 'Open a folder or workspace so Keel has code to answer from.';
      turn.error = new KeelError('BAD_INPUT', message).toWire();
      this.post({ type: 'error', turnId, error: turn.error });
      return;
    }
    this.post({ type: 'turn', turn: { ...turn } });
    const controller = new AbortController();
    this.running.set(turnId, controller);
    const started = performance.now();
    // Settings and keys reach the engine through change events, which may trail a change the user just
    // made (e.g. "configure a provider", then ask): send the current ones first, in order.
    await Promise.all([pushSettings(this.ctx), pushSecrets(this.ctx)]).catch((error: Error) => this.ctx.log.warn(`could not sync settings: ${error.message}`));
    this.lastContextMs = undefined;
    try {
      const result = await this.ctx.engine.request(
        'chat/ask',
        {
          question,
          root,
          history: this.history.all().filter((t) => t.answer && !t.error).slice(-8).map((t) => ({ question: t.question, answer: t.answer })),
          attachments: await resolveMentions(question),
          excludedPassages: options.excludedPassages,
          tier: options.tier ?? 'auto',
          bypassCache: options.bypassCache,
        },
        { signal: controller.signal, onChunk: (chunk) => this.onChunk(turnId, chunk, started) },
      );
      this.finish(turn, result);
    } catch (error) {
      turn.error = toKeelError(error).toWire();
      this.post({ type: 'error', turnId, error: turn.error });
    } finally {
      this.running.delete(turnId);
      await this.history.upsert(turn);
      this.onAnswered();
    }
  }

  private onChunk(turnId: string, chunk: ChatChunk, started: number): void {
    if (chunk.type === 'context') {
      this.lastContextMs ??= performance.now() - started;
      this.ctx.log.debug(`chat: context for ${turnId} after ${this.lastContextMs.toFixed(0)} ms (engine ${chunk.ms} ms)`);
      this.post({ type: 'context', turnId, pills: chunk.passages.map(toPill), ms: chunk.ms });
    } else if (chunk.type === 'delta') {
      this.post({ type: 'delta', turnId, text: chunk.text });
    } else if (chunk.type === 'step') {
      const { type: _type, ...step } = chunk;
      this.post({ type: 'step', turnId, step });
    }
  }

  private finish(turn: ChatTurn, result: ChatAskResult): void {
    turn.answer = result.answer;
    turn.pills = result.passages.map(toPill);
    turn.citations = result.citations;
    if (result.steps?.length) turn.steps = result.steps;
    const { provider, model, tier, reason, usage, costUsd, cached, cachedQuestion, offline } = result;
    turn.footer = { provider, model, tier, reason, usage, costUsd, cached, cachedQuestion, offline };
    this.post({ type: 'done', turnId: turn.id, answer: result.answer, citations: result.citations, footer: turn.footer });
  }
}

function toPill(passage: { id: string; path: string; startLine: number; endLine: number; symbol: string }): ContextPill {
  return { id: passage.id, path: passage.path, startLine: passage.startLine, endLine: passage.endLine, symbol: passage.symbol };
}

export function registerChatView(ctx: KeelContext, onAnswered?: () => void): ChatViewProvider {
  const provider = new ChatViewProvider(ctx, onAnswered);
  registerProposalProvider(ctx.disposables);
  ctx.disposables.push(
    vscode.window.registerWebviewViewProvider(CHAT_VIEW_ID, provider, { webviewOptions: { retainContextWhenHidden: true } }),
  );
  return provider;
}
