/**
 * The protocol in the engine → host direction, at the message level: announcement, streaming, errors,
 * cancellation, unknown methods — over the in-memory pair and over a REAL worker thread running
 * src/engine/worker.ts, where a full `chat/ask` reaches a fake vscode.lm on the "extension host" side.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ChatChunk, HostLmChatParams, RpcMessage } from '../../../src/protocol';
import { KeelError } from '../../../src/common/errors';
import { RpcClient } from '../../../src/common/rpc/rpcClient';
import { portTransport } from '../../../src/common/rpc/transport';
import type { MessageTransport } from '../../../src/common/rpc/transport';
import { memoryTransportPair } from '../../helpers/memoryTransport';

/** Write one raw protocol message, as the engine side would. */
const send = (transport: MessageTransport, message: RpcMessage): void => void transport.writer.write(message as never);

/** A client on one side of an in-memory pair; every raw message it sends lands in `seen`. */
function connectOverMemory(): { engineSide: MessageTransport; seen: RpcMessage[]; client: RpcClient } {
  const [engineSide, clientSide] = memoryTransportPair();
  const seen: RpcMessage[] = [];
  engineSide.reader.listen((m) => void seen.push(m as unknown as RpcMessage));
  return { engineSide, seen, client: new RpcClient(clientSide) };
}

describe('engine → host requests at the message level', () => {
  it('the client announces its host methods, and answers unknown ones with METHOD_NOT_FOUND', async () => {
    const { engineSide, seen, client } = connectOverMemory();
    const registration = client.onRequest('host/lm/models', async () => [{ id: 'm', vendor: 'v', family: 'f', name: 'M', maxInputTokens: 1000 }]);
    send(engineSide, { jsonrpc: '2.0', id: 7, method: 'host/lm/chat', params: { model: '', messages: [] } });
    send(engineSide, { jsonrpc: '2.0', id: 8, method: 'host/lm/models', params: {} });
    await until(() => seen.filter((m) => 'id' in m).length === 2);
    registration.dispose();
    await until(() => seen.length === 4);

    assert.deepEqual(seen[0], { jsonrpc: '2.0', method: 'host/methods', params: { methods: ['host/lm/models'] } });
    const unknown = seen.find((m) => 'id' in m && m.id === 7) as { error: { data: { code: string } } };
    assert.equal(unknown.error.data.code, 'METHOD_NOT_FOUND');
    const models = seen.find((m) => 'id' in m && m.id === 8) as { result: unknown[] };
    assert.equal(models.result.length, 1);
    assert.deepEqual(seen[3], { jsonrpc: '2.0', method: 'host/methods', params: { methods: [] } });
    client.close();
  });

  it('keeps the code of a KeelError thrown by another bundle’s copy of errors.ts (instanceof fails there)', async () => {
    const { engineSide, seen, client } = connectOverMemory();
    // Structurally a KeelError, but not an instance of this bundle's class.
    class ForeignKeelError extends Error {
      override name = 'KeelError';
      code = 'PROVIDER_NOT_CONFIGURED';
      toWire() {
        return { code: this.code, message: this.message, retryable: false, provider: 'vscode-lm' };
      }
    }
    client.onRequest('host/lm/chat', async () => {
      throw new ForeignKeelError('No VS Code language models are available');
    });
    send(engineSide, { jsonrpc: '2.0', id: 3, method: 'host/lm/chat', params: { model: '', messages: [] } });
    await until(() => seen.some((m) => 'id' in m && m.id === 3));
    const answer = seen.find((m) => 'id' in m && m.id === 3) as { error: { data: { code: string; provider: string; message: string } } };
    assert.equal(answer.error.data.code, 'PROVIDER_NOT_CONFIGURED');
    assert.equal(answer.error.data.provider, 'vscode-lm');
    assert.match(answer.error.data.message, /No VS Code language models/);
    client.close();
  });

  it('a host handler gets $/cancelRequest as an aborted signal and answers CANCELLED', async () => {
    const { engineSide, seen, client } = connectOverMemory();
    let aborted = false;
    let started = false;
    client.onRequest('host/lm/chat', (_p, ctx) => {
      started = true;
      return new Promise((_resolve, reject) => ctx.signal.addEventListener('abort', () => ((aborted = true), reject(new Error('aborted')))));
    });
    send(engineSide, { jsonrpc: '2.0', id: 1, method: 'host/lm/chat', params: { model: '', messages: [] } });
    await until(() => started);
    send(engineSide, { jsonrpc: '2.0', method: '$/cancelRequest', params: { id: 1 } });
    await until(() => seen.some((m) => 'id' in m && m.id === 1));
    assert.equal(aborted, true);
    const answer = seen.find((m) => 'id' in m && m.id === 1) as { error: { data: { code: string } } };
    assert.equal(answer.error.data.code, 'CANCELLED');
    client.close();
  });
});

