/**
 * Which workspace and store the request being served is about, carried through its async calls.
 * A model call deep inside a feature (chat, SQL review, completions) records into the cost ledger
 * without knowing the repository; the team ledger (teamRuntime.ts) needs it, and asks here rather
 * than every feature threading it through.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import * as path from 'node:path';

export interface RequestScope {
  /** An absolute folder or file of the request's workspace. */
  workspace?: string;
  /** The request's own `store` parameter (e.g. `keel ask --store postgres://…`), when it has one. */
  store?: string;
}

export const requestScope = new AsyncLocalStorage<RequestScope>();

/** The workspace and store named by a request's parameters, whatever the method. */
export function scopeOfParams(params: unknown): RequestScope {
  if (!params || typeof params !== 'object') return {};
  const p = params as Record<string, unknown>;
  const abs = (v: unknown): string | undefined => (typeof v === 'string' && path.isAbsolute(v) ? v : undefined);
  const roots = Array.isArray(p.roots) ? p.roots : [];
  const workspace = abs(p.root) ?? abs(p.dir) ?? abs(roots[0]) ?? abs(p.workspace) ?? abs(p.file) ?? abs(p.path);
  const store = typeof p.store === 'string' ? p.store : undefined;
  return { workspace, store };
}
