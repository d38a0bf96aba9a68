/** What several tools share: the configured excludes, the open index of the scope, reading files by display path. */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { ConfigKey } from '../config';
import { IndexServiceKey } from '../index/indexService';
import type { WorkspaceIndex } from '../index/workspaceIndex';
import { decode } from '../workspace/sourceFile';
import { resolveWorkspacePath, type IgnoreFileCache } from './pathPolicy';
import type { ToolContext } from './types';

export function configuredExcludes(ctx: ToolContext): string[] {
  const value = ctx.engine.services.get(ConfigKey).get<unknown>('keel.index.exclude', []);
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** The index over the scope's folders: the open one, else opened from its store, built first if empty. */
export async function indexFor(ctx: ToolContext): Promise<WorkspaceIndex> {
  const service = ctx.engine.services.get(IndexServiceKey);
  const open = ctx.store ? undefined : service.forPath(ctx.roots[0]);
  if (open) return open;
  const index = await service.openFor([...ctx.roots], ctx.store);
  if (index.catalog.fileCount > 0) return index;
  await service.build({ roots: [...ctx.roots], store: ctx.store }, ctx.signal);
  return service.forPath(ctx.roots[0]) ?? index;
}

/** Absolute path of a path the index displayed (relative; `folder/…` when there are several roots). */
export function absoluteOf(roots: readonly string[], display: string): string {
  if (roots.length > 1) {
    const [first, ...rest] = display.split('/');
    const root = roots.find((r) => path.basename(r) === first);
    if (root) return path.join(root, ...rest);
  }
  return path.join(roots[0], ...display.split('/'));
}

/** Reads files once per tool call (several passages often come from one file). */
export class FileLines {
  private readonly cache = new Map<string, Promise<string[] | undefined>>();

  constructor(private readonly roots: readonly string[]) {}

  lines(display: string): Promise<string[] | undefined> {
    let hit = this.cache.get(display);
    if (!hit) {
      hit = fs.readFile(absoluteOf(this.roots, display)).then(
        (bytes) => {
          const decoded = decode(bytes);
          return decoded.ok ? decoded.text.split('\n') : undefined;
        },
        () => undefined,
      );
      this.cache.set(display, hit);
    }
    return hit;
  }
}

/**
 * The path policy applied to paths the index hands back. The index should never hold a refused path,
 * but it follows symlinks when it walks (a link named notes.txt pointing at .env, a linked folder
 * outside the root), so what leaves a tool is checked again here.
 */
export class PathGate {
  private readonly cache = new Map<string, Promise<boolean>>();
  private readonly ignoreFiles: IgnoreFileCache = new Map();

  constructor(private readonly ctx: ToolContext, private readonly exclude = configuredExcludes(ctx)) {}

  allows(display: string): Promise<boolean> {
    let hit = this.cache.get(display);
    if (!hit) {
      hit = resolveWorkspacePath(this.ctx.roots, display, { exclude: this.exclude, ignoreFiles: this.ignoreFiles }).then(
        () => true,
        () => false,
      );
      this.cache.set(display, hit);
    }
    return hit;
  }
}
