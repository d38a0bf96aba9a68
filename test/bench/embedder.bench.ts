/**
 * `npm run bench:embedder` — load time and single-process throughput of the embedded model on
 * ~250-token chunks cut from real source files (this repository's own src/ and node_modules/openai).
 * Prints figures only; the last line is one JSON object {"chunksPerSec","loadMs","dims",…}.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createEmbedder, DEFAULT_MODEL_FILE } from '../../src/engine/embed/registry';
import { StaticEmbedder } from '../../src/engine/embed/staticEmbedder';
import { modelTokens } from '../../src/engine/embed/tokenize';

const ROOT = path.resolve(__dirname, '..', '..');
const TARGET_TOKENS = 250;

function sourceChunks(limit: number): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const name of fs.readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      const stat = fs.statSync(full);
      if (stat.isDirectory()) walk(full);
      else if (/\.(ts|js)$/.test(name) && !/\.d\.(c|m)?ts$/.test(name)) files.push(full);
    }
  };
  walk(path.join(ROOT, 'src'));
  walk(path.join(ROOT, 'node_modules', 'openai'));
  const chunks: string[] = [];
  // Cut each file into line windows of about TARGET_TOKENS model tokens, as the chunker would.
  for (const file of files) {
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    let buf: string[] = [];
    let tokens = 0;
    for (const line of lines) {
      buf.push(line);
      tokens += modelTokens(line).length;
      if (tokens >= TARGET_TOKENS) {
        chunks.push(buf.join('\n'));
        buf = [];
        tokens = 0;
        if (chunks.length >= limit) return chunks;
      }
    }
  }
  return chunks;
}

async function main(): Promise<void> {
  const embedder = createEmbedder();
  if (!(embedder instanceof StaticEmbedder)) throw new Error('default embedder is not the embedded model');
  const t0 = performance.now();
  const dims = embedder.dimensions; // forces the lazy load
  const loadMs = performance.now() - t0;
  const base = sourceChunks(2000);
  const avgTokens = base.reduce((s, c) => s + modelTokens(c).length, 0) / base.length;
  const avgChars = base.reduce((s, c) => s + c.length, 0) / base.length;
  await embedder.embed(base.slice(0, 200)); // warm-up (JIT)
  const rounds = 5;
  const t1 = performance.now();
  for (let r = 0; r < rounds; r++) await embedder.embed(base);
  const seconds = (performance.now() - t1) / 1000;
  const chunksPerSec = Math.round((rounds * base.length) / seconds);
  const bytes = fs.statSync(path.join(ROOT, 'models', DEFAULT_MODEL_FILE)).size;
  console.log(`model ${embedder.id}: ${dims} dims, ${(bytes / 1e6).toFixed(2)} MB, loaded in ${loadMs.toFixed(0)} ms`);
  console.log(`${base.length} chunks × ${rounds} rounds, avg ${avgTokens.toFixed(0)} tokens / ${avgChars.toFixed(0)} chars per chunk`);
  console.log(`throughput: ${chunksPerSec} chunks/s single process (target ≥ 2000)`);
  console.log(JSON.stringify({ chunksPerSec, loadMs: Math.round(loadMs), dims }));
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${(error as Error).message}`);
  process.exit(1);
});
