/**
 * `keel serve --stdio` against hostile input: every bad frame or body gets a JSON-RPC error (-32700
 * parse error, -32600 invalid request, -32602 invalid params) and the server keeps answering. Issue 23
 * found null/number/string bodies and `$/stream` with null params killing it, and a malformed header
 * closing the transport without a word.
 */
import * as assert from 'node:assert/strict';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { StreamMessageReader } from 'vscode-jsonrpc/node';
import { spawnKeel } from '../../helpers/cli';

interface Reply {
  jsonrpc?: string;
  id?: number | string | null;
  result?: unknown;
  error?: { code: number; message: string; data?: { code?: string } };
  method?: string;
}

const frame = (body: string | Buffer): Buffer => {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  return Buffer.concat([Buffer.from(`Content-Length: ${bytes.length}\r\n\r\n`, 'ascii'), bytes]);
};

describe('keel serve --stdio: hostile frames', function () {
  this.timeout(120_000);
  let child: ChildProcessWithoutNullStreams;
  const replies: Reply[] = [];
  let waiters: Array<() => void> = [];
  let exitCode: number | null | undefined;
  let nextId = 1000;

  before(async () => {
    child = spawnKeel(['serve', '--stdio'], { env: { KEEL_LOG: 'error' } });
    child.on('exit', (code) => (exitCode = code));
    child.stderr.resume();
    // The test reads the server with the same library the server speaks with.
    new StreamMessageReader(child.stdout).listen((message) => {
      const reply = message as Reply;
      if (reply.method) return; // notifications (logs)
      replies.push(reply);
      for (const wake of waiters.splice(0)) wake();
    });
    await ping(90_000); // the first answer waits for the child to start (slow on a loaded machine)
  });

  after(() => child?.kill());

  async function nextReply(match: (r: Reply) => boolean, what: string, timeoutMs = 20_000): Promise<Reply> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = replies.findIndex(match);
      if (i >= 0) return replies.splice(i, 1)[0];
      if (exitCode !== undefined) assert.fail(`the server exited (code ${exitCode}) waiting for ${what}`);
      if (Date.now() > deadline) assert.fail(`no reply for ${what}; replies so far: ${JSON.stringify(replies)}`);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }

  async function ping(timeoutMs?: number): Promise<void> {
    const id = nextId++;
    child.stdin.write(frame(JSON.stringify({ jsonrpc: '2.0', id, method: 'engine/ping', params: { echo: `p${id}` } })));
    const reply = await nextReply((r) => r.id === id, `ping ${id}`, timeoutMs);
    assert.deepEqual((reply.result as { echo?: string } | undefined)?.echo, `p${id}`, JSON.stringify(reply));
  }

  /** Send raw bytes; expect an error with `code` (and `id`), then prove the server still serves. */
  async function expectError(bytes: Buffer, code: number, id: number | string | null = null): Promise<Reply> {
    replies.length = 0;
    child.stdin.write(bytes);
    const reply = await nextReply((r) => r.error !== undefined && r.id === id, `error ${code} for ${JSON.stringify(bytes.toString('utf8').slice(0, 80))}`);
    assert.equal(reply.jsonrpc, '2.0');
    assert.equal(reply.error!.code, code, JSON.stringify(reply));
    assert.equal(typeof reply.error!.message, 'string');
    await ping();
    return reply;
  }

  for (const [label, body] of [
    ['null', 'null'],
    ['a number', '42'],
    ['a string', '"hello"'],
    ['true', 'true'],
    ['an empty array (batch)', '[]'],
    ['a batch of one request', '[{"jsonrpc":"2.0","id":5,"method":"engine/ping","params":{}}]'],
    ['an object without jsonrpc or method', '{"foo":1}'],
    ['a method that is not a string', '{"jsonrpc":"2.0","method":5}'],
  ] as const) {
    it(`answers a body that is ${label} with -32600 Invalid Request`, async () => {
      await expectError(frame(body), -32600);
    });
  }

  it('keeps the id of a request whose method is not a string', async () => {
    await expectError(frame('{"jsonrpc":"2.0","id":77,"method":["x"]}'), -32600, 77);
  });

  it('answers $/stream and $/cancelRequest with null or malformed params with -32602', async () => {
    await expectError(frame('{"jsonrpc":"2.0","method":"$/stream","params":null}'), -32602);
    await expectError(frame('{"jsonrpc":"2.0","method":"$/cancelRequest","params":null}'), -32602);
    await expectError(frame('{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":{"x":1}}}'), -32602);
    await expectError(frame('{"jsonrpc":"2.0","method":"host/methods","params":{"methods":"host/lm/chat"}}'), -32602);
  });

  it('answers a request with params of the wrong shape with -32602 and its id', async () => {
    const reply = await expectError(frame('{"jsonrpc":"2.0","id":"s1","method":"search/query","params":"select *"}'), -32602, 's1');
    assert.equal(reply.error!.data?.code, 'INVALID_PARAMS');
    await expectError(frame('{"jsonrpc":"2.0","id":"s2","method":"engine/ping","params":{"echo":5}}'), -32602, 's2');
    await expectError(frame('{"jsonrpc":"2.0","id":"s3","method":"engine/configure","params":{"settings":[1,2]}}'), -32602, 's3');
    await expectError(frame('{"jsonrpc":"2.0","id":"s4","method":"index/build","params":{"roots":"."}}'), -32602, 's4');
  });

  it('answers invalid JSON with -32700 Parse error', async () => {
    await expectError(frame('{"jsonrpc":"2.0","id":1,'), -32700);
    await expectError(frame(Buffer.from([0xff, 0xfe, 0x00, 0x7b])), -32700);
  });

  it('answers a header without Content-Length with -32700 and resynchronises on the next frame', async () => {
    await expectError(Buffer.from('X-Foo: 1\r\n\r\n{"jsonrpc":"2.0","id":3,"method":"engine/ping"}'), -32700);
    await expectError(Buffer.from('Content-Length: abc\r\n\r\n{}'), -32700);
    await expectError(Buffer.from('this is not a header at all\r\n\r\n'), -32700);
  });

  it('refuses an absurd Content-Length with -32700 without buffering it', async () => {
    await expectError(Buffer.from(`Content-Length: ${2 ** 40}\r\n\r\n`), -32700);
  });

  it('ignores a response to a request it never sent and keeps serving', async () => {
    child.stdin.write(frame('{"jsonrpc":"2.0","id":424242,"result":1}'));
    child.stdin.write(frame('{"jsonrpc":"2.0","id":null,"error":{"code":1,"message":"x"}}'));
    await ping();
  });

  it('is still the same live process after all of it', async () => {
    assert.equal(exitCode, undefined);
    await ping();
  });
});
