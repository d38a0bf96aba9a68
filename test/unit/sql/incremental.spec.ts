import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { analyzeSource } from '../../../src/engine/sql/analyze';
import { clearTreeCache, editBetween } from '../../../src/engine/sql/treeCache';
import { DEMO, read } from './helpers';

/** A small deterministic PRNG so that failures reproduce. */
function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
}

describe('sql/analyze incremental reparsing', () => {
  afterEach(() => clearTreeCache());

  it('gives exactly the findings of a fresh parse across a sequence of random edits', async () => {
    for (const rel of ['src/routes/reports.ts', 'analytics/app/routers/customers.py']) {
      const original = read(path.join(DEMO, rel));
      const random = rng(rel.length);
      let text = original;
      for (let step = 0; step < 25; step++) {
        const at = Math.floor(random() * text.length);
        const del = Math.floor(random() * 6);
        const insert = ['', 'x', '\n', "'", ' + id', '(', 'é😀'][Math.floor(random() * 7)];
        text = text.slice(0, at) + insert + text.slice(at + del);
        if (step % 5 === 4) text = original; // and back again, as undo does
        const incremental = await analyzeSource({ path: rel, text }, { incremental: true });
        const fresh = await analyzeSource({ path: rel, text });
        assert.deepEqual(incremental, fresh, `${rel} step ${step}`);
      }
    }
  });

  it('computes one contiguous edit between two texts', () => {
    const e = editBetween('ab\ncd\nef', 'ab\ncXYd\nef');
    assert.deepEqual([e.startIndex, e.oldEndIndex, e.newEndIndex], [4, 4, 6]);
    assert.deepEqual([e.startPosition, e.oldEndPosition, e.newEndPosition], [{ row: 1, column: 1 }, { row: 1, column: 1 }, { row: 1, column: 3 }]);
  });

  it('reports UTF-16 columns (as VS Code counts them) after non-ASCII text', async () => {
    const text = "import { Pool } from 'pg';\nconst pool = new Pool();\nexport const f = (id: string) => { const n = 'é😀'; return pool.query(`SELECT a FROM t WHERE id = ${id}`); };\n";
    const [f] = await analyzeSource({ path: 'u.ts', text });
    const line = text.split('\n')[2];
    assert.equal(f.column, line.indexOf('`SELECT') + 1);
  });
});
