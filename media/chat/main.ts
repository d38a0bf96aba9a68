/**
 * Chat webview entry. Everything shown here that came from outside (answers, errors) is untrusted and
 * is rendered as text nodes only — never through innerHTML.
 */
import type { FromChatView, ToChatView } from '../../src/webviewProtocol';

declare function acquireVsCodeApi(): { postMessage(message: FromChatView): void; getState(): unknown; setState(state: unknown): void };

const vscode = acquireVsCodeApi();
const root = document.getElementById('keel-chat-root') as HTMLElement;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

const transcript = el('section', 'transcript');
const empty = el('div', 'empty');
empty.append(
  el('h2', undefined, 'Ask Keel about this workspace'),
  el('p', undefined, 'Answers are grounded in your own code, with citations you can open. Without a model configured, Keel answers from the index alone — nothing leaves your machine.'),
);
transcript.append(empty);

const form = el('form', 'composer');
const input = el('textarea', 'input');
input.placeholder = 'Ask about your code…';
input.rows = 3;
input.setAttribute('aria-label', 'Question');
const send = el('button', 'send', 'Ask');
send.type = 'submit';
form.append(input, send);
root.append(transcript, form);

function addMessage(role: 'user' | 'assistant' | 'error', text: string): HTMLElement {
  empty.remove();
  const item = el('article', `message ${role}`);
  item.append(el('div', 'body', text));
  transcript.append(item);
  item.scrollIntoView({ block: 'end' });
  return item;
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const question = input.value.trim();
  if (!question) return;
  addMessage('user', question);
  input.value = '';
  vscode.postMessage({ type: 'ask', question });
});
input.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey) {
    event.preventDefault();
    form.requestSubmit();
  }
});

window.addEventListener('message', (event: MessageEvent<ToChatView>) => {
  const message = event.data;
  switch (message.type) {
    case 'answer':
      addMessage('assistant', message.text);
      break;
    case 'status':
      addMessage('assistant', message.text).classList.add('status');
      break;
    case 'error': {
      const item = addMessage('error', `${message.error.message}`);
      item.prepend(el('code', 'code', message.error.code));
      break;
    }
  }
});

// Tell the extension we rendered, and whether every script carried the per-load nonce.
const nonce = document.body.dataset.nonce ?? '';
const nonceOk = nonce.length > 0 && [...document.scripts].every((s) => s.nonce === nonce);
vscode.postMessage({ type: 'ready', nonceOk });
