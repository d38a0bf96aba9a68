/**
 * Options that more than one command takes, documented and read in one place, so that two commands
 * spelling the same flag cannot drift apart in meaning, help text or error message.
 */
import * as path from 'node:path';
import { KeelError } from '../common/errors';
import type { OptionSpec, ParsedArgs } from './command';

/** A string option's value; node:util also hands back booleans and arrays, which mean "not given" here. */
export function stringArg(args: ParsedArgs, name: string): string | undefined {
  const value = args.values[name];
  return typeof value === 'string' ? value : undefined;
}

/** `--local-only`, or KEEL_LOCAL_ONLY=1/true in the environment. */
export function localOnlyArg(args: ParsedArgs, env: NodeJS.ProcessEnv): boolean {
  return args.values['local-only'] === true || env.KEEL_LOCAL_ONLY === '1' || env.KEEL_LOCAL_ONLY === 'true';
}

export const LEDGER_OPTION: OptionSpec = {
  type: 'string',
  description: 'Provenance ledger file (default: this work tree’s ledger in Keel’s state folder).',
};

/** `--ledger FILE` resolved against the working directory, as the request's optional `ledger` field. */
export function ledgerArg(args: ParsedArgs, cwd: string): { ledger?: string } {
  const ledger = stringArg(args, 'ledger');
  return ledger ? { ledger: path.resolve(cwd, ledger) } : {};
}

/** What the CI commands (`keel scan`, `keel review`) print: `--json` is `--format json`. */
const FORMATS = ['text', 'json', 'sarif'] as const;
export type ReportFormat = (typeof FORMATS)[number];

export const FORMAT_OPTION: OptionSpec = { type: 'string', description: 'Output format: text (default), json, sarif.' };

/**
 * `--fail-on` over a command's severities, given most severe first: any but the least severe, or
 * never; the most severe is the default.
 */
function failLevels(severities: readonly string[]): string[] {
  return [...severities.slice(0, -1), 'never'];
}

export function failOnOption(severities: readonly string[]): OptionSpec {
  const [first, ...rest] = failLevels(severities);
  return { type: 'string', description: `Exit 1 when a finding has this severity or worse: ${first} (default), ${rest.join(', ')}.` };
}

export interface ReportArgs<S extends string> {
  format: ReportFormat;
  failOn: S | 'never';
}

/** `--format` and `--fail-on`, checked against the command's severities (most severe first). */
export function reportArgs<S extends string>(args: ParsedArgs, severities: readonly S[]): ReportArgs<S> {
  const format = args.values.json === true ? 'json' : (args.values.format ?? 'text');
  if (typeof format !== 'string' || !(FORMATS as readonly string[]).includes(format)) {
    throw new KeelError('BAD_INPUT', `--format must be one of ${FORMATS.join(', ')} (got ${String(format)})`);
  }
  const failOn = args.values['fail-on'] ?? severities[0];
  const allowed = failLevels(severities);
  if (typeof failOn !== 'string' || !allowed.includes(failOn)) {
    throw new KeelError('BAD_INPUT', `--fail-on must be one of ${allowed.join(', ')} (got ${String(failOn)})`);
  }
  return { format: format as ReportFormat, failOn: failOn as S | 'never' };
}

/** The exit code of a CI command: 1 when a finding is at or above `--fail-on`. */
export function verdictExit<S extends string>(findings: readonly { severity: S }[], failOn: S | 'never', severities: readonly S[]): 0 | 1 {
  return failOn !== 'never' && findings.some((f) => severities.indexOf(f.severity) <= severities.indexOf(failOn)) ? 1 : 0;
}
