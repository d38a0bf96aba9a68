/**
 * Messages between the extension and its webviews (postMessage). Discriminated unions per direction;
 * the webview treats everything it renders from these as untrusted text.
 */
import type { WireError } from './protocol';

/** Webview → extension. */
export type FromChatView =
  | { type: 'ready'; nonceOk: boolean }
  | { type: 'ask'; question: string }
  | { type: 'openSettings' };

/** Extension → webview. */
export type ToChatView =
  | { type: 'status'; text: string }
  | { type: 'answer'; question: string; text: string }
  | { type: 'error'; error: WireError };
