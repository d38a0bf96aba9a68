/**
 * `keel mcp [--dir DIR] [--store DIR]`: Keel's agent tools (src/engine/tools/) as a Model Context
 * Protocol server over stdio, for Claude Code, Cursor, VS Code, Copilot or any MCP client. The
 * engine runs in this process; stdout carries MCP messages only, logs go to stderr.
 *
 * Starting the server in a folder is what trusts it: the tools read only that folder, through the
 * same path policy as everywhere else (no secrets, no ignored files, nothing outside it).
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { createEngine } from '../../engine/createEngine';
import { call, type Engine } from '../../engine/engine';
import { KeelError, toKeelError } from '../../common/errors';
import { createLogger, type LogLevel } from '../../engine/log';
import { VERSION } from '../../engine/version';
import type { CliCommand } from '../command';
import { stringArg } from '../args';

const STATUS_URI = 'keel://index/status';
/** A search after this long re-syncs the index in the background (incremental: changed files only). */
const REFRESH_AFTER_MS = 30_000;
const INDEX_TOOLS = new Set(['search_code', 'find_symbol']);
const IDLE_MS = 1500;

const INSTRUCTIONS =
  'Keel indexes this repository locally (hybrid keyword + embedding search) and analyses its SQL. Use search_code to find where something is implemented, find_symbol to follow definitions and callers, read_code to read lines, sql_findings for SQL injection and N+1 problems with fixes. All tools are read-only; paths are relative to the workspace.';

