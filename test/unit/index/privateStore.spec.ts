/**
 * What Keel keeps on disk is private: redacted values never enter the keyword index or the chunk
 * texts it embeds, and every store file is created 0600 inside 0700 folders (the index, its lock, the
 * ledger, the semantic cache, the egress log).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { syncIndex } from '../../../src/engine/index/indexer';
import { applyFileChanges } from '../../../src/engine/index/liveUpdates';
import { prepareFile } from '../../../src/engine/index/prepareFile';
import { WorkspaceIndex } from '../../../src/engine/index/workspaceIndex';
import { saveCacheFile } from '../../../src/engine/llm/cache/cacheFile';
import { AuditLog } from '../../../src/engine/egress/auditLog';
import { JsonlLog } from '../../../src/engine/llm/ledger/jsonlLog';
import { makeTree } from '../workspace/helpers';
import { HashingTestEmbedder } from './testEmbedder';

const OPTS = { maxFileSizeBytes: 1024 * 1024 };
const SECRETS = ['Sup3rS3cretPw', 'q8ZrT3vW9xYb2NcM5dLf7GhJ4kPs6AeU', 'Rabb1tPass'];
const APP = `export const config = {
  dbPassword: "${SECRETS[0]}",
  signingKey: "${SECRETS[1]}",
  broker: "amqp://guest:${SECRETS[2]}@mq.internal:5672/",
};
export function connectOrders() { return open(config); }
`;

function allFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

describe('private index store', () => {
  let tree: ReturnType<typeof makeTree>;
  let store: string;
  beforeEach(() => {
    tree = makeTree({ 'src/app.ts': APP });
    store = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'keel-priv-')), 'nested', 'store');
  });
  afterEach(() => {
    tree.cleanup();
    fs.rmSync(path.dirname(path.dirname(store)), { recursive: true, force: true });
  });

  it('chunks are prepared from masked text, lines kept', async () => {
    const prepared = await prepareFile({ abs: path.join(tree.dir, 'src/app.ts'), rel: 'src/app.ts', maxBytes: OPTS.maxFileSizeBytes });
    assert.ok(prepared.ok && prepared.chunks);
    const text = prepared.chunks.map((c) => c.text).join('\n');
    for (const s of SECRETS) assert.ok(!text.includes(s), `${s} in chunk text`);
    assert.match(text, /connectOrders/);
    assert.equal(prepared.chunks[prepared.chunks.length - 1].endLine, APP.trimEnd().split('\n').length);
  });

  it('keeps secrets out of the keyword index and the files on disk (full sync and live update)', async () => {
    const index = await WorkspaceIndex.open({ store, roots: [tree.dir], embedder: new HashingTestEmbedder() });
    await syncIndex(index, OPTS);
    assert.ok(index.keywordSearch('connectOrders', 5).length > 0);
    for (const s of SECRETS) assert.deepEqual(index.keywordSearch(s, 5), [], `${s} is searchable`);
    fs.writeFileSync(path.join(tree.dir, 'src/live.ts'), APP.replace('connectOrders', 'connectLive'));
    await applyFileChanges(index, { changed: [path.join(tree.dir, 'src/live.ts')], deleted: [] }, OPTS);
    assert.ok(index.keywordSearch('connectLive', 5).length > 0);
    for (const s of SECRETS) assert.deepEqual(index.keywordSearch(s, 5), [], `${s} is searchable after a live update`);
    await index.close();
    for (const file of allFiles(store)) {
      const bytes = fs.readFileSync(file).toString('latin1');
      for (const s of SECRETS) assert.ok(!bytes.includes(s), `${s} in ${file}`);
    }
  });

  it('creates store folders 0700 and files 0600, and tightens an existing store folder', async () => {
    fs.mkdirSync(store, { recursive: true, mode: 0o755 });
    fs.chmodSync(store, 0o755);
    const index = await WorkspaceIndex.open({ store, roots: [tree.dir], embedder: new HashingTestEmbedder() });
    await syncIndex(index, OPTS);
    const lockMode = fs.readdirSync(store).filter((n) => /lock/.test(n)).map((n) => fs.statSync(path.join(store, n)).mode & 0o777);
    await index.close();
    assert.equal(fs.statSync(store).mode & 0o777, 0o700);
    for (const mode of lockMode) assert.equal(mode, 0o600);
    const files = allFiles(store);
    assert.ok(files.length >= 3);
    for (const f of files) assert.equal(fs.statSync(f).mode & 0o777, 0o600, f);
    for (const d of fs.readdirSync(store, { withFileTypes: true }).filter((e) => e.isDirectory())) {
      assert.equal(fs.statSync(path.join(store, d.name)).mode & 0o777, 0o700, d.name);
    }
  });

  it('ledger, semantic cache and egress log are private too', () => {
    const dir = path.join(path.dirname(store), 'state', 'keel');
    new JsonlLog<{ a: number }>(path.join(dir, 'ledger', 'cost.jsonl'), (v): v is { a: number } => true).append({ a: 1 });
    saveCacheFile(path.join(dir, 'cache', 'semantic-cache.json'), []);
    new AuditLog(path.join(dir, 'egress')).append({ time: 'now' } as never);
    for (const f of allFiles(dir)) assert.equal(fs.statSync(f).mode & 0o777, 0o600, f);
    for (const d of ['', 'ledger', 'cache', 'egress']) assert.equal(fs.statSync(path.join(dir, d)).mode & 0o777, 0o700, d || dir);
    assert.equal(fs.statSync(path.dirname(dir)).mode & 0o777, 0o700, 'folders created on the way are private too');
  });
});
