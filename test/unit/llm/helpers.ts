/**
 * Shared setup for the LLM-layer specs: real wire-protocol servers on 127.0.0.1, an egress gate with a
 * recording transport, and providers built exactly as production builds them (official SDKs, baseURL).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EgressGate, type EgressGateOptions } from '../../../src/engine/egress/gate';
import { AnthropicProvider } from '../../../src/engine/llm/providers/anthropic';
import { OpenAIProvider } from '../../../src/engine/llm/providers/openai';
import type { ProviderRuntime } from '../../../src/engine/llm/providers/sdkProvider';
import type { RetryPolicy } from '../../../src/engine/egress/retry';
import { AnthropicServer, type AnthropicServerOptions } from '../../servers/anthropic';
import { OpenAIChatServer, type OpenAIServerOptions } from '../../servers/openaiChat';

export const TEST_OPENAI_KEY = 'sk-test-keel-0123456789abcdefghijklmnop';
export const TEST_ANTHROPIC_KEY = 'sk-ant-api03-keeltest0123456789abcdefghijklmnopqrstuvwxyz';

export interface Recorded {
  urls: string[];
}

/** A gate whose real transport records every URL it is asked to contact. */
export function recordingGate(options: EgressGateOptions = {}): { gate: EgressGate; transport: Recorded; storageDir: string } {
  const storageDir = options.storageDir ?? mkdtempSync(join(tmpdir(), 'keel-llm-'));
  const transport: Recorded = { urls: [] };
  const onTransport = (url: URL): void => void transport.urls.push(url.toString());
  return { gate: new EgressGate({ ...options, storageDir, onTransport }), transport, storageDir };
}

export interface Fixture<S, P> {
  server: S;
  provider: P;
  gate: EgressGate;
  transport: Recorded;
  storageDir: string;
  retries: number;
}

export interface RuntimeOverrides {
  retry?: Partial<RetryPolicy>;
  requestTimeoutMs?: number;
  idleTimeoutMs?: number;
  gate?: EgressGateOptions;
}

function runtime(gate: EgressGate, o: RuntimeOverrides, onRetry: () => void): ProviderRuntime {
  return {
    gate,
    retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterS: 5, ...o.retry },
    requestTimeoutMs: o.requestTimeoutMs ?? 5_000,
    idleTimeoutMs: o.idleTimeoutMs ?? 5_000,
    retryHooks: { onRetry },
  };
}

export async function openaiFixture(o: RuntimeOverrides & { server?: OpenAIServerOptions } = {}): Promise<Fixture<OpenAIChatServer, OpenAIProvider>> {
  const server = await new OpenAIChatServer(o.server).start();
  const { gate, transport, storageDir } = recordingGate(o.gate);
  const fx = { server, gate, transport, storageDir, retries: 0 } as Fixture<OpenAIChatServer, OpenAIProvider>;
  fx.provider = new OpenAIProvider({ ...runtime(gate, o, () => fx.retries++), kind: 'openai', apiKey: TEST_OPENAI_KEY, baseURL: server.baseURL });
  return fx;
}

export async function anthropicFixture(o: RuntimeOverrides & { server?: AnthropicServerOptions } = {}): Promise<Fixture<AnthropicServer, AnthropicProvider>> {
  const server = await new AnthropicServer(o.server).start();
  const { gate, transport, storageDir } = recordingGate(o.gate);
  const fx = { server, gate, transport, storageDir, retries: 0 } as Fixture<AnthropicServer, AnthropicProvider>;
  fx.provider = new AnthropicProvider({ ...runtime(gate, o, () => fx.retries++), apiKey: TEST_ANTHROPIC_KEY, baseURL: server.baseURL });
  return fx;
}

/** The fixture of the test that is running; see {@link fixtureForEachTest}. */
export interface EachTestFixture<S, P> extends Readonly<Fixture<S, P>> {
  /** Closes the current fixture's server and uses `next` for the rest of the test (closed after it). */
  replace(next: Fixture<S, P>): Promise<void>;
}

/**
 * A fresh fixture (`make`) before each test of the enclosing describe block, its server closed after
 * the test. The returned object reads through to the fixture of the test that is running.
 */
export function fixtureForEachTest<S extends { close(): Promise<unknown> }, P>(make: () => Promise<Fixture<S, P>>): EachTestFixture<S, P> {
  let current: Fixture<S, P> | undefined;
  beforeEach(async () => {
    current = await make();
  });
  afterEach(async () => {
    await current?.server.close();
  });
  const now = (): Fixture<S, P> => {
    if (!current) throw new Error('the fixture exists only while a test runs');
    return current;
  };
  return {
    get server() { return now().server; },
    get provider() { return now().provider; },
    get gate() { return now().gate; },
    get transport() { return now().transport; },
    get storageDir() { return now().storageDir; },
    get retries() { return now().retries; },
    async replace(next) {
      await now().server.close();
      current = next;
    },
  };
}

/** Run `fn`, returning the error it throws (or failing the test if it doesn't). */
export async function rejection(fn: () => Promise<unknown>): Promise<Error & { code?: string; retryAfterS?: number; requestId?: string; provider?: string; retryable?: boolean }> {
  try {
    await fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection, but the call succeeded');
}

/** Poll until `condition` holds (no fixed sleeps in tests). */
export async function waitFor(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
