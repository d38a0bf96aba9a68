/**
 * `keel serve --stdio`: the engine as a long-running process speaking the protocol over stdin/stdout
 * with LSP-style Content-Length framing, so other editors can host Keel like a language server.
 */
import { createEngine } from '../../engine/createEngine';
import type { Engine } from '../../engine/engine';
import { KeelError } from '../../common/errors';
import { createLogger } from '../../engine/log';
import { serveEngine, type ServedEngine } from '../../engine/rpc/serveEngine';
import { streamTransport } from '../../common/rpc/stdioTransport';
import type { CliCommand } from '../command';

export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'Run the engine over stdio (JSON-RPC 2.0, Content-Length framing) for other editors',
  usage: 'keel serve --stdio',
  options: { stdio: { type: 'boolean', description: 'Speak the protocol on stdin/stdout (the only transport for now).' } },
  async run(args) {
    if (!args.values.stdio) throw new KeelError('INVALID_PARAMS', 'keel serve needs --stdio');
    return serveStdio();
  },
};

/** The engine on stdin/stdout until stdin closes. `setup` adds handlers first (tests' test-only methods). */
export async function serveStdio(setup?: (engine: Engine) => void): Promise<number> {
  const transport = streamTransport(process.stdin, process.stdout);
  // stdout carries protocol frames only: logs go to stderr and to `log` notifications.
  let served: ServedEngine | undefined;
  const log = createLogger((level, message) => {
    process.stderr.write(`[keel ${level}] ${message}\n`);
    served?.notify('log', { level, message });
  }, (process.env.KEEL_LOG as 'info') ?? 'info');
  const engine = createEngine({ host: 'stdio', log });
  setup?.(engine);
  const closed = new Promise<void>((resolve) => transport.reader.onClose(() => resolve()));
  // The answer to engine/shutdown is on its way out (stdout to a pipe is synchronous on POSIX).
  served = serveEngine(engine, transport, { onShutdown: () => process.exit(0) });
  await closed;
  await engine.shutdown();
  return 0;
}
