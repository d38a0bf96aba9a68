/**
 * The shape of one `keel` subcommand. Each lives in its own file under commands/ and is listed in
 * commands/index.ts. Commands talk to the engine only through protocol requests (`io.call`), exactly
 * as the extension does, so the CLI exercises the same code paths users get in the editor.
 */
import type { ChunkOf, EngineNotificationMap, ParamsOf, RequestMethod, ResultOf } from '../protocol';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  description: string;
}

export interface ParsedArgs {
  positionals: string[];
  values: Record<string, string | boolean | string[] | undefined>;
}

export interface CliIO {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Write to stdout (data). Human text and JSON both go here; logs and progress go to stderr. */
  out(text: string): void;
  /** Write to stderr (progress, warnings, human-readable errors). */
  err(text: string): void;
  /** Read all of stdin (for `keel embed`). */
  readStdin(): Promise<Buffer>;
  /** Call the engine (in-process). The engine is created lazily on first call. */
  call<M extends RequestMethod>(
    method: M,
    params: ParamsOf<M>,
    opts?: { onChunk?: (chunk: ChunkOf<M>) => void; onNotify?: <N extends keyof EngineNotificationMap>(m: N, p: EngineNotificationMap[N]) => void },
  ): Promise<ResultOf<M>>;
  /** Aborted on SIGINT. */
  readonly signal: AbortSignal;
}

export interface CliCommand {
  name: string;
  summary: string;
  usage: string;
  options: Record<string, OptionSpec>;
  /** Reject unknown options (default true). Placeholders accept anything so they can say "not yet". */
  strictArgs?: boolean;
  /**
   * The command may call a provider (chat, an API embedder or re-ranker): it takes `--local-only` and
   * `--timeout <s>` (runner.ts), applied to the engine before its first request.
   */
  network?: boolean;
  /** Returns the process exit code. Throw a KeelError for coded failures (printed by the runner). */
  run(args: ParsedArgs, io: CliIO): Promise<number>;
}
