/**
 * The embedder the index benchmark uses: Keel's product embedder if its model is installed, otherwise
 * a 256-d hashing embedder of the same shape (the figures then measure the index, not the model).
 */
import { createEmbedder } from '../../src/engine/embed/registry';
import type { Embedder } from '../../src/engine/embed/types';
import { HashingTestEmbedder } from '../unit/index/testEmbedder';

export async function benchEmbedder(): Promise<{ embedder: Embedder; label: string }> {
  try {
    const embedder = createEmbedder();
    await embedder.embed(['probe']);
    return { embedder, label: `${embedder.id} (product embedder)` };
  } catch (error) {
    const embedder = new HashingTestEmbedder('bench-hash-256', 256);
    return { embedder, label: `bench-hash-256 (product model unavailable: ${(error as Error).message.split('(')[0].trim()})` };
  }
}
