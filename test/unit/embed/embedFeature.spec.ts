import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { decodeLines } from '../../../src/cli/commands/embed';
import { DEFAULT_MODEL_FILE } from '../../../src/engine/embed/registry';
import { call } from '../../../src/engine/engine';
import { createEngine } from '../../../src/engine/createEngine';
import { assetPath } from '../../../src/engine/assets';
import { KeelError } from '../../../src/common/errors';
import { createLogger } from '../../../src/engine/log';
import { runKeel } from '../../helpers/cli';
import { EmbeddingsServer } from '../../servers/openaiEmbeddings';

const cos = (a: number[], b: number[]): number => a.reduce((s, x, i) => s + x * b[i], 0);

describe('embed feature, `keel embed` and the committed model', function () {
  this.timeout(60_000);
  const engine = createEngine({ host: 'in-process', log: createLogger(() => undefined, 'error') });
  after(() => engine.shutdown());

  it('ships a committed model of at most 16 MB', () => {
    const size = fs.statSync(assetPath('models', DEFAULT_MODEL_FILE)).size;
    assert.ok(size > 1_000_000 && size <= 16 * 1024 * 1024, `${size} bytes`);
  });

  it('embed/texts returns normalised vectors from the default model that carry meaning', async () => {
    const texts = [
      'how to read a file line by line',
      'def read_lines(path):\n    with open(path) as f:\n        return [line.rstrip("\\n") for line in f]',
      'def send_email(to, subject, body):\n    smtp = smtplib.SMTP("localhost")\n    smtp.sendmail(FROM, [to], message(subject, body))',
    ];
    const result = await call(engine, 'embed/texts', { texts });
    assert.equal(result.embedder, 'keel-code-v1');
    assert.equal(result.vectors.length, 3);
    for (const v of result.vectors) {
      assert.equal(v.length, result.dimensions);
      assert.ok(Math.abs(Math.sqrt(cos(v, v)) - 1) < 1e-4);
    }
    const [q, read, mail] = result.vectors;
    assert.ok(cos(q, read) > cos(q, mail) + 0.1, `question ~ read_lines ${cos(q, read).toFixed(3)} vs send_email ${cos(q, mail).toFixed(3)}`);
  });

  it('embed/texts rejects bad params with coded errors', async () => {
    const codeOf = async (params: unknown): Promise<string> =>
      call(engine, 'embed/texts', params as never).then(
        () => 'none',
        (e: KeelError) => e.code,
      );
    assert.equal(await codeOf({}), 'INVALID_PARAMS');
    assert.equal(await codeOf({ texts: ['a', 3] }), 'INVALID_PARAMS');
    assert.equal(await codeOf({ texts: ['a'], embedder: 'nope' }), 'INVALID_PARAMS');
    assert.equal(await codeOf({ texts: ['x'.repeat(100_001)] }), 'BAD_INPUT');
  });

  it('embed/texts can use a provider by id (OpenAI-compatible server on loopback)', async () => {
    const server = await new EmbeddingsServer().start();
    const prev = process.env.KEEL_OPENAI_COMPATIBLE_BASE_URL;
    try {
      process.env.KEEL_OPENAI_COMPATIBLE_BASE_URL = server.baseURL;
      const result = await call(engine, 'embed/texts', { texts: ['a', 'b'], embedder: 'openai-compatible:mini@8' });
      assert.equal(result.embedder, 'openai-compatible:mini@8');
      assert.equal(result.dimensions, 8);
      assert.equal(server.requests.length, 1);
    } finally {
      if (prev === undefined) delete process.env.KEEL_OPENAI_COMPATIBLE_BASE_URL;
      else process.env.KEEL_OPENAI_COMPATIBLE_BASE_URL = prev;
      await server.close();
    }
  });

  it('decodeLines: LF/CRLF, no phantom last line, strict UTF-8 with the line number', () => {
    assert.deepEqual(decodeLines(Buffer.from('a\r\nb\n\nc')), ['a', 'b', '', 'c']);
    assert.deepEqual(decodeLines(Buffer.from('a\n')), ['a']);
    assert.deepEqual(decodeLines(Buffer.alloc(0)), []);
    assert.deepEqual(decodeLines(Buffer.from('größe 数据\n')), ['größe 数据']);
    assert.throws(() => decodeLines(Buffer.from([0x61, 0x0a, 0xc3, 0x28])), (e: KeelError) => e.code === 'BAD_INPUT' && /line 2/.test(e.message));
    assert.throws(() => decodeLines(Buffer.from('a\0b')), (e: KeelError) => e.code === 'BAD_INPUT');
  });

  it('keel embed: one JSON array per stdin line; invalid UTF-8 is a coded error, no stack, no partial output', () => {
    const ok = runKeel(['embed'], { input: 'find user by id\nparse json config\n' });
    assert.equal(ok.code, 0, ok.stderr);
    const lines = ok.stdout.trim().split('\n').map((l) => JSON.parse(l) as number[]);
    assert.equal(lines.length, 2);
    assert.ok(lines.every((v) => Array.isArray(v) && v.length > 0 && Math.abs(Math.sqrt(cos(v, v)) - 1) < 1e-4));
    const bad = runKeel(['embed', '--json'], { input: Buffer.from([0x6f, 0x6b, 0x0a, 0xff, 0xfe, 0x0a]) });
    assert.equal(bad.code, 3);
    assert.deepEqual(Object.keys(JSON.parse(bad.stdout)), ['error']);
    assert.equal(JSON.parse(bad.stdout).error.code, 'BAD_INPUT');
    assert.ok(!bad.stderr.includes('    at '), 'no stack trace');
    const unknown = runKeel(['embed', '--embedder', 'nope', '--json'], { input: 'x\n' });
    assert.equal(unknown.code, 2);
    assert.equal(JSON.parse(unknown.stdout).error.code, 'INVALID_PARAMS');
  });
});
