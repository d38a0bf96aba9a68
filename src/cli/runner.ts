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
import { KeelError, toKeelError } from '../common/errors';
import { timeoutSeconds } from '../engine/egress/service';
import { stderrLogger } from '../engine/log';
import type { CliCommand, CliIO, OptionSpec, ParsedArgs } from './command';
import { safeForTerminal, wantsMachineOutput } from './terminalText';

export const EXIT = { ok: 0, verdict: 1, usage: 2, error: 3 } as const;

/** What every command that may call a provider accepts, documented once. */
export const NETWORK_OPTIONS: Record<string, OptionSpec> = {
  'local-only': { type: 'boolean', description: 'Refuse every non-loopback connection (also KEEL_LOCAL_ONLY=1).' },
  timeout: {
    type: 'string',
    description: 'Seconds to wait for a provider to start answering, and at most between two parts of its answer (also KEEL_TIMEOUT_S; default 30).',
  },
};

/** A command's options as parsed and documented: its own, plus the network ones if it calls providers. */
export function optionsOf(command: CliCommand): Record<string, OptionSpec> {
  return command.network ? { ...NETWORK_OPTIONS, ...command.options } : command.options;
}

/** `--local-only` / `--timeout` as engine settings; they only ever tighten what the environment says. */
function networkSettings(command: CliCommand, args: ParsedArgs): Record<string, unknown> {
  if (!command.network) return {};
  const settings: Record<string, unknown> = {};
  if (args.values['local-only'] === true) settings['keel.localOnly'] = true;
  const given = args.values.timeout;
  if (given !== undefined) {
    const seconds = timeoutSeconds(given);
    if (seconds === undefined) throw new KeelError('INVALID_PARAMS', `--timeout needs a positive number of seconds, got "${String(given)}".`);
    settings['keel.llm.timeoutS'] = seconds;
  }
  return settings;
}

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
  // Text mode prints file text and model output: never let it drive the terminal.
  const text = !wantsMachineOutput(argv);
  const out = text ? (s: string) => runner.out(safeForTerminal(s)) : runner.out;
  const err = (s: string) => runner.err(safeForTerminal(s));
  let engine: Engine | undefined;
  try {
    const args = parse(command, argv);
    const settings = networkSettings(command, args);
    let ready: Promise<unknown> | undefined;
    const io: CliIO = {
      cwd: runner.cwd,
      env: runner.env,
      out,
      err,
      readStdin: runner.readStdin,
      signal: runner.signal,
      call: async (method, params, opts = {}) => {
        engine ??= createEngine({ host: 'in-process', log: stderrLogger() });
        const created = engine;
        ready ??= Object.keys(settings).length ? call(created, 'engine/configure', { settings }, { signal: runner.signal }) : Promise.resolve();
        await ready;
        return call(created, method, params, { signal: runner.signal, ...opts });
      },
    };
    return await command.run(args, io);
  } catch (error) {
    const keelError = toKeelError(error);
    if (keelError.code === 'INTERNAL' && runner.env.KEEL_LOG === 'debug') err(`${(error as Error)?.stack ?? error}\n`);
    if (json) runner.out(`${JSON.stringify({ error: keelError.toWire() })}\n`);
    else err(`keel ${command.name}: ${keelError.message} [${keelError.code}]\n`);
    return keelError.code === 'INVALID_PARAMS' || keelError.code === 'NOT_AVAILABLE' ? EXIT.usage : EXIT.error;
  } finally {
    await engine?.shutdown();
  }
}

function parse(command: CliCommand, argv: string[]): ParsedArgs {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {
    json: { type: 'boolean' },
  };
  for (const [name, spec] of Object.entries(optionsOf(command))) {
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
