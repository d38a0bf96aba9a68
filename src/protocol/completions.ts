/**
 * Inline completions (issue 21): ghost text at the cursor on the fast tier, with Keel's index as context.
 * The host sends the document and the cursor; the engine assembles context, calls the model through the
 * egress gate, cleans the answer and records the call. Cancelling the request aborts the HTTP request.
 */

/** How the prompt is framed for the model. `auto` picks from the model name. */
export type CompletionTemplate = 'auto' | 'openai-suffix' | 'starcoder' | 'codellama' | 'deepseek' | 'qwen' | 'codestral' | 'chat';

/** A snippet of another file the user edited recently (the host tracks where). */
export interface RecentEdit {
  /** Workspace-relative or absolute path. */
  path: string;
  /** Lines around the last edit. */
  text: string;
}

export interface CompletionInlineParams {
  /** Absolute path of the document (finds the workspace index; excluded from "similar code"). */
  path: string;
  languageId: string;
  /** The whole document (hosts cap it; the engine only reads a window around `offset`). */
  text: string;
  /** Cursor, as a UTF-16 offset into `text`. */
  offset: number;
  recentEdits?: RecentEdit[];
  /** True when the user asked explicitly (Alt+\): skips the "nothing useful here" shortcuts. */
  explicit?: boolean;
}

export interface CompletionItem {
  /** Reported back with `completions/accepted`. */
  id: string;
  /** Text to insert at the cursor. */
  text: string;
}

export interface CompletionInlineResult {
  items: CompletionItem[];
  /** Served by the prefix cache: no model call was made. */
  cached: boolean;
  model: string;
  template: Exclude<CompletionTemplate, 'auto'>;
  /** Why nothing is offered, when nothing is: 'disabled', 'no-provider', 'junk', 'budget', 'position'. */
  reason?: string;
  timings: { assembleMs: number; modelMs: number; totalMs: number };
  /** What the context held (sections and their token counts), for the output channel. */
  context?: { tokens: number; sections: Array<{ kind: string; tokens: number; path?: string }> };
}

export interface CompletionAcceptedParams {
  id: string;
  /** What VS Code accepted: the whole item, or a part of it (word / line). */
  kind?: 'full' | 'partial';
  /** Characters accepted (partial accepts). */
  acceptedChars?: number;
}

export interface CompletionStats {
  /** Items returned to the host and shown as ghost text. */
  shown: number;
  accepted: number;
  /** accepted / shown, null before anything was shown. */
  acceptanceRate: number | null;
  /** Model calls the ledger holds for this feature, with their tokens and cost. */
  calls: number;
  tokens: { input: number; output: number };
  costUsd: number;
  /** Requests answered from the prefix cache. */
  cacheHits: number;
}

export interface CompletionRequests {
  'completions/inline': { params: CompletionInlineParams; result: CompletionInlineResult };
  'completions/accepted': { params: CompletionAcceptedParams; result: CompletionStats };
  'completions/stats': { params: Record<string, never>; result: CompletionStats };
}
