/** Run the `keel` CLI from source (same code as dist/cli.js) in a child process. */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '../..');
// The same entry as the shipped dist/cli.js: the CLI on the main thread.
const MAIN = path.join(REPO_ROOT, 'src', 'keel.ts');
const TSX = require.resolve('tsx/cjs');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runKeel(args: string[], options: { cwd?: string; input?: string | Buffer; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): CliResult {
  const result = spawnSync(process.execPath, ['--require', TSX, MAIN, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    input: options.input,
    env: { ...process.env, ...options.env },
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

export function spawnKeel(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['--require', TSX, MAIN, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...process.env, ...options.env },
    stdio: 'pipe',
  });
}

/** `runKeel` without blocking the event loop: for tests whose CLI talks to a server in this process. */
export function runKeelAsync(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<CliResult & { ms: number }> {
  const started = Date.now();
  const child = spawnKeel(args, options);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  child.stdin.end(options.input ?? '');
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr, ms: Date.now() - started })));
}
