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
import { failOnOption, FORMAT_OPTION, reportArgs, verdictExit } from '../args';

const SEVERITIES: readonly FindingSeverity[] = ['error', 'warning', 'info'];

export const scanCommand: CliCommand = {
  name: 'scan',
  summary: 'Find N+1 queries and unsafe SQL',
  usage: 'keel scan [paths…] [--format text|json|sarif] [--fail-on error|warning|never]',
  options: {
    format: FORMAT_OPTION,
    'fail-on': failOnOption(SEVERITIES),
  },
  async run(args, io) {
    const { format, failOn } = reportArgs(args, SEVERITIES);
    const result = await io.call('sql/scan', { paths: args.positionals, cwd: io.cwd });
    const extra = await scanCategories(io, args.positionals);
    result.findings.push(...extra.findings);
    for (const s of result.skipped) io.err(`skipped ${s.path}: ${s.reason}\n`);
    if (format === 'json') io.out(`${JSON.stringify(result.findings, null, 2)}\n`);
    else if (format === 'sarif') io.out(`${JSON.stringify(extra.sarif(toSarif(result.findings, VERSION)), null, 2)}\n`);
    else io.out(renderText(result.findings, result.files, result.ms));
    return verdictExit(result.findings, failOn, SEVERITIES);
  },
};

function renderText(findings: readonly Finding[], files: number, ms: number): string {
  const lines = findings.map((f) => `${f.path}:${f.line}:${f.column}  ${f.severity.padEnd(7)}  ${f.code}  ${f.message}`);
  const counts = (['error', 'warning', 'info'] as const).map((s) => `${findings.filter((f) => f.severity === s).length} ${s}`).join(', ');
  lines.push(`${findings.length === 0 ? 'No findings' : `${findings.length} finding${findings.length === 1 ? '' : 's'} (${counts})`} in ${files} file${files === 1 ? '' : 's'} (${ms} ms)`);
  return `${lines.join('\n')}\n`;
}
