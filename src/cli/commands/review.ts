/**
 * `keel review [<git-range>] [--format text|json|sarif] [--fail-on high|medium|never]`: the blast
 * radius of a git change. Default: the staged change, else the last commit. `--format json` is
 * `{ hunks: [{ path, startLine, endLine, areas, aiGenerated, testsTouched }], findings: [{ path, line,
 * severity, code, message }] }` (a contract: extend only). Exit code 1 when a finding is at or above
 * `--fail-on` (default: high), as `keel scan` does.
 */
import type { ReviewResult, ReviewSeverity } from '../../protocol';
import { KeelError } from '../../common/errors';
import { reviewToSarif } from '../../engine/review/sarif';
import { VERSION } from '../../engine/version';
import type { CliCommand } from '../command';
import { failOnOption, FORMAT_OPTION, LEDGER_OPTION, ledgerArg, reportArgs, verdictExit } from '../args';

const SEVERITIES: readonly ReviewSeverity[] = ['high', 'medium', 'low'];

export const reviewCommand: CliCommand = {
  name: 'review',
  summary: 'Review a git change by blast radius (auth, payments, personal data…)',
  usage: 'keel review [<git-range>] [--format text|json|sarif] [--fail-on high|medium|never] [--no-model]',
  network: true,
  options: {
    format: FORMAT_OPTION,
    'fail-on': failOnOption(SEVERITIES),
    'no-model': { type: 'boolean', description: 'Do not ask the reasoning model about untested high-radius hunks.' },
    ledger: LEDGER_OPTION,
  },
  async run(args, io) {
    const { format, failOn } = reportArgs(args, SEVERITIES);
    if (args.positionals.length > 1) throw new KeelError('BAD_INPUT', 'keel review takes one git range.');
    const result = await io.call('review/run', {
      cwd: io.cwd,
      range: args.positionals[0],
      ...(args.values['no-model'] === true ? { llm: false } : {}),
      ...ledgerArg(args, io.cwd),
    });
    if (result.modelSkipped) io.err(`model review skipped: ${result.modelSkipped}\n`);
    if (format === 'json') io.out(`${JSON.stringify(jsonShape(result), null, 2)}\n`);
    else if (format === 'sarif') io.out(`${JSON.stringify(reviewToSarif(result, VERSION), null, 2)}\n`);
    else io.out(renderText(result));
    return verdictExit(result.findings, failOn, SEVERITIES);
  },
};

/** The documented JSON contract, in its documented key order; extra detail (evidence) rides along after it. */
function jsonShape(r: ReviewResult): Record<string, unknown> {
  return {
    hunks: r.hunks.map((h) => ({
      path: h.path, startLine: h.startLine, endLine: h.endLine, areas: h.areas, aiGenerated: h.aiGenerated, testsTouched: h.testsTouched,
      evidence: h.evidence, symbols: h.symbols, tests: h.tests, provenance: h.provenance,
    })),
    findings: r.findings.map((f) => ({
      path: f.path, line: f.line, severity: f.severity, code: f.code, message: f.message,
      ...(f.rationale !== undefined ? { rationale: f.rationale } : {}),
      ...(f.suggestedTest !== undefined ? { suggestedTest: f.suggestedTest } : {}),
    })),
    range: r.range,
    ...(r.model ? { model: r.model } : {}),
  };
}

function renderText(r: ReviewResult): string {
  const out: string[] = [`Review of ${r.range}: ${r.hunks.length} hunk${r.hunks.length === 1 ? '' : 's'}`];
  for (const h of r.hunks) {
    const flags = [h.areas.length ? h.areas.join(', ') : 'no sensitive area', h.aiGenerated ? 'AI-written' : '', h.testsTouched ? 'tests touched' : 'no tests'].filter(Boolean);
    out.push(`  ${h.path}:${h.startLine}-${h.endLine}  ${flags.join(' · ')}`);
    for (const e of h.evidence) out.push(`      ${e.area}: ${e.kind} ${e.line ? `line ${e.line}: ` : ''}${e.text}`);
  }
  for (const f of r.findings) {
    out.push(`${f.path}:${f.line}  ${f.severity.padEnd(6)}  ${f.code}  ${f.message}`);
    if (f.suggestedTest) out.push(`      suggested test: ${f.suggestedTest}`);
  }
  if (r.model) out.push(`Model review: ${r.model.provider}/${r.model.model} (${r.model.tier}) on ${r.model.hunks} hunk(s), $${r.model.costUsd.toFixed(4)}`);
  out.push(r.findings.length === 0 ? 'No findings' : `${r.findings.length} finding${r.findings.length === 1 ? '' : 's'}`);
  return `${out.join('\n')}\n`;
}
