/** The webview's only channel to the extension; typed by src/protocol/webview.ts. */
import type { FromChatView } from '../../src/protocol/webview';

interface VsCodeApi {
  postMessage(message: FromChatView): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

export const vscode: VsCodeApi = acquireVsCodeApi();
export const post = (message: FromChatView): void => vscode.postMessage(message);
