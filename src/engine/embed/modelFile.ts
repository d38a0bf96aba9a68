/**
 * The on-disk format of the embedded static model (`models/<id>.bin`). One module owns both reading
 * (runtime) and writing (the trainer), so the two can never disagree about the layout.
 *
 * Layout, little-endian:
 *   "KEELEMB1"                      8-byte magic
 *   u32 headerBytes, header JSON    ModelHeader
 *   u32 vocabBytes, vocab           UTF-8, tokens joined by "\n" (row i = token i)
 *   f32[V] poolWeight               learned pooling weight per token
 *   f32[V] idf                      weight of the token in the lexical channel
 *   f32[V] rowScale                 int8 de-quantisation scale per row
 *   i8[V × dims] vectors            dense rows, quantised per row (value = int8 × rowScale)
 * int8 with a per-row scale keeps 40k × 256 under 11 MB, and costs < 0.5% cosine error.
 */
import { KeelError } from '../../common/errors';

const MAGIC = 'KEELEMB1';

export interface ModelHeader {
  /** Versioned id, stored in every index built with this model (e.g. "keel-code-v1"). */
  id: string;
  /** Dense dimensions (the learned part). */
  denseDims: number;
  /** Signed-hash buckets of the lexical channel (0: none). Output dims = denseDims + lexicalDims. */
  lexicalDims: number;
  /** Share of the output norm given to the lexical channel, in [0, 1) (for short texts, see below). */
  lexicalShare: number;
  /**
   * Share for long texts. Short texts (questions) are matched best on their exact words, long ones
   * (code) on meaning: texts of up to shareRamp[0] tokens get lexicalShare, texts of shareRamp[1]
   * tokens or more get lexicalShareLong, linear in between. Absent: lexicalShare for every length.
   */
  lexicalShareLong?: number;
  shareRamp?: [number, number];
  /** idf given to tokens outside the vocabulary (they still count in the lexical channel). */
  oovIdf: number;
  vocabSize: number;
  /**
   * How repeats of a token in one text count, in both channels: 'raw' (n) or 'log' (1 + ln n, so a
   * token repeated 20 times in a long function does not drown the rest). Absent means 'raw'.
   */
  tf?: 'raw' | 'log';
  /** Free-form provenance (trainer version, corpus, date); not used at run time. */
  trainedWith?: Record<string, unknown>;
}

export interface ModelData {
  header: ModelHeader;
  vocab: string[];
  poolWeight: Float32Array;
  idf: Float32Array;
  rowScale: Float32Array;
  vectors: Int8Array;
}

export function encodeModel(model: ModelData): Buffer {
  const { header, vocab } = model;
  const V = vocab.length;
  if (header.vocabSize !== V) throw new Error('header.vocabSize does not match vocab length');
  for (const arr of [model.poolWeight, model.idf, model.rowScale]) {
    if (arr.length !== V) throw new Error('per-token arrays must have vocab length');
  }
  if (model.vectors.length !== V * header.denseDims) throw new Error('vectors must be V × denseDims');
  if (vocab.some((t) => t.includes('\n') || t.length === 0)) throw new Error('tokens must be non-empty, without newlines');
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const vocabBytes = Buffer.from(vocab.join('\n'), 'utf8');
  const f32 = (a: Float32Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  return Buffer.concat([
    Buffer.from(MAGIC, 'ascii'),
    u32(headerBytes.length),
    headerBytes,
    u32(vocabBytes.length),
    vocabBytes,
    f32(model.poolWeight),
    f32(model.idf),
    f32(model.rowScale),
    Buffer.from(model.vectors.buffer, model.vectors.byteOffset, model.vectors.byteLength),
  ]);
}

/** Parses a model file; any structural problem is a NOT_AVAILABLE KeelError naming the reason. */
export function decodeModel(bytes: Buffer, source: string): ModelData {
  const fail = (why: string): never => {
    throw new KeelError('NOT_AVAILABLE', `The embedded model ${source} is unreadable: ${why}. Reinstall Keel or run npm run train:embedder.`);
  };
  if (bytes.length < 16 || bytes.toString('ascii', 0, 8) !== MAGIC) fail('not a Keel model file');
  let offset = 8;
  const take = (n: number): Buffer => {
    if (offset + n > bytes.length) fail('truncated');
    const slice = bytes.subarray(offset, offset + n);
    offset += n;
    return slice;
  };
  const headerLen = take(4).readUInt32LE(0);
  let header: ModelHeader;
  try {
    header = JSON.parse(take(headerLen).toString('utf8')) as ModelHeader;
  } catch {
    return fail('bad header');
  }
  if (!header.id || !(header.denseDims > 0) || !(header.vocabSize >= 0) || !(header.lexicalDims >= 0)) fail('bad header fields');
  const V = header.vocabSize;
  const vocabText = take(take(4).readUInt32LE(0)).toString('utf8');
  const vocab = V === 0 ? [] : vocabText.split('\n');
  if (vocab.length !== V) fail(`vocabulary has ${vocab.length} tokens, header says ${V}`);
  // Copy into fresh, aligned typed arrays: the file offsets are not 4-byte aligned.
  const f32 = (n: number): Float32Array => {
    const src = take(n * 4);
    const out = new Float32Array(n);
    new Uint8Array(out.buffer).set(src);
    return out;
  };
  const poolWeight = f32(V);
  const idf = f32(V);
  const rowScale = f32(V);
  const vecBytes = take(V * header.denseDims);
  const vectors = new Int8Array(vecBytes.length);
  new Uint8Array(vectors.buffer).set(vecBytes);
  if (offset !== bytes.length) fail('trailing bytes');
  return { header, vocab, poolWeight, idf, rowScale, vectors };
}

/** Quantises float rows (V × dims) to int8 with one scale per row (max-abs → 127). */
export function quantizeRows(rows: Float32Array, dims: number): { vectors: Int8Array; rowScale: Float32Array } {
  const V = rows.length / dims;
  const vectors = new Int8Array(rows.length);
  const rowScale = new Float32Array(V);
  for (let r = 0; r < V; r++) {
    let maxAbs = 0;
    for (let d = 0; d < dims; d++) maxAbs = Math.max(maxAbs, Math.abs(rows[r * dims + d]));
    const scale = maxAbs > 0 ? maxAbs / 127 : 1;
    rowScale[r] = scale;
    for (let d = 0; d < dims; d++) vectors[r * dims + d] = Math.round(rows[r * dims + d] / scale);
  }
  return { vectors, rowScale };
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n, 0);
  return b;
}
