/**
 * Chat webview entry: wires the transcript, the composer and the extension messages together. The
 * webview is not kept alive while hidden: on every load it first restores the transcript and the draft
 * from its own saved state (getState/setState, instant), then takes the extension's per-workspace
 * history — and any answer still streaming — as the truth.
 */
import type { ChatTurn, ToChatView } from '../../src/protocol/webview';
import { Composer } from './composer';
import { el, iconButton } from './dom';
import { TurnView } from './turnView';
import { post, vscode } from './vscodeApi';

/** What the webview saves for its next load. */
interface SavedState {
  turns: ChatTurn[];
  draft: string;
}

const root = document.getElementById('keel-chat-root') as HTMLElement;
const transcript = el('section', { className: 'transcript', ariaLabel: 'Conversation' });
const views = new Map<string, TurnView>();
let streaming: string | undefined;
/**
 * Follow the conversation while the reader is at the bottom (pills, streamed text and the footer all
 * grow it); once they scroll up to read, stay where they are until the next question.
 */
let pinned = true;
const follow = new ResizeObserver(() => {
  if (pinned) transcript.scrollTop = transcript.scrollHeight;
});
transcript.addEventListener('scroll', () => {
  pinned = transcript.scrollHeight - transcript.scrollTop - transcript.clientHeight < 40;
});

const emptyState = el(
  'div',
  { className: 'empty' },
  el('h2', { text: 'Ask Keel about this workspace' }),
  el('p', { text: 'Answers come from your own code, with citations you can open. With no model configured Keel answers from the index alone — nothing leaves your machine.' }),
  iconButton('settings-gear', 'Configure a model provider', () => post({ type: 'configureProvider' }), 'Configure a provider'),
);

const composer = new Composer(
  (question) => ask(question),
  () => streaming && post({ type: 'stop', turnId: streaming }),
);
root.append(transcript, composer.element);
transcript.append(emptyState);

let saveFrame = 0;
/** Save at most once a frame: streamed deltas do not each serialise the transcript. */
function save(): void {
  saveFrame ||= requestAnimationFrame(() => {
    saveFrame = 0;
    const state: SavedState = { turns: [...views.values()].map((v) => v.turn), draft: composer.draft };
    vscode.setState(state);
  });
}
composer.onDraft = save;

function restore(): void {
  const state = vscode.getState() as Partial<SavedState> | undefined;
  for (const turn of Array.isArray(state?.turns) ? state.turns : []) addTurn(turn);
  if (typeof state?.draft === 'string' && state.draft) composer.prefill(state.draft);
}

function newTurnId(): string {
  return `t${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}

function addTurn(turn: ChatTurn): TurnView {
  emptyState.remove();
  const view = new TurnView(turn, {
    onRemovePill: (turnId, pillId) => {
      const target = views.get(turnId);
      if (!target) return;
      const remaining = target.turn.pills.filter((p) => p.id !== pillId);
      target.setPills(remaining);
      // Ask again without the removed passage so the answer reflects the context the user chose.
      const excluded = target.turn.pills.length === remaining.length ? [] : [pillId];
      ask(target.turn.question, { excludedPills: excluded });
    },
    onReask: (turn, options) => ask(turn.question, options),
  });
  views.set(turn.id, view);
  transcript.append(view.element);
  pinned = true;
  follow.observe(view.element);
  return view;
}

function ask(question: string, options: { tier?: 'reasoning'; bypassCache?: boolean; excludedPills?: string[] } = {}): void {
  if (streaming) return;
  const turnId = newTurnId();
  addTurn({ id: turnId, question, answer: '', pills: [], citations: [] });
  streaming = turnId;
  composer.setBusy(true);
  post({ type: 'ask', turnId, question, ...options });
}

function settle(turnId: string): void {
  if (streaming === turnId) {
    streaming = undefined;
    composer.setBusy(false);
  }
}

window.addEventListener('message', (event: MessageEvent<ToChatView>) => {
  const message = event.data;
  switch (message.type) {
    case 'history':
      views.clear();
      transcript.replaceChildren();
      streaming = undefined;
      composer.setBusy(false);
      if (!message.turns.length) transcript.append(emptyState);
      for (const turn of message.turns) addTurn(turn);
      break;
    case 'turn':
      if (!views.has(message.turn.id)) {
        addTurn(message.turn);
        streaming = message.turn.id;
        composer.setBusy(true);
      }
      break;
    case 'context':
      views.get(message.turnId)?.setPills(message.pills);
      if (message.warnings) views.get(message.turnId)?.setWarnings(message.warnings);
      break;
    case 'delta':
      views.get(message.turnId)?.appendDelta(message.text);
      break;
    case 'step':
      views.get(message.turnId)?.addStep(message.step);
      break;
    case 'done':
      views.get(message.turnId)?.finish(message.answer, message.citations, message.footer);
      settle(message.turnId);
      break;
    case 'error':
      if (message.turnId) {
        views.get(message.turnId)?.setError(message.error);
        settle(message.turnId);
      }
      break;
    case 'mentions':
      composer.showMentions(message.items);
      break;
    case 'prefill':
      composer.prefill(message.text, message.attachment);
      break;
  }
  save();
});

restore();

// Tell the extension we rendered, and whether every script of ours carried the per-load nonce. VS Code
// injects its own API script (id _vscodeApiScript) into every webview, outside our CSP's purview.
const nonce = document.body.dataset.nonce ?? '';
const ours = Array.from(document.scripts).filter((s) => s.id !== '_vscodeApiScript');
post({ type: 'ready', nonceOk: nonce.length > 0 && ours.length > 0 && ours.every((s) => s.nonce === nonce) });
composer.focus();
