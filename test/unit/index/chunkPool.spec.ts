import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { createFilePreparer } from '../../../src/engine/index/chunkPool';
import { prepareFile } from '../../../src/engine/index/prepareFile';

describe('chunk pool (worker threads)', () => {
  it('prepares files on workers exactly as in-process', async () => {
    const pool = createFilePreparer(2);
    try {
      assert.equal(pool.kind, 'workers');
      const files = ['src/engine/search/bm25.ts', 'src/engine/index/chunk.ts', 'package.json', 'does-not-exist.ts'];
      for (const rel of files) {
        const req = { abs: path.resolve(rel), rel, maxBytes: 1 << 20 };
        assert.deepEqual(await pool.prepare(req), await prepareFile(req), rel);
      }
      const unchanged = await prepareFile({ abs: path.resolve(files[0]), rel: files[0], maxBytes: 1 << 20 });
      assert.ok(unchanged.ok);
      const skipped = await pool.prepare({ abs: path.resolve(files[0]), rel: files[0], maxBytes: 1 << 20, knownHash: unchanged.hash });
      assert.deepEqual(skipped, { ok: true, hash: unchanged.hash, size: unchanged.size, chunks: undefined }, 'unchanged content is not re-chunked');
    } finally {
      await pool.close();
    }
  });
});
