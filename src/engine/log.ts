/**
 * Engine logging. The engine never writes to stdout itself (stdout is the protocol channel for
 * `keel serve --stdio` and the data channel for `keel … --json`); logs go to a sink chosen by the host:
 * `log` notifications for the extension (shown in the Keel LogOutputChannel), stderr for the CLI.
 */

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const ORDER: Record<LogLevel, number> = { trace: 0, debug: 1, info: 2, warn: 3, error: 4 };

export function createLogger(sink: (level: LogLevel, message: string) => void, minLevel: LogLevel = 'info'): Logger {
  const at = (level: LogLevel) => (message: string) => {
    if (ORDER[level] >= ORDER[minLevel]) sink(level, message);
  };
  return { trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export const silentLogger: Logger = createLogger(() => undefined, 'error');

/** For the CLI: human-readable lines on stderr, quiet unless KEEL_LOG asks for more. */
export function stderrLogger(): Logger {
  const level = (process.env.KEEL_LOG as LogLevel | undefined) ?? 'warn';
  return createLogger((lvl, msg) => process.stderr.write(`[keel ${lvl}] ${msg}\n`), ORDER[level] !== undefined ? level : 'warn');
}