describe('engine → host requests over a real worker thread', function () {
  this.timeout(120_000);
  let tmp: string;
  let worker: Worker;
  let client: RpcClient;

  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-lm-worker-'));
    fs.mkdirSync(path.join(tmp, 'ws'));
    fs.writeFileSync(
      path.join(tmp, 'ws', 'orders.ts'),
      'export async function loadOrders(db: Db, customerId: string) {\n  return db.query("select * from orders where customer_id = $1", [customerId]);\n}\n',
    );
    worker = new Worker(path.resolve(__dirname, '../../../src/engine/worker.ts'), {
      execArgv: ['--require', require.resolve('tsx/cjs')],
      workerData: { logLevel: 'error', storageDir: path.join(tmp, 'state'), globalStorageDir: path.join(tmp, 'user') },
    });
    client = new RpcClient(portTransport(worker, () => void worker.terminate()));
  });
  afterEach(async () => {
    await worker.terminate();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('chat/ask in the worker streams its answer from the host’s (fake) vscode.lm', async () => {
    const received: HostLmChatParams[] = [];
    client.onRequest('host/lm/chat', async (params, ctx) => {
      received.push(params);
      for (const text of ['Orders load in ', '`loadOrders` (orders.ts).']) ctx.stream({ text });
      return { model: 'copilot/gpt-4o-mini' };
    });
    await client.request('engine/configure', { settings: { 'keel.provider': 'vscode-lm', 'keel.models.fast': 'gpt-4o-mini', 'keel.models.reasoning': 'claude-sonnet-4' } });
    const chunks: ChatChunk[] = [];
    const answer = await client.request(
      'chat/ask',
      { question: 'where are orders loaded for a customer?', root: path.join(tmp, 'ws'), store: path.join(tmp, 'index') },
      { onChunk: (c) => chunks.push(c) },
    );
    assert.equal(answer.offline, false);
    assert.equal(answer.answer, 'Orders load in `loadOrders` (orders.ts).');
    assert.deepEqual(chunks.filter((c) => c.type === 'delta').map((c) => (c as { text: string }).text), ['Orders load in ', '`loadOrders` (orders.ts).']);
    assert.equal(received.length, 1);
    assert.ok(['gpt-4o-mini', 'claude-sonnet-4'].includes(received[0]!.model), received[0]!.model);
    assert.ok(received[0]!.messages.some((m) => m.content.includes('loadOrders')), 'retrieved context reached the model');
    assert.equal(answer.model, 'copilot/gpt-4o-mini');
    assert.equal(answer.costUsd, 0);
    assert.ok(answer.usage.input > 0 && answer.usage.output > 0, JSON.stringify(answer.usage));
  });

  it('cancelling chat/ask in the worker cancels the host’s model request', async () => {
    let hostSawAbort = false;
    client.onRequest('host/lm/chat', async (_p, ctx) => {
      while (!ctx.signal.aborted) {
        ctx.stream({ text: '.' });
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      hostSawAbort = true;
      throw new KeelError('CANCELLED', 'cancelled');
    });
    await client.request('engine/configure', { settings: { 'keel.provider': 'vscode-lm' } });
    const controller = new AbortController();
    let deltas = 0;
    await assert.rejects(
      client.request('chat/ask', { question: 'explain loadOrders', root: path.join(tmp, 'ws'), store: path.join(tmp, 'index') }, {
        signal: controller.signal,
        onChunk: (c) => {
          if (c.type === 'delta' && ++deltas === 3) controller.abort();
        },
      }),
      (e: KeelError) => e.code === 'CANCELLED',
    );
    await until(() => hostSawAbort);
  });

  it('without a host handler the worker answers with a coded error, not a hang', async () => {
    await client.request('engine/configure', { settings: { 'keel.provider': 'vscode-lm' } });
    await assert.rejects(
      client.request('chat/ask', { question: 'where are orders loaded?', root: path.join(tmp, 'ws'), store: path.join(tmp, 'index') }, { timeoutMs: 60_000 }),
      (e: KeelError) => e.code === 'PROVIDER_NOT_CONFIGURED' && e.provider === 'vscode-lm',
    );
  });
});

async function until(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
