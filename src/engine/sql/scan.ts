/**
 * Scan files and folders (`sql/scan`): folders are walked with the same ignore rules as the index
 * (.gitignore, .keelignore, default excludes), files of analysable languages are read with the
 * index's text normalisation, and every finding's path is made relative to `cwd`. Files are analysed
 * on worker threads when there are enough of them (scanPool.ts); findings keep the sorted file order.
 */
import * as path from 'node:path';
import type { Finding, SkippedFile, SqlScanParams, SqlScanResult } from '../../protocol';
import { KeelError, throwIfCancelled } from '../../common/errors';
import { expandTargets } from '../workspace/targets';
import { sqlLanguageFor } from './analyze';
import { MAX_FILE_BYTES } from './scanFile';
import { runScanJobs, type ScanRunOptions } from './scanPool';

export async function scanPaths(params: SqlScanParams, signal?: AbortSignal, options: Omit<ScanRunOptions, 'signal'> = {}): Promise<SqlScanResult> {
  if (!params || typeof params.cwd !== 'string' || !Array.isArray(params.paths) || params.paths.some((p) => typeof p !== 'string')) {
    throw new KeelError('INVALID_PARAMS', 'sql/scan needs { paths: string[], cwd: string }');
  }
  const started = performance.now();
  const cwd = path.resolve(params.cwd);
  const targets = await expandTargets(cwd, params.paths, { maxFileSizeBytes: MAX_FILE_BYTES, signal });
  const files = targets.files.filter((f) => sqlLanguageFor(f.abs)).map((f) => f.abs);
  const skipped: SkippedFile[] = targets.skipped.filter((s) => sqlLanguageFor(s.path)).map((s) => ({ path: rel(cwd, s.abs), reason: s.reason, kind: s.kind }));
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
