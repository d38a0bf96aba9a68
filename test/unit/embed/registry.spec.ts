import * as assert from 'node:assert/strict';
import { OpenAIEmbedder } from '../../../src/engine/embed/openaiEmbedder';
import { createEmbedder, DEFAULT_EMBEDDER_ID } from '../../../src/engine/embed/registry';
import { StaticEmbedder } from '../../../src/engine/embed/staticEmbedder';
import { KeelError } from '../../../src/common/errors';

const code = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    return (error as KeelError).code;
  }
  return 'none';
};

describe('embed/registry', () => {
  it('defaults to the embedded model under its versioned id; the alias means the same', () => {
    for (const id of [undefined, 'keel-code', 'keel-code-v1', ' keel-code ']) {
      const e = createEmbedder(id);
      assert.ok(e instanceof StaticEmbedder);
      assert.equal(e.id, DEFAULT_EMBEDDER_ID);
      assert.equal(e.local, true);
    }
    assert.equal(DEFAULT_EMBEDDER_ID, 'keel-code-v1');
  });

  it('parses provider ids with model and dimensions', () => {
    const small = createEmbedder('openai:text-embedding-3-small@512', { apiKey: 'sk-x' });
    assert.ok(small instanceof OpenAIEmbedder);
    assert.equal(small.id, 'openai:text-embedding-3-small@512');
    assert.equal(small.dimensions, 512);
    assert.equal(small.local, false);
    assert.equal(createEmbedder('openai:', { apiKey: 'sk-x' }).id, 'openai:text-embedding-3-small');
    assert.equal(createEmbedder('openai:text-embedding-3-large', { apiKey: 'sk-x' }).dimensions, 3072);
    const ollama = createEmbedder('openai-compatible:nomic-embed-text:latest');
    assert.equal(ollama.id, 'openai-compatible:nomic-embed-text:latest');
    assert.equal(ollama.local, true, 'defaults to Ollama on loopback');
  });

  it('reads OPENAI_API_KEY from the given environment, and says so when it is missing', () => {
    assert.equal(code(() => createEmbedder('openai:text-embedding-3-small', { env: {} })), 'PROVIDER_NOT_CONFIGURED');
    assert.equal(code(() => createEmbedder('openai:text-embedding-3-small', { env: { OPENAI_API_KEY: 'sk-env' } })), 'none');
  });

  it('rejects unknown ids and bad dimensions with INVALID_PARAMS', () => {
    assert.equal(code(() => createEmbedder('word2vec')), 'INVALID_PARAMS');
    assert.equal(code(() => createEmbedder('openai:text-embedding-3-small@0', { apiKey: 'k' })), 'INVALID_PARAMS');
    assert.equal(code(() => createEmbedder('openai:text-embedding-3-small@big', { apiKey: 'k' })), 'INVALID_PARAMS');
    assert.equal(code(() => createEmbedder('openai-compatible:m', { baseURL: 'ftp://host/v1' })), 'INVALID_PARAMS');
    assert.equal(code(() => createEmbedder('openai-compatible:m', { baseURL: 'not a url' })), 'INVALID_PARAMS');
  });
});
