/**
 * Where Keel keeps state that is not an index. Per-workspace state (semantic cache, egress log) lives in
 * the host's workspace storage; per-user state (the cost ledger: budgets are per person, not per repo)
 * in the host's global storage. The CLI has no host, so both default to $XDG_STATE_HOME/keel
 * (~/.local/state/keel), or $KEEL_STATE_DIR.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import type { EngineOptions } from './engine';

export function cliStateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.KEEL_STATE_DIR && path.isAbsolute(env.KEEL_STATE_DIR)) return env.KEEL_STATE_DIR;
  const base = env.XDG_STATE_HOME && path.isAbsolute(env.XDG_STATE_HOME) ? env.XDG_STATE_HOME : path.join(os.homedir(), '.local', 'state');
  return path.join(base, 'keel');
}

export function workspaceStateDir(options: Pick<EngineOptions, 'storageDir'>, env: NodeJS.ProcessEnv = process.env): string {
  return options.storageDir ?? cliStateDir(env);
}

export function userStateDir(options: Pick<EngineOptions, 'storageDir' | 'globalStorageDir'>, env: NodeJS.ProcessEnv = process.env): string {
  return options.globalStorageDir ?? options.storageDir ?? cliStateDir(env);
}
