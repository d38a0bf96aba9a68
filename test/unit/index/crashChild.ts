/**
 * Child process for the crash-safety test: indexes a folder over and over, rewriting some files
 * between rounds, with tiny commit intervals so that a kill lands inside every kind of write.
 * argv: <root> <store> <seed>
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { syncIndex } from '../../../src/engine/index/indexer';
import { WorkspaceIndex } from '../../../src/engine/index/workspaceIndex';
import { HashingTestEmbedder } from './testEmbedder';

async function main(): Promise<void> {
  const [root, store, seedText] = process.argv.slice(2);
  let seed = Number(seedText) || 1;
  const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const index = await WorkspaceIndex.open({ store, roots: [root], embedder: new HashingTestEmbedder() });
  process.stdout.write('started\n');
  for (let round = 0; ; round++) {
    await syncIndex(index, { maxFileSizeBytes: 1 << 20, commitEveryFiles: 25, commitEveryMs: 0, embedBatch: 16 });
    const files = fs.readdirSync(root);
    for (let i = 0; i < 20; i++) {
      const file = path.join(root, files[Math.floor(random() * files.length)]);
      fs.writeFileSync(file, `export function rewritten${round}_${i}() { return ${random()}; }\n`);
    }
  }
}

void main();