export const mcpCommand: CliCommand = {
  name: 'mcp',
  summary: 'Serve Keel’s read-only tools to AI agents over MCP (stdio)',
  usage: 'keel mcp [--dir DIR] [--store DIR]',
  options: {
    dir: { type: 'string', description: 'Workspace folder the tools read (default: the current directory).' },
    store: { type: 'string', description: 'Index folder (default: a per-directory folder under the user cache dir).' },
  },
  async run(args, io) {
    const dir = path.resolve(io.cwd, stringArg(args, 'dir') ?? '.');
    const given = stringArg(args, 'store');
    const store = given === undefined ? undefined : path.resolve(io.cwd, given);
    const stat = await fs.stat(dir).catch(() => undefined);
    if (!stat?.isDirectory()) throw new KeelError('INVALID_PARAMS', `Not a folder: ${dir}`);
    const root = await fs.realpath(dir);

    const log = createLogger((level, message) => io.err(`[keel ${level}] ${message}\n`), (io.env.KEEL_LOG as LogLevel | undefined) ?? 'warn');
    const engine = createEngine({ host: 'stdio', log });
    const server = await createMcpServer(engine, { roots: [root], store });
    // Loaded here, not at the top: every other `keel` command would pay for the SDK at start-up.
    const { StdioServerTransport } = await import('@modelcontextprotocol/sdk/server/stdio.js');
    const transport = new StdioServerTransport();
    const closed = new Promise<void>((resolve) => {
      server.onclose = () => resolve();
      process.stdin.once('end', () => resolve());
      io.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await server.connect(transport);
    log.info(`keel mcp: serving ${root}`);
    await closed;
    await server.close().catch(() => undefined);
    await engine.shutdown();
    return 0;
  },
};

export interface McpScope {
  roots: string[];
  store?: string;
}

/** The MCP server over one engine; separate from the command so tests and benchmarks can host it. */
export async function createMcpServer(engine: Engine, scope: McpScope): Promise<Server> {
  const { Server } = await import('@modelcontextprotocol/sdk/server/index.js');
  const { CallToolRequestSchema, ListResourcesRequestSchema, ListToolsRequestSchema, ReadResourceRequestSchema } = await import('@modelcontextprotocol/sdk/types.js');
  const server = new Server(
    { name: 'keel', title: 'Keel', version: VERSION },
    { capabilities: { tools: {}, resources: {} }, instructions: INSTRUCTIONS },
  );
  const refresh = indexRefresher(engine, scope);

  server.setRequestHandler(ListToolsRequestSchema, async () => {
    const { tools } = await call(engine, 'tools/list', {});
    return {
      tools: tools.map((t) => ({
        name: t.name,
        title: t.title,
        description: t.description,
        inputSchema: t.inputSchema as { type: 'object' },
        outputSchema: t.outputSchema as { type: 'object' },
        annotations: { title: t.title, readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
      })),
    };
  });

  server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const { name, arguments: args } = request.params;
    try {
      if (INDEX_TOOLS.has(name)) await refresh(extra.signal);
      const started = performance.now();
      const cpu = process.cpuUsage();
      let result;
      try {
        result = await call(engine, 'tools/call', { name, arguments: args ?? {}, ...scope }, { signal: extra.signal });
      } finally {
        if (INDEX_TOOLS.has(name)) refresh.idle();
      }
      // The tool's own time inside the engine (wall and this process's CPU), so clients and bench:mcp
      // can tell it from transport time and from time other processes held the CPU.
      const used = process.cpuUsage(cpu);
      const engineMs = Math.round((performance.now() - started) * 100) / 100;
      const cpuMs = Math.round((used.user + used.system) / 10) / 100;
      return { content: [{ type: 'text', text: result.text }], structuredContent: result.structured, _meta: { keel: { engineMs, cpuMs } } };
    } catch (error) {
      // A failed call is a tool result the model can read and act on (MCP's isError), not a protocol error.
      const wire = toKeelError(error).toWire();
      return { content: [{ type: 'text', text: `${wire.code}: ${wire.message}` }], isError: true, _meta: { keelError: wire } };
    }
  });

  server.setRequestHandler(ListResourcesRequestSchema, async () => ({
    resources: [{ uri: STATUS_URI, name: 'index-status', title: 'Keel index status', description: 'What Keel has indexed in this workspace.', mimeType: 'application/json' }],
  }));

  server.setRequestHandler(ReadResourceRequestSchema, async (request, extra) => {
    if (request.params.uri !== STATUS_URI) throw new KeelError('INVALID_PARAMS', `Unknown resource: ${request.params.uri}`);
    const result = await call(engine, 'tools/call', { name: 'index_status', arguments: {}, ...scope }, { signal: extra.signal });
    return { contents: [{ uri: STATUS_URI, mimeType: 'application/json', text: JSON.stringify(result.structured) }] };
  });

  return server;
}

/**
 * Keeps a long-lived server's index current without making agents wait: the first look-up builds
 * (or catches up) the index and is awaited; afterwards the index is re-synced (incrementally) when
 * the server has been idle for IDLE_MS after a look-up and the last sync is older than
 * REFRESH_AFTER_MS — agents pause between calls while their model thinks, and a walk of a large
 * repository should not share the CPU with a search someone is waiting for.
 */
function indexRefresher(engine: Engine, scope: McpScope): ((signal: AbortSignal) => Promise<void>) & { idle(): void } {
  let first: Promise<unknown> | undefined;
  let running: Promise<unknown> | undefined;
  let lastSync = 0;
  let timer: NodeJS.Timeout | undefined;
  const sync = (signal?: AbortSignal): Promise<unknown> =>
    call(engine, 'index/build', { roots: scope.roots, store: scope.store }, { signal }).then(
      () => (lastSync = Date.now()),
      (error) => engine.log.warn(`index refresh failed: ${toKeelError(error).message}`),
    );
  const before = async (signal: AbortSignal): Promise<void> => {
    if (timer) clearTimeout(timer);
    if (!first) {
      first = sync(signal).finally(() => {
        if (signal.aborted) first = undefined; // a cancelled first build is retried by the next call
      });
    }
    await first;
  };
  return Object.assign(before, {
    idle(): void {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        if (!running && lastSync && Date.now() - lastSync > REFRESH_AFTER_MS) running = sync().finally(() => (running = undefined));
      }, IDLE_MS);
      timer.unref();
    },
  });
}
