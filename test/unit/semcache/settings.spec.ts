import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { call } from '../../../src/engine/engine';
import { createEngine } from '../../../src/engine/createEngine';
import { silentLogger } from '../../../src/engine/log';
import { defaultMargin, defaultThreshold } from '../../../src/engine/llm/cache';
import { SemanticCacheKey } from '../../../src/engine/llm/runtime';

describe('semantic cache settings (keel.cache.threshold / keel.cache.margin)', () => {
  it('uses the embedder’s calibration when unset, the setting when set, and the calibration again when cleared', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-cache-settings-'));
    const engine = createEngine({ host: 'in-process', log: silentLogger, storageDir: dir });
    try {
      const cache = engine.services.get(SemanticCacheKey);
      assert.equal(cache.threshold, defaultThreshold(cache.embedderId));
      assert.equal(cache.margin, defaultMargin(cache.embedderId));
      assert.ok(cache.margin > 0, 'the default embedder ships a calibrated margin');
      await call(engine, 'engine/configure', { settings: { 'keel.cache.threshold': 0.9, 'keel.cache.margin': 0 } });
      assert.equal(cache.threshold, 0.9);
      assert.equal(cache.margin, 0);
      await call(engine, 'engine/configure', { settings: { 'keel.cache.threshold': null, 'keel.cache.margin': null } });
      assert.equal(cache.threshold, defaultThreshold(cache.embedderId));
      assert.equal(cache.margin, defaultMargin(cache.embedderId));
    } finally {
      await engine.shutdown();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
