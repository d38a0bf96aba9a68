/**
 * `keel scan [paths…] [--format text|json|sarif] [--fail-on error|warning|never]`: SQL injection,
 * N+1 and unsafe-statement findings for CI. `--json` is `--format json` (the array of findings,
 * paths relative to the current directory); `--format sarif` is SARIF 2.1.0 for GitHub code
 * scanning. Exit code 1 when a finding is at or above `--fail-on` (default: error).
 */
import type { Finding, FindingSeverity } from '../../protocol';
import { KeelError } from '../../common/errors';
import { toSarif } from '../../engine/sql/sarif';
import { scanCategories } from '../scanCategories';
import { VERSION } from '../../engine/version';
import type { CliCommand } from '../command';

const FORMATS = ['text', 'json', 'sarif'] as const;
const FAIL_ON = ['error', 'warning', 'never'] as const;
const RANK: Record<FindingSeverity, number> = { info: 0, warning: 1, error: 2 };

export const scanCommand: CliCommand = {
  name: 'scan',
  summary: 'Find N+1 queries and unsafe SQL',
  usage: 'keel scan [paths…] [--format text|json|sarif] [--fail-on error|warning|never]',
  options: {
    format: { type: 'string', description: 'Output format: text (default), json, sarif.' },
    'fail-on': { type: 'string', description: 'Exit 1 when a finding has this severity or worse: error (default), warning, never.' },
  },
  async run(args, io) {
    const format = args.values.json === true ? 'json' : (args.values.format ?? 'text');
    if (typeof format !== 'string' || !(FORMATS as readonly string[]).includes(format)) {
      throw new KeelError('BAD_INPUT', `--format must be one of ${FORMATS.join(', ')} (got ${String(format)})`);
    }
    const failOn = args.values['fail-on'] ?? 'error';
    if (typeof failOn !== 'string' || !(FAIL_ON as readonly string[]).includes(failOn)) {
      throw new KeelError('BAD_INPUT', `--fail-on must be one of ${FAIL_ON.join(', ')} (got ${String(failOn)})`);
    }
    const result = await io.call('sql/scan', { paths: args.positionals, cwd: io.cwd });
    const extra = await scanCategories(io, args.positionals);
    result.findings.push(...extra.findings);
    for (const s of result.skipped) io.err(`skipped ${s.path}: ${s.reason}\n`);
    if (format === 'json') io.out(`${JSON.stringify(result.findings, null, 2)}\n`);
    else if (format === 'sarif') io.out(`${JSON.stringify(extra.sarif(toSarif(result.findings, VERSION)), null, 2)}\n`);
    else io.out(renderText(result.findings, result.files, result.ms));
    return failOn !== 'never' && result.findings.some((f) => RANK[f.severity] >= RANK[failOn as FindingSeverity]) ? 1 : 0;
  },
};

function renderText(findings: readonly Finding[], files: number, ms: number): string {
  const lines = findings.map((f) => `${f.path}:${f.line}:${f.column}  ${f.severity.padEnd(7)}  ${f.code}  ${f.message}`);
  const counts = (['error', 'warning', 'info'] as const).map((s) => `${findings.filter((f) => f.severity === s).length} ${s}`).join(', ');
  lines.push(`${findings.length === 0 ? 'No findings' : `${findings.length} finding${findings.length === 1 ? '' : 's'} (${counts})`} in ${files} file${files === 1 ? '' : 's'} (${ms} ms)`);
  return `${lines.join('\n')}\n`;
}
