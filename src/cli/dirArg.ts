/**
 * The directory a command works on, spelled the same way everywhere: the first positional argument
 * or `--dir DIR` (as `keel search` and `keel ask`, whose positional is the query), default the current
 * directory. Two different directories are an error, not a silent pick.
 */
import * as path from 'node:path';
import { KeelError } from '../engine/errors';
import type { OptionSpec, ParsedArgs } from './command';

export function dirOption(what: string): OptionSpec {
  return { type: 'string', description: `Directory to ${what} (or give it as the first argument; default: the current directory).` };
}

export function directoryArg(args: ParsedArgs, cwd: string): string {
  const given = typeof args.values.dir === 'string' ? args.values.dir : undefined;
  const positional = args.positionals[0];
  if (given !== undefined && positional !== undefined && path.resolve(cwd, given) !== path.resolve(cwd, positional)) {
    throw new KeelError('INVALID_PARAMS', `Two directories given (${positional} and --dir ${given}); give one.`);
  }
  return path.resolve(cwd, given ?? positional ?? '.');
}
