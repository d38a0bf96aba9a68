import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { decodeModel, encodeModel, quantizeRows, type ModelData, type ModelHeader } from '../../../src/engine/embed/modelFile';
import { lexicalShareFor, StaticEmbedder, signedBucket, unloadModels } from '../../../src/engine/embed/staticEmbedder';
import { KeelError } from '../../../src/common/errors';

const D = 8;
/** A tiny hand-made model: "user"/"account" share a direction, "parse"/"json" another, "the" is near-weightless. */
function tinyModel(header: Partial<ModelHeader> = {}): ModelData {
  const vocab = ['user', 'account', 'parse', 'json', 'the'];
  const rows = new Float32Array(vocab.length * D);
  const set = (r: number, values: number[]): void => values.forEach((v, d) => (rows[r * D + d] = v));
  set(0, [1, 0.1, 0, 0, 0, 0, 0, 0]);
  set(1, [0.9, 0.2, 0, 0, 0, 0, 0.1, 0]);
  set(2, [0, 0, 1, 0.1, 0, 0, 0, 0]);
  set(3, [0, 0, 0.8, 0.3, 0, 0, 0, 0]);
  set(4, [0, 0, 0, 0, 1, 1, 1, 1]);
  const { vectors, rowScale } = quantizeRows(rows, D);
  return {
    header: { id: 'keel-test-v1', denseDims: D, lexicalDims: 16, lexicalShare: 0.2, oovIdf: 3, vocabSize: vocab.length, tf: 'log', ...header },
    vocab,
    poolWeight: Float32Array.from([2, 2, 2, 2, 0.01]),
    idf: Float32Array.from([2, 2, 2, 2, 0.1]),
    rowScale,
    vectors,
  };
}

const cos = (a: Float32Array, b: Float32Array): number => a.reduce((s, x, i) => s + x * b[i], 0);
const norm = (a: Float32Array): number => Math.sqrt(cos(a, a));

describe('embed/staticEmbedder and model file', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-emb-'));
    file = path.join(dir, 'keel-test-v1.bin');
    fs.writeFileSync(file, encodeModel(tinyModel()));
    unloadModels();
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('round-trips the model file exactly', () => {
    const model = tinyModel();
    const back = decodeModel(encodeModel(model), 'mem');
    assert.deepEqual(back.header, model.header);
    assert.deepEqual(back.vocab, model.vocab);
    assert.deepEqual(back.vectors, model.vectors);
    assert.deepEqual(back.poolWeight, model.poolWeight);
    assert.deepEqual(back.rowScale, model.rowScale);
  });

  it('quantises rows to int8 with < 1% error', () => {
    const rows = Float32Array.from({ length: 64 * 32 }, (_, i) => Math.sin(i * 0.37) * (1 + (i % 7)));
    const { vectors, rowScale } = quantizeRows(rows, 32);
    for (let i = 0; i < rows.length; i++) {
      const r = Math.floor(i / 32);
      assert.ok(Math.abs(vectors[i] * rowScale[r] - rows[i]) <= rowScale[r] / 2 + 1e-6);
    }
  });

  it('rejects corrupt files with NOT_AVAILABLE, never a crash', () => {
    const good = encodeModel(tinyModel());
    for (const bad of [Buffer.from('hello world, not a model'), good.subarray(0, good.length - 3), Buffer.concat([good, Buffer.from([1])])]) {
      assert.throws(() => decodeModel(bad, 'x.bin'), (e: KeelError) => e instanceof KeelError && e.code === 'NOT_AVAILABLE');
    }
  });

  it('loads lazily: construction never touches the file; a missing file is NOT_AVAILABLE on use', async () => {
    const missing = new StaticEmbedder({ id: 'keel-test-v1', file: path.join(dir, 'nope.bin') });
    assert.equal(missing.id, 'keel-test-v1');
    await assert.rejects(missing.embed(['x']), (e: KeelError) => e.code === 'NOT_AVAILABLE' && /missing/.test(e.message));
    const wrongId = new StaticEmbedder({ id: 'keel-other-v9', file });
    await assert.rejects(wrongId.embed(['x']), (e: KeelError) => e.code === 'NOT_AVAILABLE' && /expected keel-other-v9/.test(e.message));
  });

  it('produces L2-normalised vectors of denseDims + lexicalDims; similar tokens land close', async () => {
    const e = new StaticEmbedder({ id: 'keel-test-v1', file });
    assert.equal(e.dimensions, D + 16);
    assert.equal(e.local, true);
    const [user, account, parse] = await e.embed(['getUser', 'the account', 'parseJSON']);
    for (const v of [user, account, parse]) assert.ok(Math.abs(norm(v) - 1) < 1e-5);
    assert.ok(cos(user, account) > 0.6, `user~account ${cos(user, account)}`);
    assert.ok(cos(user, parse) < 0.2, `user~parse ${cos(user, parse)}`);
  });

  it('keeps unseen identifiers in the lexical channel; an empty text is the zero vector', async () => {
    const e = new StaticEmbedder({ id: 'keel-test-v1', file });
    const [a, b, c, empty] = await e.embed(['frobnicateWidget', 'frobnicate widgets', 'unrelatedThing', '']);
    assert.ok(cos(a, b) > 0.99, 'same unseen words (after stemming) → same lexical vector');
    assert.ok(Math.abs(cos(a, c)) < 0.9);
    assert.ok(empty.every((x) => x === 0));
  });

  it('counts repeats sublinearly when the model says tf = log', async () => {
    const e = new StaticEmbedder({ id: 'keel-test-v1', file });
    const [once, many, parse] = await e.embed(['user parse', 'user user user user user user user user parse', 'parse']);
    // With raw counts the 8× "user" would swamp "parse"; with 1 + ln 8 ≈ 3.1 it still shows.
    assert.ok(cos(many, parse) > 0.2, `parse still visible: ${cos(many, parse)}`);
    assert.ok(cos(once, many) > 0.8);
  });

  it('gives short texts more lexical share than long ones (ramp), uniform when no ramp is set', () => {
    const h = { ...tinyModel().header, lexicalShare: 0.6, lexicalShareLong: 0, shareRamp: [12, 30] as [number, number] };
    assert.equal(lexicalShareFor(h, 5), 0.6);
    assert.equal(lexicalShareFor(h, 12), 0.6);
    assert.ok(Math.abs(lexicalShareFor(h, 21) - 0.3) < 1e-9);
    assert.equal(lexicalShareFor(h, 30), 0);
    assert.equal(lexicalShareFor(h, 500), 0);
    assert.equal(lexicalShareFor(tinyModel().header, 500), 0.2);
  });

  it('honours cancellation', async () => {
    const e = new StaticEmbedder({ id: 'keel-test-v1', file });
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(e.embed(['a', 'b'], controller.signal), (err: KeelError) => err.code === 'CANCELLED');
  });

  it('signs and buckets tokens deterministically', () => {
    const b = signedBucket('user', 16);
    assert.equal(b, signedBucket('user', 16));
    assert.ok(b !== 0 && Math.abs(b) <= 16);
  });
});
