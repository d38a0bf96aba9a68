/**
 * A command's path arguments (`keel scan src app.py`, `keel api .`) as the files to analyse: each folder
 * walked with the workspace rules (ignore files, size limit, special files skipped with a reason), each
 * file taken as named. No arguments means the current folder.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { SkippedFile } from '../../protocol';
import { KeelError } from '../../common/errors';
import { walkWorkspace } from './walker';

export interface TargetFile {
  abs: string;
  /** The folder argument it was found in; undefined for a file named directly. */
  root?: string;
}

export interface ExpandedTargets {
  files: TargetFile[];
  /** What the walks skipped, with absolute paths (callers show them relative to their cwd). */
  skipped: Array<SkippedFile & { abs: string }>;
}

export async function expandTargets(cwd: string, paths: readonly string[], options: { maxFileSizeBytes: number; signal?: AbortSignal }): Promise<ExpandedTargets> {
  const out: ExpandedTargets = { files: [], skipped: [] };
  for (const target of paths.length > 0 ? paths : ['.']) {
    const abs = path.resolve(cwd, target);
    const stat = await fs.stat(abs).catch(() => null);
    if (!stat) throw new KeelError('FILE_NOT_FOUND', `No such file or folder: ${target}`);
    if (!stat.isDirectory()) {
      out.files.push({ abs });
      continue;
    }
    const walked = await walkWorkspace([abs], { maxFileSizeBytes: options.maxFileSizeBytes, signal: options.signal });
    for (const f of walked.files) out.files.push({ abs: f.abs, root: abs });
    for (const s of walked.skipped) out.skipped.push({ ...s, abs: path.join(abs, s.path) });
  }
  return out;
}
