/**
 * Renders one question/answer turn: the question, the context pills, the streamed answer (sanitised
 * markdown with citation chips and code-block actions), and the footer with model, tier, cost.
 */
import type { ChatToolStep, Citation, WireError } from '../../src/protocol';
import type { AnswerFooter, ChatTurn, ContextPill } from '../../src/protocol/webview';
import { el, iconButton } from './dom';
import { CITATION_PATTERN, renderMarkdown } from './markdown';
import { settledLength } from './streamBlocks';
import { post } from './vscodeApi';

export interface TurnHandlers {
  onRemovePill(turnId: string, pillId: string): void;
  onReask(turn: ChatTurn, options: { tier?: 'reasoning'; bypassCache?: boolean }): void;
}

export class TurnView {
  readonly element: HTMLElement;
  private readonly pillsRow = el('div', { className: 'pills' });
  private readonly steps = el('div', { className: 'steps' });
  private readonly answer = el('div', { className: 'answer markdown' });
  private readonly footer = el('footer', { className: 'turn-footer' });
  private pendingFrame = 0;
  /** While streaming: characters of the answer already rendered as settled blocks, and the live tail. */
  private settledChars = 0;
  private readonly tail = el('div', { className: 'answer-tail' });
  private readonly warnings = el('div', { className: 'warnings' });

  constructor(readonly turn: ChatTurn, private readonly handlers: TurnHandlers) {
    this.element = el('article', { className: 'turn' }, el('div', { className: 'question', text: turn.question }), this.pillsRow, this.warnings, this.steps, this.answer, this.footer);
    this.element.dataset.turnId = turn.id;
    this.setPills(turn.pills);
    if (turn.warnings) this.setWarnings(turn.warnings);
    for (const step of turn.steps ?? []) this.renderStep(step);
    if (turn.answer) this.renderAnswer();
    if (turn.footer) this.setFooter(turn.footer);
    if (turn.error) this.setError(turn.error);
  }

  setPills(pills: ContextPill[]): void {
    this.turn.pills = pills;
    this.pillsRow.replaceChildren(
      ...pills.map((pill) => {
        const lines = pill.endLine > pill.startLine ? `${pill.startLine}-${pill.endLine}` : `${pill.startLine}`;
        const open = el('button', { className: 'pill', title: `${pill.attached ? 'Attached: ' : ''}${pill.path}:${pill.startLine}-${pill.endLine}` });
        open.type = 'button';
        open.append(el('span', { className: `codicon codicon-${pill.attached === 'selection' ? 'selection' : 'file-code'}` }), el('span', { text: `${basename(pill.path)}:${pill.attached ? lines : pill.startLine}` }));
        if (pill.symbol) open.append(el('span', { className: 'pill-symbol', text: pill.symbol }));
        open.addEventListener('click', () => post({ type: 'openCitation', path: pill.path, line: pill.startLine, endLine: pill.endLine }));
        // What the user attached is part of the question: it is not offered for removal like retrieved context.
        if (pill.attached) return el('span', { className: 'pill-wrap attached' }, open);
        const remove = iconButton('close', `Remove ${pill.path} from the context`, () => this.handlers.onRemovePill(this.turn.id, pill.id));
        return el('span', { className: 'pill-wrap' }, open, remove);
      }),
    );
  }

  /** One look-up step of the agentic chat, as a collapsed line; details list each tool call. Text only. */
  addStep(step: ChatToolStep): void {
    (this.turn.steps ??= []).push(step);
    this.renderStep(step);
  }

  private renderStep(step: ChatToolStep): void {
    const summary = el('summary', { text: `Looked up ${step.lookups.map((l) => l.label).join(', ')} — $${step.costUsd.toFixed(4)}` });
    summary.prepend(el('span', { className: 'codicon codicon-search' }), ' ');
    const items = step.lookups.map((l) => el('li', { className: l.ok ? 'ok' : 'failed', text: l.ok ? l.label : `${l.label}: ${l.error ?? 'failed'}` }));
    const detail = el('div', { className: 'step-detail', text: `${step.model} · ${step.usage.input + step.usage.cacheRead + step.usage.cacheWrite} in / ${step.usage.output} out · ${step.ms} ms` });
    this.steps.append(el('details', { className: 'step' }, summary, el('ul', {}, ...items), detail));
  }

