/**
 * Chat: `chat/ask` (the chat view, `keel ask` and the @keel participant) and the answer's shapes.
 */

export interface Usage {
  input: number;
  cacheWrite: number;
  cacheRead: number;
  output: number;
}

export interface Citation {
  path: string;
  startLine: number;
  endLine: number;
}

export type Tier = 'fast' | 'reasoning';
export type ProviderId = 'openai' | 'anthropic' | 'openai-compatible' | 'vscode-lm' | 'none';

/** `keel ask --json` */
export interface AskResult {
  answer: string;
  citations: Citation[];
  provider: ProviderId;
  model: string;
  tier: Tier | 'none';
  reason: string;
  usage: Usage;
  costUsd: number;
  cached: boolean;
}

// ---------------------------------------------------------------------------------------------
// Chat (issue 10; owner: lead). The chat view, `keel ask` and the @keel participant all use this.
// ---------------------------------------------------------------------------------------------

/** Content the user attached explicitly (@file, #selection, #problems), resolved by the host. */
export interface ChatAttachment {
  /** 'schema': the database schema the engine adds for questions about data (never sent by hosts). */
  kind: 'file' | 'selection' | 'problems' | 'symbol' | 'schema';
  path?: string;
  startLine?: number;
  text: string;
}

export interface ChatHistoryTurn {
  question: string;
  answer: string;
}

/** A passage of retrieved context as the UI shows it (a "pill") and as citations refer to it. */
export interface ContextPassage {
  id: string;
  path: string;
  startLine: number;
  endLine: number;
  symbol: string;
  score: number;
}

export interface ChatAskParams {
  question: string;
  /** Workspace root to retrieve from (absolute). */
  root: string;
  store?: string;
  history?: ChatHistoryTurn[];
  attachments?: ChatAttachment[];
  /** Passage ids the user removed from the context. */
  excludedPassages?: string[];
  tier?: Tier | 'auto';
  bypassCache?: boolean;
  provider?: ProviderId;
  model?: string;
  localOnly?: boolean;
}

export type ChatChunk =
  /** `warnings`: what went wrong on the way but did not stop the answer (e.g. a remote embedder unreachable, keyword-only retrieval). */
  | { type: 'context'; passages: ContextPassage[]; ms: number; warnings?: string[] }
  | { type: 'route'; tier: Tier | 'none'; model: string; reason: string }
  | { type: 'delta'; text: string }
  | ({ type: 'step' } & ChatToolStep);

/** One step of the agentic chat's tool loop (issue 17): what the model looked up and what that call cost. */
export interface ChatToolStep {
  step: number;
  lookups: Array<{ tool: string; label: string; ok: boolean; error?: string }>;
  model: string;
  usage: Usage;
  costUsd: number;
  ms: number;
}

export interface ChatAskResult extends AskResult {
  /** True for the offline retrieval answer (no provider configured, or local-only without a local model). */
  offline: boolean;
  /** An answer from Keel's own analysis (e.g. the api rules): no model was asked, and a provider would not change it. */
  analysis?: boolean;
  passages: ContextPassage[];
  /** For a cache hit: the earlier question whose answer was served. */
  cachedQuestion?: string;
  /** The tool loop's steps, when the answer used look-ups (issue 17). */
  steps?: ChatToolStep[];
}

export interface ChatRequests {
  /** Answer a question grounded in the workspace; streams context, routing and answer deltas. */
  'chat/ask': { params: ChatAskParams; result: ChatAskResult; chunk: ChatChunk };
}
