import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { createEngine } from '../../../src/engine/createEngine';
import { KeelError } from '../../../src/common/errors';
import { silentLogger } from '../../../src/engine/log';
import { RpcClient } from '../../../src/common/rpc/rpcClient';
import { serveEngine } from '../../../src/engine/rpc/serveEngine';
import { portTransport } from '../../../src/common/rpc/transport';
import { countdown, registerCountdown } from '../../helpers/countdown';
import { memoryTransportPair } from '../../helpers/memoryTransport';
import type { Engine } from '../../../src/engine/engine';

const withCountdown = (engine: Engine): Engine => (registerCountdown(engine), engine);

/** The countdown engine in a real worker thread, speaking the protocol over postMessage. */
const startCountdownWorker = (): Worker =>
  new Worker(path.resolve(__dirname, '../../helpers/countdownWorker.ts'), {
    execArgv: ['--require', require.resolve('tsx/cjs')],
    workerData: { logLevel: 'error' },
  });

/** The same protocol contract, checked on every transport Keel ships. */
function contract(name: string, connect: () => Promise<{ client: RpcClient; close(): Promise<void> }>): void {
  describe(`protocol over ${name}`, function () {
    // A worker compiles the engine with tsx before its first answer: slow on a loaded 2-core machine.
    this.timeout(90_000);
    let client: RpcClient;
    let close: () => Promise<void>;
    beforeEach(async () => ({ client, close } = await connect()));
    afterEach(async () => close());

    it('answers a ping with the engine identity and the echo', async () => {
      const info = await client.request('engine/ping', { echo: 'hello' });
      assert.equal(info.name, 'keel-engine');
      assert.equal(info.echo, 'hello');
      assert.match(info.version, /^\d+\.\d+\.\d+/);
    });

    it('streams chunks tied to the request id, then the result', async () => {
      const chunks: number[] = [];
      const result = await countdown(client, { count: 3, delayMs: 1 }, { onChunk: (c) => chunks.push(c.n) });
      assert.deepEqual(chunks, [3, 2, 1]);
      assert.deepEqual(result, { completed: 3 });
    });

    it('cancels a running request end to end with CANCELLED', async () => {
      const controller = new AbortController();
      const chunks: number[] = [];
      const pending = countdown(client, { count: 1000, delayMs: 5 }, {
        signal: controller.signal,
        onChunk: (c) => {
          chunks.push(c.n);
          if (chunks.length === 2) controller.abort();
        },
      });
      await assert.rejects(pending, (e: KeelError) => e instanceof KeelError && e.code === 'CANCELLED');
      assert.ok(chunks.length < 10, `engine kept streaming after cancel: ${chunks.length} chunks`);
      // The engine is still healthy afterwards.
      assert.equal((await client.request('engine/ping', {})).name, 'keel-engine');
    });

    it('turns handler failures into structured, coded errors', async () => {
      await assert.rejects(countdown(client, { count: -1, delayMs: 0 }), (e: KeelError) => {
        assert.equal(e.code, 'INVALID_PARAMS');
        assert.equal(e.retryable, false);
        assert.ok(e.requestId, 'requestId is set');
        return true;
      });
      await assert.rejects(client.request('no/such' as 'engine/ping', {}), (e: KeelError) => e.code === 'METHOD_NOT_FOUND');
    });

    it('runs concurrent requests independently', async () => {
      const results = await Promise.all([1, 2, 3, 4].map((i) => client.request('engine/ping', { echo: String(i) })));
      assert.deepEqual(results.map((r) => r.echo), ['1', '2', '3', '4']);
    });
  });
}

contract('an in-memory transport', async () => {
  const [serverSide, clientSide] = memoryTransportPair();
  serveEngine(withCountdown(createEngine({ host: 'in-process', log: silentLogger })), serverSide);
  const client = new RpcClient(clientSide);
  return { client, close: async () => client.close() };
});

contract('a real worker thread (postMessage)', async () => {
  const worker = startCountdownWorker();
  const client = new RpcClient(portTransport(worker, () => void worker.terminate()));
  return { client, close: async () => void (await worker.terminate()) };
});

describe('protocol client lifecycle', function () {
  this.timeout(90_000);
  it('rejects pending and later requests with ENGINE_UNAVAILABLE when the engine goes away', async () => {
    const worker = startCountdownWorker();
    const client = new RpcClient(portTransport(worker));
    await client.request('engine/ping', {});
    const pending = countdown(client, { count: 100, delayMs: 50 });
    await worker.terminate();
    await assert.rejects(pending, (e: KeelError) => e.code === 'ENGINE_UNAVAILABLE');
    await assert.rejects(client.request('engine/ping', {}), (e: KeelError) => e.code === 'ENGINE_UNAVAILABLE');
  });

  it('shuts down on engine/shutdown after answering it', async () => {
    const worker = startCountdownWorker();
    const exited = new Promise<number>((resolve) => worker.on('exit', resolve));
    const client = new RpcClient(portTransport(worker));
    assert.deepEqual(await client.request('engine/shutdown', {}), { ok: true });
    assert.equal(await exited, 0);
  });

  it('times out a request that does not answer, with TIMEOUT', async () => {
    const [serverSide, clientSide] = memoryTransportPair();
    serveEngine(withCountdown(createEngine({ host: 'in-process', log: silentLogger })), serverSide);
    const client = new RpcClient(clientSide);
    await assert.rejects(
      countdown(client, { count: 100, delayMs: 20 }, { timeoutMs: 50 }),
      (e: KeelError) => e.code === 'TIMEOUT',
    );
    client.close();
  });
});

describe('protocol client: params that cannot be sent', function () {
  this.timeout(90_000);
  it('fails the request with INVALID_PARAMS (not a hang) when postMessage cannot clone the params', async () => {
    const worker = startCountdownWorker();
    const client = new RpcClient(portTransport(worker, () => void worker.terminate()));
    try {
      // A function (like VS Code's configuration proxies) cannot be structured-cloned.
      const bad = { settings: { 'keel.x': () => 1 } } as unknown as { settings: Record<string, unknown> };
      await assert.rejects(client.request('engine/configure', bad, { timeoutMs: 5000 }), (e: KeelError) => e.code === 'INVALID_PARAMS' && /Could not send/.test(e.message));
      assert.equal((await client.request('engine/ping', {})).name, 'keel-engine', 'the client still works');
    } finally {
      await worker.terminate();
    }
  });
});
