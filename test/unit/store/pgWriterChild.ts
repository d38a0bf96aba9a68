/**
 * Child process for the "writer killed mid-upload" test: builds the local index of <root> and
 * publishes it to <url>, announcing each uploaded batch and then stalling, so the parent can SIGKILL
 * it with a pending commit half-written on the server.
 * argv: <root> <store> <url>
 */
import { syncIndex } from '../../../src/engine/index/indexer';
import { WorkspaceIndex } from '../../../src/engine/index/workspaceIndex';
import { PgStore } from '../../../src/engine/store/postgres/pgStore';
import { publishWorkspace } from '../../../src/engine/store/postgres/publishWorkspace';
import { HashingTestEmbedder } from '../index/testEmbedder';

async function main(): Promise<void> {
  const [root, store, url] = process.argv.slice(2);
  const index = await WorkspaceIndex.open({ store, roots: [root], embedder: new HashingTestEmbedder() });
  await syncIndex(index, { maxFileSizeBytes: 1 << 20 });
  const pg = await PgStore.open(url, { localOnly: true, timeoutS: 30, migrate: true });
  await publishWorkspace(pg, index, {
    repo: 'shop', branch: 'main', actor: 'killed-ci', maxBytes: 1 << 20,
    afterBatch: async (n) => {
      process.stdout.write(`batch ${n}\n`);
      if (n >= 1) await new Promise(() => undefined); // stall until killed
    },
  });
}

void main();
