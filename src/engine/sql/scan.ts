/**
 * Scan files and folders (`sql/scan`): folders are walked with the same ignore rules as the index
 * (.gitignore, .keelignore, default excludes), files of analysable languages are read with the
 * index's text normalisation, and every finding's path is made relative to `cwd`. Files are analysed
 * on worker threads when there are enough of them (scanPool.ts); findings keep the sorted file order.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { Finding, SkippedFile, SqlScanParams, SqlScanResult } from '../../protocol';
import { KeelError, throwIfCancelled } from '../../common/errors';
import { walkWorkspace } from '../workspace/walker';
import { sqlLanguageFor } from './analyze';
import { MAX_FILE_BYTES } from './scanFile';
import { runScanJobs, type ScanRunOptions } from './scanPool';

export async function scanPaths(params: SqlScanParams, signal?: AbortSignal, options: Omit<ScanRunOptions, 'signal'> = {}): Promise<SqlScanResult> {
  if (!params || typeof params.cwd !== 'string' || !Array.isArray(params.paths) || params.paths.some((p) => typeof p !== 'string')) {
    throw new KeelError('INVALID_PARAMS', 'sql/scan needs { paths: string[], cwd: string }');
  }
  const started = performance.now();
  const cwd = path.resolve(params.cwd);
  const targets = params.paths.length > 0 ? params.paths : ['.'];
  const files: string[] = [];
  const skipped: SkippedFile[] = [];
  for (const target of targets) {
    const abs = path.resolve(cwd, target);
    const stat = await fs.stat(abs).catch(() => null);
    if (!stat) throw new KeelError('FILE_NOT_FOUND', `No such file or folder: ${target}`);
    if (stat.isDirectory()) {
      const walked = await walkWorkspace([abs], { maxFileSizeBytes: MAX_FILE_BYTES, signal });
      for (const f of walked.files) if (sqlLanguageFor(f.abs)) files.push(f.abs);
      for (const s of walked.skipped) if (sqlLanguageFor(s.path)) skipped.push({ path: rel(cwd, path.join(abs, s.path)), reason: s.reason, kind: s.kind });
    } else if (sqlLanguageFor(abs)) files.push(abs);
  }
  const unique = [...new Set(files)].sort();
  const jobs = unique.map((abs) => ({ abs, shown: rel(cwd, abs), rules: params.rules }));
  const outcomes = await runScanJobs(jobs, { ...options, signal });
  const findings: Finding[] = [];
  let analysed = 0;
  for (const outcome of outcomes) {
    if (!outcome.ok) {
      skipped.push(outcome.skip);
      continue;
    }
    for (const f of outcome.findings) findings.push(f);
    analysed++;
  }
  return { findings, files: analysed, ms: Math.round(performance.now() - started), skipped };
}

function rel(cwd: string, abs: string): string {
  const r = path.relative(cwd, abs);
  return (r === '' ? '.' : r).split(path.sep).join('/');
}
