/**
 * The chat webview view in Keel's activity-bar container. This surface hosts the webview, relays its
 * messages and persists history; answering lives in the engine (`chat/ask`).
 */
import * as vscode from 'vscode';
import type { ChatViewRenderInfo } from '../api';
import type { ChatAskResult, ChatChunk, Tier } from '../protocol';
import { KeelError, toKeelError } from '../common/errors';
import type { ChatTurn, ContextPill, FromChatView, ToChatView } from '../protocol/webview';
import { applyAsDiff, copyCode, insertCode, openLink, openLocation, questionRoot, registerProposalProvider } from './chatActions';
import { ChatHistory } from './chatHistory';
import { attachmentPills, contextPills } from './chatPills';
import { completeMentions, resolveMentions } from './chatMentions';
import type { KeelContext } from './context';
import { configureProvider } from './providerSetup';
import type { AiWriteMeta } from './trustGate';
import { pushSecrets } from './secrets';
import { pushSettings } from './settings';
import { localResourceRoots, renderPage } from './webviewHtml';
import { chatCommandOf, runChatCommand } from './chatCommands';

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
  /** Turns still answering: a webview reloaded meanwhile (it is not kept alive while hidden) gets them again. */
  private readonly inflight = new Map<string, ChatTurn>();
  /** False while the webview (re)loads; a prefill sent then waits for its `ready`. */
  private viewReady = false;
  private pendingPrefill: ToChatView | undefined;
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
    // Hidden, the webview is discarded; shown again, it reloads and says `ready`.
    view.onDidChangeVisibility(() => view.visible || (this.viewReady = false), undefined, this.ctx.disposables);
    this.viewReady = false;
  }

  /** Reveal the view and put text in the question box. */
  async prefill(text: string, attachment?: ContextPill): Promise<void> {
    await vscode.commands.executeCommand(`${CHAT_VIEW_ID}.focus`);
    await this.whenRendered();
    const message: ToChatView = { type: 'prefill', text, ...(attachment ? { attachment } : {}) };
    if (this.viewReady) this.post(message);
    else this.pendingPrefill = message;
  }

  /** Ask About Selection: `#selection` in the question box, with the chip of what will be attached. */
  async askAboutSelection(): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    if (!editor || editor.selection.isEmpty) {
      void vscode.window.showInformationMessage('Keel: select some code in an editor first, then choose Ask About Selection.');
      return;
    }
    const [chip] = attachmentPills([
      { kind: 'selection', path: vscode.workspace.asRelativePath(editor.document.uri, false), startLine: editor.selection.start.line + 1, text: editor.document.getText(editor.selection) },
    ]);
    await this.prefill('#selection ', chip);
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
        for (const turn of this.inflight.values()) this.post({ type: 'turn', turn: { ...turn, pills: [...turn.pills] } });
        this.viewReady = true;
        if (this.pendingPrefill) this.post(this.pendingPrefill);
        this.pendingPrefill = undefined;
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
        await insertCode(message.code, this.writerOf(message.code));
        return;
      case 'applyCode':
        await applyAsDiff(message.code, this.writerOf(message.code));
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

  /** The answer a code block came from: its model goes into the provenance ledger. */
  private writerOf(code: string): AiWriteMeta {
    const turn = [...this.history.all(), ...this.inflight.values()].reverse().find((t) => t.answer.includes(code.trim()));
    const f = turn?.footer;
    return { feature: 'chat-apply', provider: f?.provider ?? 'unknown', model: f?.model ?? 'unknown', tier: f?.tier ?? 'unknown', requestId: turn?.id, prompt: turn?.question };
  }

  private async ask(turnId: string, question: string, options: AskOptions): Promise<void> {
    const root = questionRoot();
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
    this.inflight.set(turnId, turn);
    const started = performance.now();
    // Settings and keys reach the engine through change events, which may trail a change the user just
    // made (e.g. "configure a provider", then ask): send the current ones first, in order.
    await Promise.all([pushSettings(this.ctx), pushSecrets(this.ctx)]).catch((error: Error) => this.ctx.log.warn(`could not sync settings: ${error.message}`));
    this.lastContextMs = undefined;
    try {
      const command = chatCommandOf(question);
      if (command) {
        this.finish(turn, await runChatCommand(this.ctx.engine, command, root, controller.signal, options.tier), []);
        return;
      }
      const attachments = await resolveMentions(question);
      const attached = attachmentPills(attachments);
      if (attached.length) this.post({ type: 'context', turnId, pills: (turn.pills = attached), ms: 0 });
      const result = await this.ctx.engine.request(
        'chat/ask',
        {
          question,
          root,
          history: this.history.all().filter((t) => t.answer && !t.error).slice(-8).map((t) => ({ question: t.question, answer: t.answer })),
          attachments,
          excludedPassages: options.excludedPassages,
          tier: options.tier ?? 'auto',
          bypassCache: options.bypassCache,
        },
        { signal: controller.signal, onChunk: (chunk) => this.onChunk(turn, chunk, started, attached) },
      );
      this.finish(turn, result, attached);
    } catch (error) {
      const e = toKeelError(error);
      // The chat shows it under the question; the output channel keeps it for later ("could not reach …").
      if (e.code !== 'CANCELLED') this.ctx.log.error(`chat: the answer failed: ${e.message} [${e.code}]`);
      turn.error = e.toWire();
      this.post({ type: 'error', turnId, error: turn.error });
    } finally {
      this.running.delete(turnId);
      this.inflight.delete(turnId);
      await this.history.upsert(turn);
      this.onAnswered();
    }
  }

  private onChunk(turn: ChatTurn, chunk: ChatChunk, started: number, attached: ContextPill[]): void {
    const turnId = turn.id;
    if (chunk.type === 'context') {
      this.lastContextMs ??= performance.now() - started;
      this.ctx.log.debug(`chat: context for ${turnId} after ${this.lastContextMs.toFixed(0)} ms (engine ${chunk.ms} ms)`);
      for (const warning of chunk.warnings ?? []) this.ctx.log.warn(`chat: ${warning}`);
      if (chunk.warnings?.length) turn.warnings = chunk.warnings;
      turn.pills = contextPills(chunk.passages, attached);
      this.post({ type: 'context', turnId, pills: turn.pills, ms: chunk.ms, ...(chunk.warnings?.length ? { warnings: chunk.warnings } : {}) });
    } else if (chunk.type === 'delta') {
      turn.answer += chunk.text;
      this.post({ type: 'delta', turnId, text: chunk.text });
    } else if (chunk.type === 'step') {
      const { type: _type, ...step } = chunk;
      this.post({ type: 'step', turnId, step });
    }
  }

  private finish(turn: ChatTurn, result: ChatAskResult, attached: ContextPill[]): void {
    turn.answer = result.answer;
    turn.pills = contextPills(result.passages, attached);
    turn.citations = result.citations;
    if (result.steps?.length) turn.steps = result.steps;
    const { provider, model, tier, reason, usage, costUsd, cached, cachedQuestion, offline, analysis } = result;
    turn.footer = { provider, model, tier, reason, usage, costUsd, cached, cachedQuestion, offline, analysis };
    this.post({ type: 'done', turnId: turn.id, answer: result.answer, citations: result.citations, footer: turn.footer });
  }
}

export function registerChatView(ctx: KeelContext, onAnswered?: () => void): ChatViewProvider {
  const provider = new ChatViewProvider(ctx, onAnswered);
  registerProposalProvider(ctx.disposables);
  ctx.disposables.push(
    // Not kept alive while hidden: the webview restores itself from getState/setState and the history.
    vscode.window.registerWebviewViewProvider(CHAT_VIEW_ID, provider),
  );
  return provider;
}
