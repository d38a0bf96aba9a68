/**
 * Messages between the extension and its webviews (postMessage): the chat view and the cost report.
 * Discriminated unions per direction. Everything the webview renders from these is untrusted text: answers go through the
 * sanitiser, everything else through textContent.
 */
import type { WireError } from './rpc';
import type { ChatAskResult, ChatToolStep, Citation, Tier } from './chat';
import type { CostSummary } from './cost';
import type { DbExplainResult } from './db';

/** A retrieved passage shown as a removable, clickable pill above the answer. */
export interface ContextPill {
  id: string;
  path: string;
  startLine: number;
  endLine: number;
  symbol: string;
  /** Set for what the user attached (the selection, an @file): shown first, not removable. */
  attached?: 'selection' | 'file' | 'symbol';
}

/** What the footer under an answer shows: the answer's provenance and price, as `chat/ask` returned them. */
export type AnswerFooter = Pick<ChatAskResult, 'provider' | 'model' | 'tier' | 'reason' | 'usage' | 'costUsd' | 'cached' | 'cachedQuestion' | 'offline' | 'analysis'>;

export interface ChatTurn {
  id: string;
  question: string;
  answer: string;
  pills: ContextPill[];
  citations: Citation[];
  footer?: AnswerFooter;
  error?: WireError;
  /** The tool loop's look-ups, each with its cost (agentic chat). */
  steps?: ChatToolStep[];
  /** What degraded on the way without stopping the answer (keyword-only retrieval …). */
  warnings?: string[];
}

export interface MentionItem {
  kind: 'file' | 'symbol' | 'selection' | 'problems';
  label: string;
  detail?: string;
  insertText: string;
}

/** Webview → extension. */
export type FromChatView =
  | { type: 'ready'; nonceOk: boolean }
  | { type: 'ask'; turnId: string; question: string; excludedPills?: string[]; tier?: Tier; bypassCache?: boolean }
  | { type: 'stop'; turnId: string }
  | { type: 'openCitation'; path: string; line: number; endLine?: number }
  | { type: 'openLink'; href: string }
  | { type: 'copyCode'; code: string }
  | { type: 'insertCode'; code: string }
  | { type: 'applyCode'; code: string; language: string }
  | { type: 'mentionQuery'; prefix: '@' | '#'; query: string }
  | { type: 'newChat' }
  | { type: 'configureProvider' }
  | { type: 'command'; command: 'keel.setApiKey' | 'workbench.action.openSettings' | 'keel.localOnly' };

/** Extension → webview. */
export type ToChatView =
  | { type: 'history'; turns: ChatTurn[] }
  /** A question started outside the webview's own composer (a command, a test): show it. */
  | { type: 'turn'; turn: ChatTurn }
  | { type: 'context'; turnId: string; pills: ContextPill[]; ms: number; warnings?: string[] }
  | { type: 'delta'; turnId: string; text: string }
  /** One step of the tool loop: shown as a collapsible "looked up …" line with its cost. */
  | { type: 'step'; turnId: string; step: ChatToolStep }
  | { type: 'done'; turnId: string; answer: string; citations: Citation[]; footer: AnswerFooter }
  | { type: 'error'; turnId?: string; error: WireError }
  | { type: 'mentions'; items: MentionItem[] }
  /** Put text in the question box; `attachment`: the chip of what will be attached (Ask About Selection). */
  | { type: 'prefill'; text: string; attachment?: ContextPill };

/** Extension → cost report webview (media/cost). */
export type ToCostReport = { type: 'summary'; summary: CostSummary } | { type: 'error'; message: string };

/** Cost report webview → extension. */
export type FromCostReport = { type: 'ready' } | { type: 'refresh' };

// Query-plan view (media/plan) ⇄ extension (src/vscode/queryPlan.ts).

/** Extension → plan view. */
export type ToQueryPlan = { type: 'result'; result: DbExplainResult } | { type: 'pending'; what: string } | { type: 'error'; code: string; message: string };

/** Plan view → extension. */
export type FromQueryPlan = { type: 'ready' } | { type: 'copy'; text: string };
