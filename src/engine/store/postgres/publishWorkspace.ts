/**
 * CI's path into the team store: the local index of a checkout (built as always: gitignore, size
 * limits, secret masking, chunking, embedding) is published to PostgreSQL. Only files whose content
 * hash the server lacks are re-read and uploaded; their chunk texts come from the same prepareFile()
 * the local indexer uses, so secrets are masked before anything leaves the machine, and vectors are
 * the local index's own (looked up by chunk hash), embedded only when missing.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { prepareFile } from '../../index/prepareFile';
import type { WorkspaceIndex } from '../../index/workspaceIndex';
import type { PgStore, PublishResult, UploadFile } from './pgStore';

export interface PublishWorkspaceOptions {
  repo: string;
  branch: string;
  base?: string;
  sha?: string;
  actor: string;
  maxBytes: number;
  signal?: AbortSignal;
  onProgress?(done: number, total: number): void;
  afterBatch?(batch: number): Promise<void> | void;
}

export async function publishWorkspace(store: PgStore, index: WorkspaceIndex, options: PublishWorkspaceOptions): Promise<PublishResult> {
  const root = index.roots[0];
  const files = [...index.catalog.entries()].filter((e) => e.root === 0).map((e) => ({ path: e.path, hash: e.record.hash }));
  if (index.vectors) await index.vectors.load();
  const load = async (batch: ReadonlyArray<{ path: string; hash: string }>, vectorsOnly = false): Promise<UploadFile[]> => {
    const out: UploadFile[] = [];
    for (const f of batch) {
      options.signal?.throwIfAborted();
      const prepared = await prepareFile({ abs: path.join(root, ...f.path.split('/')), rel: f.path, maxBytes: options.maxBytes, roots: [root] });
      // A file that changed or vanished since the local index was built is left to the next publish.
      if (!prepared.ok || prepared.hash !== f.hash || !prepared.chunks) continue;
      out.push({
        path: f.path,
        hash: f.hash,
        language: prepared.chunks[0]?.language ?? '',
        chunks: prepared.chunks.map((c) => ({ startLine: c.startLine, endLine: c.endLine, symbol: c.symbol, language: c.language, hash: c.hash, text: c.text })),
      });
    }
    if (index.vectors && index.embedder) {
      const todo: Array<{ text: string; set: (v: Float32Array) => void }> = [];
      for (const f of out) {
        for (const c of f.chunks) {
          const known = index.vectors.vectorFor(c.hash);
          if (known) c.vector = known;
          else todo.push({ text: c.text, set: (v) => (c.vector = v) });
        }
      }
      for (let i = 0; i < todo.length; i += 256) {
        const slice = todo.slice(i, i + 256);
        const vs = await index.embedder.embed(slice.map((t) => t.text), options.signal);
        slice.forEach((t, j) => t.set(vs[j]));
      }
    }
    if (vectorsOnly) for (const f of out) for (const c of f.chunks) c.text = '';
    return out;
  };
  return store.publish({
    repo: options.repo,
    branch: options.branch,
    base: options.base,
    sha: options.sha,
    actor: options.actor,
    embedder: index.embedder && index.vectors ? { id: index.embedder.id, dimensions: index.embedder.dimensions } : undefined,
    files,
    load: (batch) => load(batch),
    loadVectors: (batch) => load(batch, true),
    onProgress: options.onProgress,
    afterBatch: options.afterBatch,
  });
}

/** Repository name, branch and commit of a checkout, read from .git without running git. Overridable by env. */
export async function gitIdentity(dir: string, env: NodeJS.ProcessEnv = process.env): Promise<{ repo: string; branch: string; sha?: string }> {
  let branch = 'main';
  let sha: string | undefined;
  try {
    const head = (await fs.readFile(path.join(dir, '.git', 'HEAD'), 'utf8')).trim();
    const ref = /^ref: refs\/heads\/(.+)$/.exec(head);
    if (ref) {
      branch = ref[1];
      sha = (await fs.readFile(path.join(dir, '.git', 'refs', 'heads', ...branch.split('/')), 'utf8').catch(() => '')).trim() || undefined;
    } else if (/^[0-9a-f]{40}$/.test(head)) {
      sha = head;
    }
  } catch {
    // not a git checkout (or a worktree's .git file): the defaults stand
  }
  return { repo: env.KEEL_REPO || path.basename(path.resolve(dir)), branch: env.KEEL_BRANCH || branch, sha };
}
