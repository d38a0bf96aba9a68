/**
 * The database options `keel explain` and `keel sql` share, spelled and checked once: the schema's
 * workspace, a dev database URL (else KEEL_DATABASE_URL, else the embedded rehearsal) and the
 * rehearsal's scale.
 */
import * as path from 'node:path';
import { KeelError } from '../common/errors';
import type { OptionSpec, ParsedArgs } from './command';

export const DB_OPTIONS: Record<string, OptionSpec> = {
  dir: { type: 'string', description: 'Workspace whose schema is used (default: the current directory).' },
  db: { type: 'string', description: 'PostgreSQL URL of a dev database (default: KEEL_DATABASE_URL, else the embedded rehearsal).' },
  rows: { type: 'string', description: 'Rows in the largest table of the embedded rehearsal (default 1000000).' },
};

export interface DbArgs {
  root: string;
  db?: string;
  rows?: number;
}

export function dbArgs(args: ParsedArgs, cwd: string, env: NodeJS.ProcessEnv): DbArgs {
  const given = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v : undefined);
  const rows = positiveNumber(args.values.rows, '--rows');
  const db = given(args.values.db) ?? given(env.KEEL_DATABASE_URL);
  return { root: path.resolve(cwd, given(args.values.dir) ?? '.'), ...(db ? { db } : {}), ...(rows ? { rows } : {}) };
}

export function positiveNumber(v: unknown, name: string): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new KeelError('INVALID_PARAMS', `${name} must be a positive number.`);
  return n;
}
