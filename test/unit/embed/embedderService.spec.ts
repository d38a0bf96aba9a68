import * as assert from 'node:assert/strict';
import { ConfigKey } from '../../../src/engine/config';
import { createEngine } from '../../../src/engine/createEngine';
import { EmbedderKey } from '../../../src/engine/embed/service';
import { call } from '../../../src/engine/engine';
import { createLogger } from '../../../src/engine/log';
import { EmbeddingsServer } from '../../servers/openaiEmbeddings';

describe('embed/service: the active embedder follows settings', () => {
  it('defaults to keel-code-v1 and is rebuilt when keel.embedder or its endpoint changes', async () => {
    const engine = createEngine({ host: 'in-process', log: createLogger(() => undefined, 'error') });
    const server = await new EmbeddingsServer('sk-local').start();
    try {
      const first = engine.services.get(EmbedderKey);
      assert.equal(first.id, 'keel-code-v1');
      assert.equal(engine.services.get(EmbedderKey), first, 'one instance while nothing changes');

      await call(engine, 'engine/configure', {
        settings: { 'keel.embedder': 'openai-compatible:mini@8', 'keel.openaiCompatible.baseUrl': server.baseURL, 'keel.localOnly': true },
        secrets: { 'openai-compatible': 'sk-local' },
      });
      const second = engine.services.get(EmbedderKey);
      assert.equal(second.id, 'openai-compatible:mini@8');
      const result = await call(engine, 'embed/texts', { texts: ['hello'] });
      assert.equal(result.embedder, 'openai-compatible:mini@8');
      assert.equal(server.requests[0].headers.authorization, 'Bearer sk-local', 'the key from engine/configure is used');

      // Local-only with a remote endpoint: the embedder cannot be built, with a coded error.
      await call(engine, 'engine/configure', { settings: { 'keel.openaiCompatible.baseUrl': 'https://embeddings.example.com/v1' } });
      await assert.rejects(call(engine, 'embed/texts', { texts: ['x'] }), (e: { code?: string }) => e.code === 'EGRESS_BLOCKED');
      assert.ok(engine.services.has(ConfigKey));
    } finally {
      await server.close();
      await engine.shutdown();
    }
  });
});
