import * as assert from 'node:assert/strict';
import { CooccurrenceCounter, type Csr } from '../../../scripts/embedder/cooccur';
import { PooledModel, pairMrr, trainContrastive, type Pair } from '../../../scripts/embedder/contrastive';
import { contentHash } from '../../../scripts/embedder/dedupe';
import { jsFunctions, pythonFunctions } from '../../../scripts/embedder/extract';
import { gaussian, mulberry32 } from '../../../scripts/embedder/rng';
import { orthonormalise, truncatedSvd } from '../../../scripts/embedder/svd';

describe('embedder trainer parts', () => {
  it('extracts Python (docstring summary → function without docstring)', () => {
    const src = [
      'import os',
      '',
      'class Reader:',
      '    def read_lines(self, path,',
      '                   encoding="utf-8"):',
      '        """Read a file into a list of lines.',
      '',
      '        :param path: the file',
      '        """',
      '        with open(path) as f:',
      '            return f.read().splitlines()',
      '',
      '    async def nodoc(self):',
      '        return 1',
      'x = 1',
    ].join('\n');
    const fns = pythonFunctions(src);
    assert.equal(fns.length, 2);
    assert.equal(fns[0].doc, 'Read a file into a list of lines.');
    assert.equal(fns[0].docRest, ':param path: the file');
    assert.ok(fns[0].code.includes('splitlines') && !fns[0].code.includes('Read a file'));
    assert.ok(fns[0].full.includes('Read a file'));
    assert.equal(fns[1].doc, '');
    assert.ok(!fns[1].code.includes('x = 1'));
  });

  it('extracts JSDoc-commented JS functions with their bodies', () => {
    const src = '/**\n * Finds a user by id.\n * @param {string} id\n */\nexport async function findUser(id) {\n  if (id) { return db.get(id); }\n}\nconst y = 2;';
    const [fn] = jsFunctions(src);
    assert.equal(fn.doc, 'Finds a user by id.');
    assert.ok(fn.code.startsWith('export async function findUser') && fn.code.endsWith('}'));
    assert.ok(!fn.code.includes('const y'));
    assert.equal(jsFunctions('/** not a function */\nconst LIMIT = 3;').length, 0);
  });

  it('hashes content independent of layout (dedupe catches re-indented copies)', () => {
    assert.equal(contentHash('def f(a):\n    return a'), contentHash('def  f( a ):\n\treturn a\n'));
    assert.notEqual(contentHash('def f(a): return a'), contentHash('def g(a): return a'));
  });

  it('counts windowed co-occurrence and keeps only positive PMI', () => {
    const counter = new CooccurrenceCounter(4, 4, 10);
    // 0 and 1 always together, 2 and 3 always together.
    for (let i = 0; i < 50; i++) counter.addStream(Int32Array.from([0, 1, -1, -1, -1, -1, -1, 2, 3, -1, -1, -1, -1, -1]), 2);
    const ppmi: Csr = counter.toPpmi();
    const has = (r: number, c: number): boolean => {
      for (let p = ppmi.rowPtr[r]; p < ppmi.rowPtr[r + 1]; p++) if (ppmi.colIdx[p] === c) return ppmi.values[p] > 0;
      return false;
    };
    assert.ok(has(0, 1) && has(1, 0) && has(2, 3));
    assert.ok(!has(0, 2) && !has(1, 3));
  });

  it('randomised SVD recovers the singular values of a low-rank matrix', () => {
    const rng = mulberry32(7);
    const rows = 60;
    const cols = 40;
    // A = 5·u1v1ᵀ + 2·u2v2ᵀ with orthonormal u, v.
    const U = new Float64Array(rows * 2).map(() => gaussian(rng));
    const V = new Float64Array(cols * 2).map(() => gaussian(rng));
    orthonormalise(U, rows, 2);
    orthonormalise(V, cols, 2);
    const rowPtr = new Int32Array(rows + 1);
    const colIdx: number[] = [];
    const values: number[] = [];
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        colIdx.push(c);
        values.push(5 * U[r * 2] * V[c * 2] + 2 * U[r * 2 + 1] * V[c * 2 + 1]);
      }
      rowPtr[r + 1] = colIdx.length;
    }
    const A: Csr = { rows, cols, rowPtr, colIdx: Int32Array.from(colIdx), values: Float32Array.from(values) };
    const { singular } = truncatedSvd(A, 2, mulberry32(1), { oversample: 4 });
    assert.ok(Math.abs(singular[0] - 5) < 1e-3, `σ1 ${singular[0]}`);
    assert.ok(Math.abs(singular[1] - 2) < 1e-3, `σ2 ${singular[1]}`);
  });

  it('contrastive training pulls each doc towards its own code', () => {
    const rng = mulberry32(3);
    const V = 60;
    const D = 16;
    // Token i (doc side) and token 30 + i (code side) mean the same thing; random init knows nothing.
    const E = Float32Array.from({ length: V * D }, () => gaussian(rng) * 0.3);
    const model = new PooledModel(E, new Float32Array(V), D);
    const bag = (ids: number[]) => ({ ids: Int32Array.from(ids), counts: new Float32Array(ids.length).fill(1) });
    const pairs: Pair[] = Array.from({ length: 30 }, (_, i) => ({ doc: bag([i, (i + 1) % 30]), code: bag([30 + i, 30 + ((i + 1) % 30)]) }));
    const before = pairMrr(model, pairs);
    trainContrastive(model, pairs, rng, { epochs: 40, batchSize: 10, temperature: 0.1, lrVectors: 0.05, lrWeights: 0.05, log: () => undefined });
    const after = pairMrr(model, pairs);
    assert.ok(after > 0.9 && after > before + 0.3, `MRR ${before.toFixed(3)} → ${after.toFixed(3)}`);
  });
});
