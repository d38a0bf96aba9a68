/**
 * Engine → host requests (the editor's language models).
 */

// ---------------------------------------------------------------------------------------------
// Engine → host requests (issue 8, `vscode.lm`; owner: lm-bridge engineer). The same conventions in the
// other direction: the engine sends `{ id, method, params }`, the host answers once, streams chunks as
// `$/stream { id, chunk }` and the engine cancels with `$/cancelRequest { id }`. Each direction has its
// own id space. A host announces the methods it serves with `host/methods`; the engine fails a request
// for an unannounced method at once with NOT_AVAILABLE instead of waiting on a host that can't answer.
// ---------------------------------------------------------------------------------------------

/** One chat model the editor offers (VS Code: `vscode.lm.selectChatModels()`). */
export interface HostLmModel {
  id: string;
  vendor: string;
  family: string;
  name: string;
  maxInputTokens: number;
}

export interface HostLmChatParams {
  /** A model family or id (e.g. "gpt-4o-mini", "claude-sonnet-4"); empty: the host's first available model. */
  model: string;
  /** Oldest first. vscode.lm has no system role: instructions arrive as leading user messages. */
  messages: Array<{ role: 'user' | 'assistant'; content: string }>;
  /** Shown by VS Code when it asks the user to allow Keel to use the model. */
  justification?: string;
}

export interface HostLmChatResult {
  /** The model that answered, as `vendor/id`. */
  model: string;
  /** Only when the host can count them; the engine counts with its own tokenizer otherwise. */
  inputTokens?: number;
  outputTokens?: number;
}

export interface HostRequestMap {
  /** The chat models the host can reach; `family` narrows the list. Empty when none (no Copilot). */
  'host/lm/models': { params: { family?: string }; result: HostLmModel[] };
  /** Stream one model answer as `{ text }` chunks. */
  'host/lm/chat': { params: HostLmChatParams; result: HostLmChatResult; chunk: { text: string } };
}

export type HostMethod = keyof HostRequestMap;
export type HostParamsOf<M extends HostMethod> = HostRequestMap[M]['params'];
export type HostResultOf<M extends HostMethod> = HostRequestMap[M]['result'];
export type HostChunkOf<M extends HostMethod> = HostRequestMap[M] extends { chunk: infer C } ? C : never;