  setWarnings(warnings: string[]): void {
    this.turn.warnings = warnings;
    this.warnings.replaceChildren(...warnings.map((w) => el('div', { className: 'warning' }, el('span', { className: 'codicon codicon-warning' }), el('span', { text: ` ${w}` }))));
  }

  appendDelta(text: string): void {
    this.turn.answer += text;
    if (!this.answer.classList.contains('streaming')) {
      this.answer.classList.add('streaming');
      this.settledChars = 0;
      this.answer.replaceChildren(this.tail);
    }
    // Coalesce bursts of deltas into one render per frame, and render only what changed (streamBlocks.ts).
    if (!this.pendingFrame) this.pendingFrame = requestAnimationFrame(() => ((this.pendingFrame = 0), this.renderStreaming()));
  }

  finish(answer: string, citations: Citation[], footer: AnswerFooter): void {
    this.stopStreaming();
    this.turn.answer = answer;
    this.turn.citations = citations;
    this.renderAnswer();
    this.setFooter(footer);
  }

  setError(error: WireError): void {
    this.turn.error = error;
    this.stopStreaming();
    if (this.turn.answer) this.renderAnswer();
    const box = el('div', { className: 'error' }, el('code', { className: 'error-code', text: error.code }), el('span', { text: ` ${error.message}` }));
    const action = errorAction(error, () => this.handlers.onReask(this.turn, {}));
    if (action) box.append(action);
    this.footer.replaceChildren(box);
  }

  private stopStreaming(): void {
    if (this.pendingFrame) cancelAnimationFrame(this.pendingFrame);
    this.pendingFrame = 0;
    this.answer.classList.remove('streaming');
  }

  /** Settled blocks are appended once before the tail; only the tail is rendered again. */
  private renderStreaming(): void {
    const rest = this.turn.answer.slice(this.settledChars);
    const settled = settledLength(rest);
    if (settled) {
      this.tail.before(this.render(rest.slice(0, settled)));
      this.settledChars += settled;
    }
    this.tail.replaceChildren(this.render(rest.slice(settled)));
  }

  private renderAnswer(): void {
    this.answer.replaceChildren(this.render(this.turn.answer));
  }

  /** Markdown → sanitised fragment with citation chips, code-block actions and safe links. */
  private render(markdown: string): DocumentFragment {
    const { fragment, codeBlocks } = renderMarkdown(markdown);
    linkifyCitations(fragment);
    for (const block of codeBlocks) {
      const bar = el(
        'div',
        { className: 'code-actions' },
        iconButton('copy', 'Copy', () => post({ type: 'copyCode', code: block.code })),
        iconButton('insert', 'Insert at cursor', () => post({ type: 'insertCode', code: block.code })),
        iconButton('diff', 'Apply as diff preview', () => post({ type: 'applyCode', code: block.code, language: block.language })),
      );
      block.element.before(bar);
    }
    for (const anchor of Array.from(fragment.querySelectorAll('a'))) {
      anchor.addEventListener('click', (event) => {
        event.preventDefault();
        const href = anchor.getAttribute('href');
        if (href) post({ type: 'openLink', href });
      });
    }
    return fragment;
  }

