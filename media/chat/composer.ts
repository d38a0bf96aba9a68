/**
 * The question box: Enter sends, Shift+Enter breaks the line, `@file` / `@symbol` / `#selection` /
 * `#problems` mentions complete from a list the extension supplies, and the Ask button turns into Stop
 * while an answer streams.
 */
import type { ContextPill, MentionItem } from '../../src/protocol/webview';
import { el } from './dom';
import { post } from './vscodeApi';

export class Composer {
  readonly element: HTMLFormElement;
  private readonly input = el('textarea', { className: 'input', ariaLabel: 'Ask Keel about your code' });
  private readonly button = el('button', { className: 'send' });
  private readonly suggestions = el('ul', { className: 'mentions', ariaLabel: 'Mentions' });
  /** The chip of what `#selection` will attach (Ask About Selection), until the question is sent. */
  private readonly attachmentRow = el('div', { className: 'composer-attachment pills', ariaLabel: 'Attached' });
  private items: MentionItem[] = [];
  private active = 0;
  private busy = false;

  constructor(private readonly onAsk: (question: string) => void, private readonly onStop: () => void) {
    this.input.placeholder = 'Ask about your code… (@ to mention a file or symbol, # for selection or problems)';
    this.input.rows = 3;
    this.button.type = 'submit';
    this.suggestions.setAttribute('role', 'listbox');
    this.suggestions.hidden = true;
    this.attachmentRow.hidden = true;
    this.element = el('form', { className: 'composer' }, this.suggestions, this.attachmentRow, this.input, el('div', { className: 'composer-bar' }, this.button));
    this.setBusy(false);
    this.element.addEventListener('submit', (event) => {
      event.preventDefault();
      if (this.busy) return this.onStop();
      const question = this.input.value.trim();
      if (!question) return;
      this.input.value = '';
      this.setAttachment(undefined);
      this.hideSuggestions();
      this.onAsk(question);
    });
    this.input.addEventListener('keydown', (event) => this.keydown(event));
    this.input.addEventListener('input', () => {
      this.queryMentions();
      if (!/(^|\s)#selection\b/.test(this.input.value)) this.setAttachment(undefined);
      this.onDraft();
    });
  }

  focus(): void {
    this.input.focus();
  }

  prefill(text: string, attachment?: ContextPill): void {
    this.input.value = text;
    this.setAttachment(attachment);
    this.input.focus();
    this.input.setSelectionRange(text.length, text.length);
    this.onDraft();
  }

  get draft(): string {
    return this.input.value;
  }

  /** Called whenever the draft changes (the webview keeps it across reloads). */
  onDraft: () => void = () => undefined;

  setAttachment(pill: ContextPill | undefined): void {
    this.attachmentRow.hidden = !pill;
    if (!pill) return void this.attachmentRow.replaceChildren();
    const lines = pill.endLine > pill.startLine ? `${pill.startLine}-${pill.endLine}` : `${pill.startLine}`;
    this.attachmentRow.replaceChildren(
      el('span', { className: 'pill-wrap attached', title: `Attached: ${pill.path}:${lines}` }, el('span', { className: 'pill' }, el('span', { className: 'codicon codicon-selection' }), el('span', { text: `${pill.path.slice(pill.path.lastIndexOf('/') + 1)}:${lines}` }), el('span', { className: 'pill-symbol', text: pill.symbol }))),
    );
  }

  setBusy(busy: boolean): void {
    this.busy = busy;
    this.button.textContent = busy ? 'Stop' : 'Ask';
    this.button.classList.toggle('stop', busy);
    this.button.title = busy ? 'Stop generating (cancels the request)' : 'Ask (Enter)';
  }

  showMentions(items: MentionItem[]): void {
    this.items = items;
    this.active = 0;
    if (!items.length) return this.hideSuggestions();
    this.suggestions.replaceChildren(
      ...items.map((item, i) => {
        const li = el('li', { className: i === 0 ? 'active' : '' }, el('span', { className: `codicon codicon-${iconFor(item.kind)}` }), el('span', { text: item.label }));
        if (item.detail) li.append(el('span', { className: 'detail', text: item.detail }));
        li.setAttribute('role', 'option');
        li.addEventListener('mousedown', (event) => {
          event.preventDefault();
          this.accept(i);
        });
        return li;
      }),
    );
    this.suggestions.hidden = false;
  }

  private keydown(event: KeyboardEvent): void {
    if (!this.suggestions.hidden) {
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        this.active = (this.active + (event.key === 'ArrowDown' ? 1 : this.items.length - 1)) % this.items.length;
        Array.from(this.suggestions.children).forEach((li, i) => li.classList.toggle('active', i === this.active));
        return;
      }
      if (event.key === 'Enter' || event.key === 'Tab') {
        event.preventDefault();
        return this.accept(this.active);
      }
      if (event.key === 'Escape') return this.hideSuggestions();
    }
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      this.element.requestSubmit();
    }
  }

  /** The mention being typed: `@que` or `#sel` right before the caret. */
  private currentMention(): { prefix: '@' | '#'; query: string; start: number } | undefined {
    const upto = this.input.value.slice(0, this.input.selectionStart ?? 0);
    const match = /(^|\s)([@#])([\w./-]*)$/.exec(upto);
    if (!match) return undefined;
    return { prefix: match[2] as '@' | '#', query: match[3], start: upto.length - match[3].length - 1 };
  }

  private queryMentions(): void {
    const mention = this.currentMention();
    if (!mention) return this.hideSuggestions();
    post({ type: 'mentionQuery', prefix: mention.prefix, query: mention.query });
  }

  private accept(index: number): void {
    const item = this.items[index];
    const mention = this.currentMention();
    if (!item || !mention) return this.hideSuggestions();
    const caret = this.input.selectionStart ?? this.input.value.length;
    this.input.value = `${this.input.value.slice(0, mention.start)}${item.insertText} ${this.input.value.slice(caret)}`;
    const position = mention.start + item.insertText.length + 1;
    this.input.setSelectionRange(position, position);
    this.hideSuggestions();
  }

  private hideSuggestions(): void {
    this.suggestions.hidden = true;
    this.items = [];
  }
}

function iconFor(kind: MentionItem['kind']): string {
  return { file: 'file', symbol: 'symbol-method', selection: 'selection', problems: 'warning' }[kind];
}
