/**
 * Test setup that many specs did the same way by hand: a fresh temp folder, a copy of the demo
 * backend, and the local OpenAI-protocol server for a whole describe block.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { OpenAIChatServer } from '../servers/openaiChat';

export const DEMO_BACKEND = path.resolve(__dirname, '../fixtures/demo-backend');

/** A new empty folder under the OS temp dir whose name starts with `prefix`. */
export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A writable copy of the demo backend at `dest` (tests index and edit it). */
export function copyDemoBackend(dest: string): string {
  fs.cpSync(DEMO_BACKEND, dest, { recursive: true });
  return dest;
}

/**
 * The local OpenAI-protocol server for the enclosing describe block: listening from its `before`
 * hooks on (registered first, so the block's own hooks can read `baseURL`), closed after its tests.
 * Requests and scripted replies accumulate over the block, as they did with a hand-started server.
 */
export function useOpenAIServer(): OpenAIChatServer {
  const server = new OpenAIChatServer();
  before(() => server.start());
  after(() => server.close());
  return server;
}