  private setFooter(footer: AnswerFooter): void {
    this.turn.footer = footer;
    const parts: Array<Node | string> = [];
    if (footer.offline) parts.push(el('span', { className: 'badge', text: footer.analysis ? 'offline analysis' : 'retrieval only' }));
    else parts.push(el('span', { className: 'model', text: footer.model }), el('span', { className: `badge tier-${footer.tier}`, text: footer.tier, title: footer.reason }));
    if (footer.cached) parts.push(el('span', { className: 'badge cached', text: 'cached', title: footer.cachedQuestion ? `Answer reused from: ${footer.cachedQuestion}` : 'Served from the semantic cache' }));
    if (!footer.offline) {
      const tokens = footer.usage.input + footer.usage.cacheRead + footer.usage.cacheWrite;
      parts.push(el('span', { className: 'tokens', text: `${tokens.toLocaleString()} in · ${footer.usage.output.toLocaleString()} out`, title: `cache read ${footer.usage.cacheRead}, cache write ${footer.usage.cacheWrite}` }));
      parts.push(el('span', { className: 'cost', text: `$${footer.costUsd.toFixed(4)}` }));
    }
    const reason = el('div', { className: 'reason', text: footer.reason });
    const actions = el('div', { className: 'footer-actions' });
    if (footer.offline && !footer.analysis) actions.append(iconButton('settings-gear', 'Configure a model provider', () => post({ type: 'configureProvider' }), 'Configure a provider'));
    else if (!footer.offline && footer.tier !== 'reasoning') actions.append(iconButton('sparkle', 'Re-ask with the reasoning model', () => this.handlers.onReask(this.turn, { tier: 'reasoning' }), 'Re-ask with reasoning model'));
    if (footer.cached) actions.append(iconButton('refresh', 'Ask again without the cache', () => this.handlers.onReask(this.turn, { bypassCache: true }), 'Bypass cache'));
    this.footer.replaceChildren(el('div', { className: 'meta' }, ...parts), reason, actions);
  }
}

function errorAction(error: WireError, retry: () => void): HTMLElement | undefined {
  switch (error.code) {
    case 'AUTH_FAILED':
    case 'PROVIDER_NOT_CONFIGURED':
      return iconButton('key', 'Set API key', () => post({ type: 'command', command: 'keel.setApiKey' }), 'Set API key');
    case 'RATE_LIMITED':
    case 'PROVIDER_UNAVAILABLE':
    case 'TIMEOUT':
      return iconButton('refresh', 'Retry', retry, error.retryAfterS ? `Retry after ${Math.ceil(error.retryAfterS)} s` : 'Retry');
    case 'EGRESS_BLOCKED':
      return iconButton('settings-gear', 'Open settings', () => post({ type: 'command', command: 'workbench.action.openSettings' }), 'Open settings');
    case 'BUDGET_EXCEEDED':
    case 'QUOTA_EXCEEDED':
      return iconButton('settings-gear', 'Open settings', () => post({ type: 'command', command: 'workbench.action.openSettings' }), 'Budget settings');
    default:
      return error.retryable ? iconButton('refresh', 'Retry', retry, 'Retry') : undefined;
  }
}

/** Replace `path:line` references in text nodes (not inside code blocks or links) with chips. */
function linkifyCitations(root: DocumentFragment): void {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
    acceptNode: (node) => (node.parentElement?.closest('pre, a') ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT),
  });
  const textNodes: Text[] = [];
  while (walker.nextNode()) textNodes.push(walker.currentNode as Text);
  for (const node of textNodes) {
    const text = node.data;
    CITATION_PATTERN.lastIndex = 0;
    if (!CITATION_PATTERN.test(text)) continue;
    CITATION_PATTERN.lastIndex = 0;
    const parts: Array<Node | string> = [];
    let last = 0;
    for (const match of text.matchAll(CITATION_PATTERN)) {
      const [whole, path, start, end] = match;
      parts.push(text.slice(last, match.index));
      const chip = el('button', { className: 'citation', text: whole, title: `Open ${path} at line ${start}` });
      chip.type = 'button';
      chip.addEventListener('click', () => post({ type: 'openCitation', path, line: Number(start), endLine: end ? Number(end) : undefined }));
      parts.push(chip);
      last = (match.index ?? 0) + whole.length;
    }
    parts.push(text.slice(last));
    node.replaceWith(...parts);
  }
}

function basename(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}
