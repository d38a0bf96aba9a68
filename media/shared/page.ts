/**
 * What the report-style webviews (cost report, query plan) share: the VS Code API handle and a tiny
 * element builder that only ever sets text (never markup), so data from the workspace stays data.
 */
export interface VsCodeApi<From> {
  postMessage(message: From): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi<never>;

/** acquireVsCodeApi may be called once per page: call this once, at module load. */
export function vsCodeApi<From>(): VsCodeApi<From> {
  return acquireVsCodeApi() as unknown as VsCodeApi<From>;
}

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string, ...children: Node[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  node.append(...children);
  return node;
}
