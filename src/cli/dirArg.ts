/**
 * Where a command's code and index are, spelled the same way by every command: the directory is the
 * first positional argument or `--dir DIR` (only `--dir` for `keel search` and `keel ask`, whose
 * positional is the query), default the current directory — two different ones are an error, not a
 * silent pick; `--store DIR` names the index folder itself.
 */
import * as path from 'node:path';
import { KeelError } from '../common/errors';
import { stringArg } from './args';
import type { OptionSpec, ParsedArgs } from './command';

export function dirOption(what: string, positional = true): OptionSpec {
  return { type: 'string', description: `Directory to ${what} (${positional ? 'or give it as the first argument; ' : ''}default: the current directory).` };
}

export const STORE_OPTION: OptionSpec = {
  type: 'string',
  description: 'Index folder (default: a per-directory folder under the user cache dir), or a team store: postgres://… or `postgres` (URL from KEEL_INDEX_STORE_URL / KEEL_DATABASE_URL).',
};

/** `--store DIR` resolved against the working directory; a team store URL (or `postgres`) as given; undefined for the default. */
export function storeArg(args: ParsedArgs, cwd: string): string | undefined {
  const store = stringArg(args, 'store');
  if (store === undefined) return undefined;
  if (/^postgres(ql)?:\/\//i.test(store) || store === 'postgres' || store === 'postgresql') return store;
  return path.resolve(cwd, store);
}

export function directoryArg(args: ParsedArgs, cwd: string): string {
  const given = stringArg(args, 'dir');
  const positional = args.positionals[0];
  if (given !== undefined && positional !== undefined && path.resolve(cwd, given) !== path.resolve(cwd, positional)) {
    throw new KeelError('INVALID_PARAMS', `Two directories given (${positional} and --dir ${given}); give one.`);
  }
  return path.resolve(cwd, given ?? positional ?? '.');
}
