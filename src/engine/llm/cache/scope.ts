/**
 * A cached answer may only be reused inside its scope: same workspace, task kind, tier, system-prompt
 * version and embedder (vectors from different embedders are not comparable). The scope is hashed to a
 * key so lookups only ever scan their own bucket. File content hashes are checked per entry on a hit
 * (semanticCache.ts) because they belong to the answer, not the question.
 */
import { createHash } from 'node:crypto';
import type { TaskKind, Tier } from '../../../protocol';

export interface CacheScope {
  /** Workspace identity (e.g. the root folder path). */
  workspace: string;
  taskKind: TaskKind;
  tier: Tier;
  /** Bumped whenever the system prompt changes, so answers written under an old prompt are not reused. */
  systemPromptVersion: string;
}

export function scopeKey(scope: CacheScope, embedderId: string): string {
  return createHash('sha256')
    .update(JSON.stringify([scope.workspace, scope.taskKind, scope.tier, scope.systemPromptVersion, embedderId]))
    .digest('base64url')
    .slice(0, 22);
}

/** Content hash used for "the files the answer relied on". */
export function contentHash(content: string | Uint8Array): string {
  return createHash('sha256').update(content).digest('hex');
}
