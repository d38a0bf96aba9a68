/**
 * The embedded default embedder: a static model (one learned vector per sub-token) that runs in plain
 * JS at thousands of chunks per second, with no native code and no network. A text's vector is
 *   [ dense: pooled mean of its tokens' learned vectors, weighted by learned per-token weights ;
 *     lexical: signed-hash projection of its TF-IDF bag of words ]
 * each part L2-normalised and scaled by its share (a function of the text's length), so the whole is
 * L2-normalised. The lexical channel keeps
 * exact-identifier matches (project names the model never saw) that a static dense model blurs.
 *
 * The model file is read on first use, not at construction: engines start instantly and only pay for
 * the model when something is embedded.
 */
import * as fs from 'node:fs';
import { assetPath } from '../assets';
import { KeelError, throwIfCancelled } from '../../common/errors';
import { decodeModel, type ModelData, type ModelHeader } from './modelFile';
import { modelTokens } from './tokenize';
import type { Embedder } from './types';

export interface LoadedModel {
  data: ModelData;
  index: Map<string, number>;
  /** Lexical bucket and sign per vocabulary row, precomputed (hashing dominates otherwise). */
  bucket: Int32Array;
  loadMs: number;
}

/** Loaded models by absolute path: every embedder over the same file shares one copy in memory. */
const loaded = new Map<string, LoadedModel>();

export function loadModel(file: string): LoadedModel {
  const hit = loaded.get(file);
  if (hit) return hit;
  const t0 = performance.now();
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (error) {
    throw new KeelError('NOT_AVAILABLE', `The embedded model file is missing: ${file}. Reinstall Keel or run npm run train:embedder.`, { cause: error });
  }
  const data = decodeModel(bytes, file);
  const index = new Map<string, number>();
  data.vocab.forEach((token, i) => index.set(token, i));
  const bucket = new Int32Array(data.vocab.length);
  if (data.header.lexicalDims > 0) data.vocab.forEach((token, i) => (bucket[i] = signedBucket(token, data.header.lexicalDims)));
  const model: LoadedModel = { data, index, bucket, loadMs: performance.now() - t0 };
  loaded.set(file, model);
  return model;
}

/** Forget loaded models (tests that rewrite a model file). */
export function unloadModels(): void {
  loaded.clear();
}

/**
 * FNV-1a over UTF-16 code units → bucket in [0, buckets); the sign (a separate hash bit) makes
 * collisions cancel in expectation instead of piling up, so hashed cosine ≈ true TF-IDF cosine.
 * Encoded as +(bucket+1) or −(bucket+1).
 */
export function signedBucket(token: string, buckets: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < token.length; i++) {
    h ^= token.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h >>>= 0;
  const b = (h % buckets) + 1;
  return (h >>> 31) === 1 ? -b : b;
}

export interface StaticEmbedderOptions {
  /** Versioned id the model file must declare. */
  id: string;
  /** Model file name under models/, or an absolute path (tests). */
  file: string;
}

export class StaticEmbedder implements Embedder {
  readonly id: string;
  readonly local = true;
  private model: LoadedModel | undefined;

  constructor(private readonly options: StaticEmbedderOptions) {
    this.id = options.id;
  }

  /** Loads the model on first access (a synchronous ~10 ms file read). */
  get dimensions(): number {
    const h = this.load().data.header;
    return h.denseDims + h.lexicalDims;
  }

  get sparseFrom(): number | undefined {
    const h = this.load().data.header;
    return h.lexicalDims > 0 ? h.denseDims : undefined;
  }

  /** Milliseconds the model took to load (0 before first use). */
  get loadMs(): number {
    return this.model?.loadMs ?? 0;
  }

  load(): LoadedModel {
    if (this.model) return this.model;
    const file = this.options.file.includes('/') || this.options.file.includes('\\') ? this.options.file : resolveModel(this.options.file);
    const model = loadModel(file);
    if (model.data.header.id !== this.id) {
      throw new KeelError('NOT_AVAILABLE', `Model file ${file} holds ${model.data.header.id}, expected ${this.id}.`);
    }
    this.model = model;
    return model;
  }

  async embed(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]> {
    const model = this.load();
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i++) {
      if ((i & 255) === 0) throwIfCancelled(signal);
      out.push(this.embedOne(model, texts[i]));
    }
    return out;
  }

  /** Synchronous core, exposed for benchmarks and the trainer's evaluation. */
  embedOne(model: LoadedModel, text: string): Float32Array {
    const { header, poolWeight, idf, rowScale, vectors } = model.data;
    const D = header.denseDims;
    const L = header.lexicalDims;
    const dense = new Float64Array(D);
    const lexical = new Float64Array(L);
    const counts = new Map<string, number>();
    const tokens = modelTokens(text);
    for (const token of tokens) counts.set(token, (counts.get(token) ?? 0) + 1);
    const logTf = header.tf === 'log';
    for (const [token, n] of counts) {
      const tf = logTf ? 1 + Math.log(n) : n;
      const row = model.index.get(token);
      if (row === undefined) {
        if (L > 0) addLexical(lexical, signedBucket(token, L), tf * header.oovIdf);
        continue;
      }
      const w = tf * poolWeight[row] * rowScale[row];
      const base = row * D;
      for (let d = 0; d < D; d++) dense[d] += w * vectors[base + d];
      if (L > 0) addLexical(lexical, model.bucket[row], tf * idf[row]);
    }
    return combine(dense, lexical, L > 0 ? lexicalShareFor(header, tokens.length) : 0);
  }
}

/** The lexical channel's share for a text of `n` tokens (see ModelHeader.lexicalShareLong). */
export function lexicalShareFor(header: ModelHeader, n: number): number {
  if (header.lexicalShareLong === undefined || !header.shareRamp) return header.lexicalShare;
  const [short, long] = header.shareRamp;
  const t = long > short ? Math.min(1, Math.max(0, (n - short) / (long - short))) : n >= long ? 1 : 0;
  return header.lexicalShare + (header.lexicalShareLong - header.lexicalShare) * t;
}

function addLexical(lexical: Float64Array, signed: number, weight: number): void {
  if (signed > 0) lexical[signed - 1] += weight;
  else lexical[-signed - 1] -= weight;
}

/** Normalise each channel, weight by share (squared shares sum to 1), concatenate. */
function combine(dense: Float64Array, lexical: Float64Array, lexicalShare: number): Float32Array {
  const out = new Float32Array(dense.length + lexical.length);
  const dn = norm(dense);
  const ln = norm(lexical);
  let a = dn > 0 ? Math.sqrt(1 - lexicalShare) / dn : 0;
  let b = ln > 0 ? Math.sqrt(lexicalShare) / ln : 0;
  // If one channel is empty the other carries the whole unit norm.
  if (dn === 0 && ln > 0) b = 1 / ln;
  if (ln === 0 && dn > 0) a = 1 / dn;
  for (let d = 0; d < dense.length; d++) out[d] = dense[d] * a;
  for (let d = 0; d < lexical.length; d++) out[dense.length + d] = lexical[d] * b;
  return out;
}

function norm(v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}

function resolveModel(file: string): string {
  try {
    return assetPath('models', file);
  } catch (error) {
    throw new KeelError('NOT_AVAILABLE', `The embedded model ${file} is not installed (looked in models/). Reinstall Keel or run npm run train:embedder.`, { cause: error });
  }
}
