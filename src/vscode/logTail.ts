/**
 * The Keel output channel with a memory of its last lines. The channel itself cannot be read back by
 * an extension, and what it says is part of the product ("a failed call shows up in the log", "each
 * index run is logged once"), so host tests read the tail through Keel's API.
 */
import type * as vscode from 'vscode';

const LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'appendLine']);

export interface LogTail {
  readonly log: vscode.LogOutputChannel;
  /** The last lines written, oldest first, as `[level] message`. */
  readonly lines: readonly string[];
}

export function withTail(channel: vscode.LogOutputChannel, size = 500): LogTail {
  const lines: string[] = [];
  const log = new Proxy(channel, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      if (typeof property !== 'string' || !LEVELS.has(property)) return value.bind(target);
      return (message: unknown, ...rest: unknown[]) => {
        lines.push(`[${property === 'appendLine' ? 'info' : property}] ${message instanceof Error ? message.message : String(message)}`);
        if (lines.length > size) lines.splice(0, lines.length - size);
        return (value as (...args: unknown[]) => unknown).call(target, message, ...rest);
      };
    },
  });
  return { log, lines };
}
