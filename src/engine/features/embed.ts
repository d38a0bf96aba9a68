/** `embed/texts`: embeddings on request (the `keel embed` CLI, outside evaluation, debugging). */
import { EmbedderKey, embedderFor, provideEmbedder } from '../embed/service';
import type { Engine } from '../engine';
import { KeelError } from '../../common/errors';

/** Bounds one request's memory: 10k texts × 512 dims is ~40 MB of JSON already. */
const MAX_TEXTS = 10_000;
const MAX_TEXT_CHARS = 100_000;

export function registerEmbedFeature(engine: Engine): void {
  provideEmbedder(engine.services);

  engine.handle('embed/texts', async (params, ctx) => {
    const texts = params?.texts;
    if (!Array.isArray(texts) || texts.some((t) => typeof t !== 'string')) {
      throw new KeelError('INVALID_PARAMS', 'embed/texts needs `texts`: an array of strings.');
    }
    if (texts.length > MAX_TEXTS) throw new KeelError('INVALID_PARAMS', `At most ${MAX_TEXTS} texts per request (got ${texts.length}).`);
    const long = texts.findIndex((t) => t.length > MAX_TEXT_CHARS);
    if (long >= 0) throw new KeelError('BAD_INPUT', `Text ${long + 1} is longer than ${MAX_TEXT_CHARS} characters.`);
    if (params.embedder !== undefined && typeof params.embedder !== 'string') {
      throw new KeelError('INVALID_PARAMS', '`embedder` must be an embedder id string.');
    }
    const embedder = params.embedder ? embedderFor(engine.services, params.embedder) : engine.services.get(EmbedderKey);
    const vectors = await embedder.embed(texts, ctx.signal);
    return { embedder: embedder.id, dimensions: embedder.dimensions, vectors: vectors.map((v) => Array.from(v, roundFloat)) };
  });
}

/** float32 printed as float64 carries ~9 digits of noise; 7 significant digits round-trip float32. */
function roundFloat(x: number): number {
  return Number(x.toPrecision(7));
}
