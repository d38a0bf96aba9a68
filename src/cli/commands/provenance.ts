/**
 * `keel provenance [--since DATE] [--path GLOB] [--json|--csv]`: the ledger of AI-written code Keel put
 * into this work tree, and which lines at HEAD still carry it. Exit code 1 when the ledger's hash chain
 * is broken (a line was edited, removed or reordered), so CI can gate on it.
 */
import type { ProvenanceReport } from '../../protocol';
import { KeelError } from '../../common/errors';
import type { CliCommand } from '../command';
import { LEDGER_OPTION, ledgerArg, stringArg } from '../args';

export const provenanceCommand: CliCommand = {
  name: 'provenance',
  summary: 'Show which code AI wrote (the provenance ledger) and where it is at HEAD',
  usage: 'keel provenance [--since DATE] [--path GLOB] [--json|--csv]',
  options: {
    since: { type: 'string', description: 'Only entries recorded at or after this date (ISO 8601).' },
    path: { type: 'string', description: 'Only files matching this glob (repository-relative).' },
    csv: { type: 'boolean', description: 'One CSV row per ledger entry.' },
    ledger: LEDGER_OPTION,
  },
  async run(args, io) {
    if (args.values.json === true && args.values.csv === true) throw new KeelError('BAD_INPUT', 'Choose one of --json and --csv.');
    const since = stringArg(args, 'since');
    const glob = stringArg(args, 'path');
    const report = await io.call('provenance/report', { root: io.cwd, ...(since ? { since } : {}), ...(glob ? { path: glob } : {}), ...ledgerArg(args, io.cwd) });
    if (!report.integrity.ok) io.err(`provenance ledger integrity broken at line ${report.integrity.brokenAt}: ${report.integrity.problem}\n`);
    if (args.values.json === true) io.out(`${JSON.stringify(report, null, 2)}\n`);
    else if (args.values.csv === true) io.out(toCsv(report));
    else io.out(renderText(report));
    return report.integrity.ok ? 0 : 1;
  },
};

/** Line numbers as compact ranges: 3,4,5,9 → 3-5,9. */
export function ranges(lines: readonly number[]): string {
  const sorted = [...lines].sort((a, b) => a - b);
  const out: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    out.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j;
  }
  return out.join(',');
}

function headLinesOf(report: ProvenanceReport, id: string): string {
  const byPath = new Map<string, number[]>();
  for (const l of report.lines) if (l.entry === id) byPath.set(l.path, [...(byPath.get(l.path) ?? []), l.line]);
  return [...byPath.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([p, ls]) => `${p}:${ranges(ls)}`).join(';');
}

const CSV_COLUMNS = ['id', 'time', 'kind', 'path', 'startLine', 'endLine', 'gitUser', 'feature', 'provider', 'model', 'tier', 'requestId', 'promptHash', 'textHash', 'areas', 'headLines'] as const;

function csvCell(v: string): string {
  // A leading = + - @ would run as a formula in a spreadsheet.
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function toCsv(report: ProvenanceReport): string {
  const rows = [CSV_COLUMNS.join(',')];
  for (const e of report.entries) {
    const cells: Record<(typeof CSV_COLUMNS)[number], string> = {
      id: e.id, time: e.time, kind: e.kind, path: e.path, startLine: String(e.startLine), endLine: String(e.endLine), gitUser: e.gitUser,
      feature: e.feature, provider: e.provider, model: e.model, tier: e.tier, requestId: e.requestId, promptHash: e.promptHash, textHash: e.textHash,
      areas: (e.areas ?? []).join(' '), headLines: headLinesOf(report, e.id),
    };
    rows.push(CSV_COLUMNS.map((c) => csvCell(cells[c])).join(','));
  }
  return `${rows.join('\n')}\n`;
}

function renderText(report: ProvenanceReport): string {
  const out: string[] = [`Provenance ledger ${report.ledger}: ${report.entries.length} entr${report.entries.length === 1 ? 'y' : 'ies'}, chain ${report.integrity.ok ? 'intact' : `BROKEN at line ${report.integrity.brokenAt}`}`];
  for (const e of report.entries) {
    const where = e.kind === 'acknowledgement' ? `acknowledged ${(e.areas ?? []).join(', ')}` : `${e.provider}/${e.model} (${e.tier})`;
    out.push(`  ${e.id}  ${e.time}  ${e.path}:${e.startLine}-${e.endLine}  ${e.feature}  ${where}  ${e.gitUser}`);
    const at = headLinesOf(report, e.id);
    if (e.kind === 'ai-write') out.push(`      at HEAD: ${at || 'no lines left'}`);
  }
  out.push(`${report.lines.length} line${report.lines.length === 1 ? '' : 's'} at HEAD ${report.head ? report.head.slice(0, 12) : '(no commits)'} carry AI-written text`);
  return `${out.join('\n')}\n`;
}
