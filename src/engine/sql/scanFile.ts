/**
 * One file of a workspace scan: read it with the index's guards and normalisation, analyse it, and
 * hand back its findings (or why it was skipped) together with the function summaries the analysis
 * recorded, so whichever thread ran it can pass them on to the engine's own summary cache.
 * Shared by the in-process scan and the scan worker threads (scanPool.ts), so both give the same bytes.
 */
import { readlinkSync } from 'node:fs';
import { workerData } from 'node:worker_threads';
import type { Finding, SkippedFile, SqlRuleSettings } from '../../protocol';
import { KeelError } from '../../common/errors';
import { readSourceFile, type SourceRead } from '../workspace/sourceFile';
import { parserFor, type GrammarLanguage } from '../syntax/treeSitter';
import { analyzeSource } from './analyze';
import { exportSummary, type SummaryEntry } from './summaries';

export const MAX_FILE_BYTES = 1024 * 1024;

export interface ScanJob {
  abs: string;
  /** The path findings carry (relative to the scan's cwd). */
  shown: string;
  rules?: SqlRuleSettings;
}

export type ScanOutcome =
  | { ok: true; findings: Finding[]; summary?: SummaryEntry }
  | { ok: false; skip: SkippedFile };

/** A failure that ends the whole scan, as it did before scans ran on threads. */
export interface ScanFailure {
  code: string;
  message: string;
}

export function readJob(job: ScanJob): Promise<SourceRead> {
  return readSourceFile(job.abs, MAX_FILE_BYTES);
}

export async function analyseRead(job: ScanJob, read: SourceRead, withSummary: boolean): Promise<ScanOutcome> {
  if (!read.ok) return { ok: false, skip: { path: job.shown, reason: read.reason, kind: read.kind } };
  const findings = await analyzeSource({ path: job.shown, text: read.text, rules: job.rules }, { absPath: job.abs, seedSummaries: true });
  return withSummary ? { ok: true, findings, summary: exportSummary(job.abs) } : { ok: true, findings };
}

export function toFailure(error: unknown): ScanFailure {
  if (error instanceof KeelError) return { code: error.code, message: error.message };
  return { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
}

/** On a scan worker: load the grammars the pool said the scan needs (`workerData.languages`). */
export async function loadGrammarsForScan(): Promise<void> {
  const languages = (workerData as { languages?: GrammarLanguage[] } | null)?.languages ?? [];
  await Promise.all(languages.map((l) => parserFor(l).catch(() => undefined)));
}

/**
 * Where the calling thread's CPU counters are (Linux: /proc/<pid>/task/<tid>/stat), so the pool can
 * charge a file the CPU time its worker spent on it: wall time on a loaded machine says nothing about
 * a file. Undefined elsewhere (the pool then falls back to wall time).
 */
export function threadStatPath(): string | undefined {
  try {
    return `/proc/${readlinkSync('/proc/thread-self')}/stat`;
  } catch {
    return undefined;
  }
}
