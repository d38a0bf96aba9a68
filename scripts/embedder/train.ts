/**
 * `npm run train:embedder` — builds models/keel-code-v1.bin from scratch, reproducibly (fixed seed,
 * pinned package versions, sorted file order):
 *   1. corpus: Python from Debian packages + JS from `npm pack`, minus anything matching the eval data
 *   2. vocabulary + idf over functions
 *   3. co-occurrence (±5 tokens, 1/d) → PPMI → randomised SVD: the initial token vectors
 *   4. contrastive doc ↔ code training of vectors and pooling weights
 *   5. int8 quantisation → the artifact
 * Stage 1–3 results are cached in .keel-cache/embedder/ so step 4 can be iterated quickly.
 * Flags: --tf log|raw --serve-tf log|raw --lexical-share X --lexical-share-long X --share-ramp A,B
 *        --code-side with-doc-rest|code-only --checkpoints --epochs N --dims N --vocab N --lexical-dims N --lexical-share X --out FILE --no-contrastive
 *        --data DIR (the evaluation data to dedupe against; default ../shared/data) --rebuild
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import * as v8 from 'node:v8';
import { encodeModel, quantizeRows } from '../../src/engine/embed/modelFile';
import { DEFAULT_EMBEDDER_ID, DEFAULT_MODEL_FILE } from '../../src/engine/embed/registry';
import { modelTokens } from '../../src/engine/embed/tokenize';
import { CooccurrenceCounter } from './cooccur';
import { ensureNpmPackages, listFiles, pythonRoots, type SourceFile } from './corpus';
import { contentHash, loadEvalHashes } from './dedupe';
import { jsFunctions, pythonFunctions, type FunctionSpan } from './extract';
import { PooledModel, pairMrr, trainContrastive, type Bag, type Pair } from './contrastive';
import { mulberry32, shuffle } from './rng';
import { truncatedSvd } from './svd';

const ROOT = path.resolve(__dirname, '..', '..');
const CACHE = path.join(ROOT, '.keel-cache');
const SEED = 20251125;
const log = (s: string): void => void process.stderr.write(s + '\n');

const { values: flags } = parseArgs({
  options: {
    epochs: { type: 'string', default: '2' },
    dims: { type: 'string', default: '256' },
    vocab: { type: 'string', default: '40000' },
    contexts: { type: 'string', default: '10000' },
    'lexical-dims': { type: 'string', default: '256' },
    'lexical-share': { type: 'string', default: '0.6' },
    'lexical-share-long': { type: 'string', default: '0' },
    'share-ramp': { type: 'string', default: '12,30' },
    'serve-tf': { type: 'string' },
    lr: { type: 'string', default: '0.002' },
    temperature: { type: 'string', default: '0.05' },
    batch: { type: 'string', default: '256' },
    out: { type: 'string', default: path.join(ROOT, 'models', DEFAULT_MODEL_FILE) },
    data: { type: 'string', default: path.resolve(ROOT, '..', 'shared', 'data') },
    'no-contrastive': { type: 'boolean', default: false },
    rebuild: { type: 'boolean', default: false },
    tf: { type: 'string', default: 'log' },
    // with-doc-rest: the code side keeps its docstring minus the summary (as code is indexed);
    // code-only: the docstring is removed entirely (attempts A–C, E).
    'code-side': { type: 'string', default: 'with-doc-rest' },
    checkpoints: { type: 'boolean', default: false },
  },
});

interface Stage1 {
  vocab: string[];
  idf: Float32Array;
  oovIdf: number;
  vectors: Float32Array;
  pairs: Array<{ doc: [Int32Array, Float32Array]; code: [Int32Array, Float32Array] }>;
  stats: Record<string, unknown>;
}

const MAX_CODE_TOKENS = 300;

function stage1(dims: number, maxVocab: number, contexts: number): Stage1 {
  const withRest = flags['code-side'] !== 'code-only';
  const key = `stage1-d${dims}-v${maxVocab}-c${contexts}${withRest ? '-docrest' : ''}.v8`;
  const cacheFile = path.join(CACHE, 'embedder', key);
  if (!flags.rebuild && fs.existsSync(cacheFile)) {
    log(`stage 1: cached (${path.relative(ROOT, cacheFile)}); --rebuild to recompute`);
    return v8.deserialize(fs.readFileSync(cacheFile)) as Stage1;
  }
  const t0 = Date.now();
  const evalHashes = loadEvalHashes(flags.data!);
  log(`dedupe against: ${evalHashes.sources.join('; ')}`);

  const files: SourceFile[] = [];
  for (const root of pythonRoots()) files.push(...listFiles(root, 'python', root.includes('dist-packages') ? 'debian-python3-packages' : 'python-stdlib'));
  for (const root of ensureNpmPackages(CACHE, log)) files.push(...listFiles(root, 'javascript', 'npm'));
  log(`corpus: ${files.length} files`);

  // Pass 1: clean each file of eval-matching functions, count tokens, document frequency, pairs (as text).
  const freq = new Map<string, number>();
  const df = new Map<string, number>();
  let functions = 0;
  let removedEval = 0;
  let tokens = 0;
  const bytesBySource: Record<string, number> = {};
  const tokensBySource: Record<string, number> = {};
  const pairsBySource: Record<string, number> = {};
  const textPairs: Array<{ doc: string[]; code: string[] }> = [];
  const seenDocs = new Set<string>();
  const cleanedFiles: string[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = fs.readFileSync(file.path, 'utf8');
    } catch {
      continue;
    }
    const spans: FunctionSpan[] = file.language === 'python' ? pythonFunctions(text) : jsFunctions(text);
    for (const span of spans) {
      functions++;
      if (evalHashes.code.has(contentHash(span.full)) || evalHashes.code.has(contentHash(span.code))) {
        text = text.replace(span.full, '');
        removedEval++;
        continue;
      }
      for (const t of new Set(modelTokens(span.code))) df.set(t, (df.get(t) ?? 0) + 1);
      const doc = modelTokens(span.doc);
      if (doc.length < 3) continue;
      const docKey = doc.join(' ');
      if (seenDocs.has(docKey) || evalHashes.text.has(contentHash(span.doc))) continue;
      seenDocs.add(docKey);
      // with-doc-rest: the code side keeps the docstring minus its summary, as code is indexed with its
      // docstring; the summary (the "question") never appears on both sides.
      const codeText = withRest && span.docRest ? `${span.code}\n${span.docRest}` : span.code;
      textPairs.push({ doc, code: modelTokens(codeText).slice(0, MAX_CODE_TOKENS) });
      pairsBySource[file.source] = (pairsBySource[file.source] ?? 0) + 1;
    }
    const toks = modelTokens(text);
    for (const t of toks) freq.set(t, (freq.get(t) ?? 0) + 1);
    tokens += toks.length;
    bytesBySource[file.source] = (bytesBySource[file.source] ?? 0) + Buffer.byteLength(text);
    tokensBySource[file.source] = (tokensBySource[file.source] ?? 0) + toks.length;
    cleanedFiles.push(text);
  }
  log(`pass 1: ${tokens} tokens, ${freq.size} distinct, ${functions} functions, ${removedEval} removed as eval matches, ${textPairs.length} pairs (${((Date.now() - t0) / 1000).toFixed(0)} s)`);

  const vocab = [...freq.entries()].filter(([, n]) => n >= 5).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, maxVocab).map(([t]) => t);
  const index = new Map(vocab.map((t, i) => [t, i]));
  const idf = new Float32Array(vocab.length);
  const idfOf = (n: number): number => Math.log(1 + functions / (n + 1));
  vocab.forEach((t, i) => (idf[i] = idfOf(df.get(t) ?? 0)));
  const oovIdf = idfOf(0);

  // Pass 2: co-occurrence over the cleaned files.
  const counter = new CooccurrenceCounter(vocab.length, Math.min(contexts, vocab.length));
  for (const text of cleanedFiles) {
    const toks = modelTokens(text);
    const ids = new Int32Array(toks.length);
    for (let i = 0; i < toks.length; i++) ids[i] = index.get(toks[i]) ?? -1;
    counter.addStream(ids, 5);
  }
  log(`pass 2: ${counter.distinctPairs} distinct pairs, ${counter.dropped} dropped (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  const ppmi = counter.toPpmi();
  log(`PPMI: ${ppmi.values.length} non-zeros; SVD to ${dims} dims…`);
  const { vectors } = truncatedSvd(ppmi, dims, mulberry32(SEED), { powerIterations: 1 });
  log(`SVD done (${((Date.now() - t0) / 1000).toFixed(0)} s)`);

  const bag = (toks: string[]): [Int32Array, Float32Array] => {
    const counts = new Map<number, number>();
    for (const t of toks) {
      const i = index.get(t);
      if (i !== undefined) counts.set(i, (counts.get(i) ?? 0) + 1);
    }
    return [Int32Array.from(counts.keys()), Float32Array.from(counts.values())];
  };
  const pairs = textPairs.map((p) => ({ doc: bag(p.doc), code: bag(p.code) })).filter((p) => p.doc[0].length >= 2 && p.code[0].length >= 3);
  const stats = {
    files: files.length,
    bytesBySource,
    tokensBySource,
    pairsBySource,
    tokens,
    functions,
    removedEvalFunctions: removedEval,
    pairs: pairs.length,
    vocab: vocab.length,
    cooccurrencePairs: counter.distinctPairs,
    ppmiNonZeros: ppmi.values.length,
    stage1Seconds: Math.round((Date.now() - t0) / 1000),
  };
  const result: Stage1 = { vocab, idf, oovIdf, vectors, pairs, stats };
  fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
  fs.writeFileSync(cacheFile, v8.serialize(result));
  return result;
}

function main(): void {
  const dims = Number(flags.dims);
  const s1 = stage1(dims, Number(flags.vocab), Number(flags.contexts));
  const V = s1.vocab.length;
  const rng = mulberry32(SEED + 1);
  // Unit rows: the pooling weight, not the SVD's row norm, decides how much a token counts.
  const E = Float32Array.from(s1.vectors);
  for (let r = 0; r < V; r++) {
    let n = 0;
    for (let d = 0; d < dims; d++) n += E[r * dims + d] ** 2;
    n = Math.sqrt(n) || 1;
    for (let d = 0; d < dims; d++) E[r * dims + d] /= n;
  }
  const theta = Float32Array.from(s1.idf, (x) => Math.log(Math.max(x, 1e-3)));
  const model = new PooledModel(E, theta, dims);
  // The runtime's term-frequency transform (header.tf), applied here too so training sees what use sees.
  const tf: 'raw' | 'log' = flags.tf === 'raw' ? 'raw' : 'log';
  const toBag = ([ids, counts]: [Int32Array, Float32Array]): Bag => ({ ids, counts: tf === 'log' ? counts.map((c) => 1 + Math.log(c)) : counts });
  const pairs: Pair[] = shuffle(s1.pairs.map((p) => ({ doc: toBag(p.doc), code: toBag(p.code) })), rng);
  const heldOut = pairs.slice(0, 1000);
  const train = pairs.slice(1000);
  const history: number[] = [pairMrr(model, heldOut)];
  log(`PPMI-SVD held-out pair MRR@10 (1000 candidates): ${history[0].toFixed(4)}`);
  const t0 = Date.now();
  if (!flags['no-contrastive']) {
    history.push(
      ...trainContrastive(model, train, rng, {
        epochs: Number(flags.epochs),
        batchSize: Number(flags.batch),
        temperature: Number(flags.temperature),
        lrVectors: Number(flags.lr),
        lrWeights: Number(flags.lr) * 5,
        log,
        validate: () => pairMrr(model, heldOut),
        onEpoch: (epoch, h) => {
          if (flags.checkpoints) writeArtifact(model, s1, flags.out!.replace(/\.bin$/, `-e${epoch}.bin`), [history[0], ...h], train.length, Math.round((Date.now() - t0) / 1000), tf);
        },
      }),
    );
  }
  const contrastiveSeconds = Math.round((Date.now() - t0) / 1000);
  const bytes = writeArtifact(model, s1, flags.out!, history, train.length, contrastiveSeconds, tf);
  log(`wrote ${flags.out} (${(bytes / 1e6).toFixed(2)} MB)`);
  process.stdout.write(JSON.stringify({ out: flags.out, bytes, heldOutMrr10: history.map((x) => Number(x.toFixed(4))), ...s1.stats }) + '\n');
}

function writeArtifact(model: PooledModel, s1: Stage1, file: string, history: number[], trainPairs: number, contrastiveSeconds: number, tf: 'raw' | 'log'): number {
  const dims = model.dims;
  const { vectors, rowScale } = quantizeRows(model.E, dims);
  const poolWeight = Float32Array.from(model.theta, (t) => Math.exp(t));
  const epochs = history.length - 1;
  const header = {
    id: DEFAULT_EMBEDDER_ID,
    denseDims: dims,
    lexicalDims: Number(flags['lexical-dims']),
    lexicalShare: Number(flags['lexical-share']),
    lexicalShareLong: Number(flags['lexical-share-long']),
    shareRamp: flags['share-ramp']!.split(',').map(Number) as [number, number],
    oovIdf: s1.oovIdf,
    vocabSize: s1.vocab.length,
    // Normally the training transform; --serve-tf overrides it (attempt A: trained raw, served log).
    tf: flags['serve-tf'] === 'raw' || flags['serve-tf'] === 'log' ? flags['serve-tf'] : tf,
    trainedWith: {
      trainer: 'scripts/embedder/train.ts',
      seed: SEED,
      objective: epochs === 0 ? 'PPMI-SVD' : 'PPMI-SVD + symmetric InfoNCE doc↔code (in-batch negatives)',
      epochs,
      codeSide: flags['code-side'] === 'code-only' ? 'code-only' : 'with-doc-rest',
      temperature: Number(flags.temperature),
      batch: Number(flags.batch),
      lr: Number(flags.lr),
      heldOutMrr10: history.map((x) => Number(x.toFixed(4))),
      trainPairs,
      contrastiveSeconds,
      ...s1.stats,
    },
  };
  const bytes = encodeModel({ header, vocab: s1.vocab, poolWeight, idf: s1.idf, rowScale, vectors });
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, bytes);
  return bytes.length;
}

main();
