/**
 * What `activate()` returns: a small API for other extensions and for Keel's own host tests.
 * Types only at the top level so tests can `import type` it.
 */
import type { EngineClient } from './vscode/engineClient';
import type * as vscode from 'vscode';
import type { CostSummary, DbExplainResult } from './protocol';
import type { FromChatView, ToChatView } from './protocol';

export interface ChatViewRenderInfo {
  /** The webview's script tags all carried the per-load nonce. */
  nonce: boolean;
  /** The Content-Security-Policy the webview was served with. */
  csp: string;
}

export interface KeelApi {
  readonly engine: Pick<EngineClient, 'request'>;
  /** The Keel output channel's last lines, oldest first, as `[level] message`. */
  readonly logLines: readonly string[];
  /** Wall-clock ms spent in activate() on the extension host thread. */
  readonly activationMs: number;
  readonly chatView: {
    /** Resolves once the chat webview has loaded and posted `ready`. */
    whenRendered(): Promise<ChatViewRenderInfo>;
    /** Handle a message exactly as if the webview had sent it (host tests drive the view this way). */
    dispatch(message: FromChatView): Promise<void>;
    /** Observe every message the extension posts to the webview. */
    onDidPost(listener: (message: ToChatView) => void): { dispose(): void };
    /** Enter → first context pill of the last question, in ms (undefined before any). */
    readonly lastContextMs: number | undefined;
  };
  readonly queryPlan: {
    /** Keel: Explain Query Plan at this document line (1-based); resolves when the plan view shows it. */
    explain(uri?: vscode.Uri, line?: number): Promise<DbExplainResult | undefined>;
    /** Keel: Check Query Plans in This File (the active editor); resolves to the statements it left a plan diagnostic on. */
    checkFile(): Promise<number>;
    readonly lastResult: DbExplainResult | undefined;
  };
  readonly cost: {
    /** The status-bar meter's current text, e.g. "$(pulse) $0.42". */
    readonly statusText: string;
    /** Re-read the ledger now; resolves with what the meter shows. */
    refresh(): Promise<CostSummary | undefined>;
    /** Open the cost report webview. */
    showReport(): Promise<void>;
    /** The summary the open report was last sent (undefined when no report is open). */
    readonly reportSummary: CostSummary | undefined;
  };
}
