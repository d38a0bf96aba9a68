import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import type { RpcMessage } from '../../../src/protocol';
import { KeelError } from '../../../src/common/errors';
import { RpcClient } from '../../../src/common/rpc/rpcClient';
import { encodeFrame, FrameDecoder, FrameError, streamTransport } from '../../../src/common/rpc/stdioTransport';
import { spawnKeel } from '../../helpers/cli';
import { countdown } from '../../helpers/countdown';

describe('Content-Length framing', () => {
  it('decodes frames split at arbitrary byte boundaries, including multi-byte UTF-8', () => {
    const messages: RpcMessage[] = [
      { jsonrpc: '2.0', id: 1, method: 'engine/ping', params: { echo: 'héllo — 世界' } },
      { jsonrpc: '2.0', method: '$/cancelRequest', params: { id: 1 } },
    ];
    const bytes = Buffer.concat(messages.map(encodeFrame));
    for (const step of [1, 3, 7, bytes.length]) {
      const decoder = new FrameDecoder();
      const out: unknown[] = [];
      for (let i = 0; i < bytes.length; i += step) out.push(...decoder.push(bytes.subarray(i, i + step)));
      assert.deepEqual(out, messages, `step ${step}`);
    }
  });

  it('reports a frame without Content-Length and reads the next frame', () => {
    const next = { jsonrpc: '2.0', id: 2, method: 'engine/ping', params: {} };
    const out = new FrameDecoder().push(Buffer.concat([Buffer.from('X-Foo: 1\r\n\r\n{"a":1}'), encodeFrame(next)]));
    assert.equal(out.length, 2);
    assert.ok(out[0] instanceof FrameError && /no Content-Length/.test(out[0].message), String(out[0]));
    assert.deepEqual(out[1], next);
  });
});

describe('keel serve --stdio', function () {
  this.timeout(90_000);

  it('the product serves ping and shutdown, and not the test-only engine/countdown', async () => {
    const child = spawnKeel(['serve', '--stdio'], { env: { KEEL_LOG: 'error' } });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const client = new RpcClient(streamTransport(child.stdout, child.stdin));
    try {
      assert.equal((await client.request('engine/ping', {})).host, 'stdio');
      await assert.rejects(countdown(client, { count: 1, delayMs: 0 }), (e: KeelError) => e.code === 'METHOD_NOT_FOUND');
      assert.deepEqual(await client.request('engine/shutdown', {}), { ok: true });
      assert.equal(await exited, 0);
    } finally {
      child.kill();
    }
  });

  it('round-trips a ping, streams, cancels and shuts down over a real child process', async () => {
    // serveStdio — what `keel serve --stdio` runs — with the test-only streaming method added.
    const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), path.join(__dirname, '../../helpers/countdownServe.ts')], {
      env: { ...process.env, KEEL_LOG: 'error' },
      stdio: 'pipe',
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const client = new RpcClient(streamTransport(child.stdout, child.stdin));
    try {
      const info = await client.request('engine/ping', { echo: 'stdio' });
      assert.equal(info.name, 'keel-engine');
      assert.equal(info.host, 'stdio');
      assert.equal(info.echo, 'stdio');
      assert.equal(info.pid, child.pid);

      const chunks: number[] = [];
      assert.deepEqual(await countdown(client, { count: 2, delayMs: 1 }, { onChunk: (c) => chunks.push(c.n) }), { completed: 2 });
      assert.deepEqual(chunks, [2, 1]);

      const controller = new AbortController();
      const cancelled = countdown(client, { count: 500, delayMs: 10 }, { signal: controller.signal });
      setTimeout(() => controller.abort(), 30);
      await assert.rejects(cancelled, (e: KeelError) => e.code === 'CANCELLED');

      assert.deepEqual(await client.request('engine/shutdown', {}), { ok: true });
      assert.equal(await exited, 0);
    } finally {
      child.kill();
    }
  });
});
