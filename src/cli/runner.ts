/**
 * Runs one `keel` invocation: parses arguments against the command's option specs, creates the
 * engine in-process on first use, prints coded errors (JSON with --json, one human line otherwise) and
 * maps outcomes to exit codes. Never prints a stack trace to users (KEEL_LOG=debug shows them on stderr).
 *
 * Exit codes: 0 success · 1 the command's own failing verdict (e.g. `keel scan` found problems)
 * · 2 usage error or feature not available · 3 runtime error (see the printed code).
 */
import { parseArgs } from 'node:util';
import { call, type Engine } from '../engine/engine';
import { createEngine } from '../engine/createEngine';
import { KeelError, toKeelError } from '../engine/errors';
import { stderrLogger } from '../engine/log';
import type { CliCommand, CliIO, ParsedArgs } from './command';

export const EXIT = { ok: 0, verdict: 1, usage: 2, error: 3 } as const;

export interface RunnerEnv {
  argv: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  out(text: string): void;
  err(text: string): void;
  readStdin(): Promise<Buffer>;
  signal: AbortSignal;
}

export async function runCommand(command: CliCommand, argv: string[], runner: RunnerEnv): Promise<number> {
  const json = argv.includes('--json');
  let engine: Engine | undefined;
  try {
    const args = parse(command, argv);
    const io: CliIO = {
      cwd: runner.cwd,
      env: runner.env,
      out: runner.out,
      err: runner.err,
      readStdin: runner.readStdin,
      signal: runner.signal,
      call: (method, params, opts = {}) => {
        engine ??= createEngine({ host: 'in-process', log: stderrLogger() });
        return call(engine, method, params, { signal: runner.signal, ...opts });
      },
    };
    return await command.run(args, io);
  } catch (error) {
    const keelError = toKeelError(error);
    if (keelError.code === 'INTERNAL' && runner.env.KEEL_LOG === 'debug') runner.err(`${(error as Error)?.stack ?? error}\n`);
    if (json) runner.out(`${JSON.stringify({ error: keelError.toWire() })}\n`);
    else runner.err(`keel ${command.name}: ${keelError.message} [${keelError.code}]\n`);
    return keelError.code === 'INVALID_PARAMS' || keelError.code === 'NOT_AVAILABLE' ? EXIT.usage : EXIT.error;
  } finally {
    await engine?.shutdown();
  }
}

function parse(command: CliCommand, argv: string[]): ParsedArgs {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {
    json: { type: 'boolean' },
  };
  for (const [name, spec] of Object.entries(command.options)) {
    options[name] = { type: spec.type, ...(spec.short ? { short: spec.short } : {}), ...(spec.multiple ? { multiple: true } : {}) };
  }
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: command.strictArgs !== false });
    return { values: values as ParsedArgs['values'], positionals };
  } catch (error) {
    // node:util's messages explain its own syntax ("place it after '--'"); say what the user needs instead.
    const e = error as Error & { code?: string };
    const unknown = e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? /'(-{1,2}[^']+)'/.exec(e.message)?.[1] : undefined;
    const message = unknown ? `keel ${command.name} has no option ${unknown}.` : e.message;
    throw new KeelError('INVALID_PARAMS', `${message}\nusage: ${command.usage}`);
  }
}
