/**
 * What `activate()` returns: a small API for other extensions and for Keel's own host tests.
 * Types only at the top level so tests can `import type` it.
 */
import type { EngineClient } from './vscode/engineClient';

export interface ChatViewRenderInfo {
  /** The webview's script tags all carried the per-load nonce. */
  nonce: boolean;
  /** The Content-Security-Policy the webview was served with. */
  csp: string;
}

export interface KeelApi {
  readonly engine: Pick<EngineClient, 'request'>;
  /** Wall-clock ms spent in activate() on the extension host thread. */
  readonly activationMs: number;
  readonly chatView: {
    /** Resolves once the chat webview has loaded and posted `ready`. */
    whenRendered(): Promise<ChatViewRenderInfo>;
  };
}
