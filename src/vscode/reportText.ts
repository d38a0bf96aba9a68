/**
 * The text of Keel's read-only reports (Index Status, Egress Log) as pure functions of the engine's
 * answers, with no `vscode` import, so what a user reads is unit-tested against protocol shapes.
 */
import type { EgressLogEntry, IndexStatus } from '../protocol';

/** A cell never breaks the table it sits in: pipes and newlines in paths or hosts are escaped. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

export function renderIndexStatus(status: IndexStatus): string {
  const lines = [
    '# Keel index',
    '',
    '| | |',
    '|---|---|',
    `| roots | ${status.roots.map(cell).join('<br>') || '—'} |`,
    `| files | ${status.files.toLocaleString()} |`,
    `| chunks | ${status.chunks.toLocaleString()} |`,
    `| size on disk | ${(status.bytes / 1024 / 1024).toFixed(2)} MB |`,
    `| embedder | ${status.embedder ?? '—'} |`,
    `| last update | ${status.lastUpdated ?? 'never'} |`,
    `| store | \`${cell(status.store)}\` |`,
    '',
    `## Skipped files (${status.skipped.length})`,
    '',
  ];
  if (!status.skipped.length) lines.push('None.');
  else {
    const byDefault = status.skipped.filter((s) => s.kind === 'vendored' || s.kind === 'generated').length;
    if (byDefault) lines.push(`${byDefault} vendored, minified or generated (skipped by default; the setting \`keel.index.includeGenerated\` indexes them).`, '');
    lines.push('| file | reason |', '|---|---|');
    for (const s of status.skipped.slice(0, 500)) lines.push(`| \`${cell(s.path)}\` | ${cell(s.reason)} |`);
    if (status.skipped.length > 500) lines.push(`| … | ${status.skipped.length - 500} more |`);
  }
  return `${lines.join('\n')}\n`;
}

export function renderEgressLog(entries: readonly EgressLogEntry[], localOnly: boolean, file: string | null): string {
  const lines = [
    '# Keel egress log',
    '',
    `Local-only mode: **${localOnly ? 'on' : 'off'}**. ${entries.length} most recent outbound calls, newest last. Payloads and keys are never recorded.`,
    file ? `\nFile: \`${cell(file)}\`` : '',
    '',
    '| time | provider | host | model | purpose | bytes | tokens in/out | redactions | files | outcome |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const e of entries) {
    const tokens = e.tokens ? `${e.tokens.input + e.tokens.cacheRead + e.tokens.cacheWrite}/${e.tokens.output}` : '—';
    const files = e.files.length ? e.files.slice(0, 5).map((f) => `\`${cell(f)}\``).join(', ') + (e.files.length > 5 ? ` +${e.files.length - 5}` : '') : '—';
    lines.push(`| ${e.time} | ${e.provider} | ${cell(e.host)} | ${cell(e.model ?? '—')} | ${e.purpose} | ${e.bytes} | ${tokens} | ${e.redactions} | ${files} | ${cell(e.outcome)} |`);
  }
  if (!entries.length) lines.push('| — | | | | | | | | | nothing has left this machine |');
  return `${lines.join('\n')}\n`;
}

/** One line for the end of `Keel: Index Workspace`. */
export function summaryText(s: { files: number; chunks: number; skipped: number; ms: number }): string {
  const seconds = s.ms < 1000 ? `${Math.max(0, Math.round(s.ms))} ms` : `${(s.ms / 1000).toFixed(1)} s`;
  const skipped = s.skipped ? `, ${s.skipped.toLocaleString()} skipped` : '';
  return `indexed ${s.files.toLocaleString()} file${s.files === 1 ? '' : 's'} → ${s.chunks.toLocaleString()} chunk${s.chunks === 1 ? '' : 's'} in ${seconds}${skipped}.`;
}

const PHASES: Record<string, string> = { walk: 'Finding files', chunk: 'Reading and chunking', embed: 'Embedding', write: 'Writing the index', done: 'Done' };

/** The progress notification's message for one engine progress report. */
export function progressText(p: { phase: string; done: number; total: number; message?: string }): string {
  const what = PHASES[p.phase] ?? p.phase;
  return p.total > 0 ? `${what} ${p.done.toLocaleString()}/${p.total.toLocaleString()}` : what;
}
