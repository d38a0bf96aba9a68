import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { syncIndex } from '../../../src/engine/index/indexer';
import { applyFileChanges } from '../../../src/engine/index/liveUpdates';
import { WorkspaceIndex } from '../../../src/engine/index/workspaceIndex';
import { IndexSource } from '../../../src/engine/search/indexSource';
import { KeelError } from '../../../src/common/errors';
import { makeTree } from '../workspace/helpers';
import { HashingTestEmbedder } from './testEmbedder';

const OPTS = { maxFileSizeBytes: 1024 * 1024 };

const WORKSPACE = {
  'src/users.ts': `/** Looks a user up by primary key. */\nexport async function getUserById(id: string) {\n  return db.user.findUnique({ where: { id } });\n}\n`,
  'src/orders.ts': `export class OrderService {\n  cancelOrder(orderId: string) {\n    return db.order.update({ where: { id: orderId }, data: { status: 'cancelled' } });\n  }\n}\n`,
  'db/schema.sql': `CREATE TABLE invoices (\n  id serial primary key,\n  total numeric not null\n);\n`,
  'README.md': `# Shop API\n\nAn API for the shop.\n`,
  '.env': 'DATABASE_URL=postgres://secret',
};

describe('WorkspaceIndex + syncIndex', () => {
  let tree: ReturnType<typeof makeTree>;
  let store: string;
  beforeEach(() => {
    tree = makeTree(WORKSPACE);
    store = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-store-'));
  });
  afterEach(() => {
    tree.cleanup();
    fs.rmSync(store, { recursive: true, force: true });
  });

  const open = (embedder = new HashingTestEmbedder()) => WorkspaceIndex.open({ store, roots: [tree.dir], embedder });

  it('a filtered vector search is exact: the k best chunks that pass the filter, however rare they are', async () => {
    // 60 TypeScript files and 3 Python ones: a language filter keeps 1 chunk in ~20, which an
    // over-fetch-then-filter search would mostly miss.
    for (let i = 0; i < 60; i++) fs.writeFileSync(path.join(tree.dir, 'src', `orders${i}.ts`), `export function loadOrders${i}(customerId: string) {\n  return db.orders.findMany({ where: { customerId } });\n}\n`);
    fs.mkdirSync(path.join(tree.dir, 'py'));
    for (let i = 0; i < 3; i++) fs.writeFileSync(path.join(tree.dir, 'py', `jobs${i}.py`), `def send_invoice_${i}(invoice):\n    mailer.send(invoice.customer_email, invoice.total)\n`);
    const index = await open();
    await syncIndex(index, OPTS);
    const isPython = (c: { language: string }): boolean => c.language === 'python';
    const hits = await index.vectorSearch('load orders for a customer', 3, undefined, isPython);
    assert.deepEqual(hits.map((h) => h.chunk.path).sort(), ['py/jobs0.py', 'py/jobs1.py', 'py/jobs2.py']);
    // …and they are the best Python chunks, in the unfiltered order.
    const all = await index.vectorSearch('load orders for a customer', 1000);
    assert.deepEqual(hits.map((h) => h.chunk.id), all.filter((h) => isPython(h.chunk)).slice(0, 3).map((h) => h.chunk.id));
    // Search's source (what search/query and chat use) gets the same.
    const viaSource = await new IndexSource(index).vectorSearch('load orders for a customer', 3, undefined, isPython);
    assert.deepEqual(viaSource.map((h) => h.chunk.id), hits.map((h) => h.chunk.id));
    await index.close();
  });

  it('builds, answers keyword and vector queries, and reopens to the same answers', async () => {
    const embedder = new HashingTestEmbedder();
    const index = await open(embedder);
    const r = await syncIndex(index, OPTS);
    assert.equal(r.files, 4);
    assert.equal(r.skipped, 1);
    assert.equal(r.embedded, r.chunks);
    const hit = index.keywordSearch('getUserById', 5)[0];
    assert.equal(hit.chunk.path, 'src/users.ts');
    assert.equal(hit.chunk.startLine, 1);
    assert.equal(hit.chunk.symbol, 'getUserById');
    assert.equal((await index.vectorSearch('cancel order status', 1))[0].chunk.path, 'src/orders.ts');
    assert.match((await index.readChunkText(hit.chunk))!, /findUnique/);
    const status = await index.status();
    assert.equal(status.embedder, 'test-hash-v1');
    assert.equal(status.skipped[0].path, '.env');
    assert.ok(status.bytes > 0 && status.lastUpdated);
    await index.close();

    const again = await open(embedder);
    assert.equal(again.keywordSearch('invoices total', 1)[0].chunk.path, 'db/schema.sql');
    assert.equal((await again.vectorSearch('cancel order status', 1))[0].chunk.path, 'src/orders.ts');
    const second = await syncIndex(again, OPTS);
    assert.equal(second.changed, 0, 'nothing re-read when nothing changed');
    assert.equal(embedder.embeddedTexts, r.chunks + 2, 'no re-embedding on reopen (+2: the two query embeddings)');
    await again.close();
  });

  it('re-chunks only changed files, removes deleted ones, and reuses vectors by chunk hash', async () => {
    const embedder = new HashingTestEmbedder();
    const index = await open(embedder);
    await syncIndex(index, OPTS);
    const before = embedder.embeddedTexts;
    fs.writeFileSync(path.join(tree.dir, 'src/users.ts'), `export function renamedLookup() { return 42; }\n`);
    fs.rmSync(path.join(tree.dir, 'README.md'));
    fs.copyFileSync(path.join(tree.dir, 'src/orders.ts'), path.join(tree.dir, 'src/orders-copy.ts'));
    const r = await syncIndex(index, OPTS);
    assert.equal(r.changed, 2);
    assert.equal(r.removed, 1);
    assert.equal(r.reused, 1, 'the copied file reuses the original chunk vector');
    assert.equal(embedder.embeddedTexts - before, 1);
    assert.ok(!index.keywordSearch('getUserById', 5).some((h) => h.chunk.symbol === 'getUserById'));
    assert.equal(index.keywordSearch('renamedLookup', 5)[0].chunk.path, 'src/users.ts');
    assert.ok(!index.keywordSearch('shop API', 5).some((h) => h.chunk.path === 'README.md'));
    await index.close();
  });

  it('commits append change logs to the catalog and keyword index, replays them on open, and folds them into the snapshots', async function () {
    this.timeout(180_000); // a dozen open/sync/close rounds on a shared machine
    for (let i = 0; i < 40; i++) fs.writeFileSync(path.join(tree.dir, 'src', `svc${i}.ts`), `export function service${i}(input: string) {\n  return queue.publish('topic${i}', input);\n}\n`);
    const index = await open();
    await syncIndex(index, OPTS);
    await index.close();
    const snapshot = (): string => ['catalog.json', 'keywords.bm25'].map((n) => fs.readFileSync(path.join(store, n)).toString('base64')).join();
    const manifest = (): { format: number; deltas: string[] } => JSON.parse(fs.readFileSync(path.join(store, 'manifest.json'), 'utf8')) as { format: number; deltas: string[] };
    const first = snapshot();

    // one commit of small changes: a change log, the snapshots untouched
    fs.writeFileSync(path.join(tree.dir, 'src/users.ts'), `export function renamedLookup() { return 42; }\n`);
    fs.rmSync(path.join(tree.dir, 'README.md'));
    fs.utimesSync(path.join(tree.dir, 'src/orders.ts'), new Date(), new Date(Date.now() + 5000));
    const second = await open();
    await syncIndex(second, OPTS);
    await second.close();
    assert.equal(snapshot(), first, 'the snapshots are not rewritten for a small commit');
    assert.deepEqual(manifest().deltas.length, 1);
    assert.equal(manifest().format, 2);

    // what a store built from scratch on the same tree answers
    const reference = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-store-ref-'));
    const answers = async (dir: string): Promise<string> => {
      const idx = await WorkspaceIndex.open({ store: dir, roots: [tree.dir], embedder: new HashingTestEmbedder() });
      try {
        if (dir === reference) await syncIndex(idx, OPTS);
        const files = [...idx.catalog.entries()].map((e) => `${e.path}:${e.record.hash}:${e.record.size}:${e.record.chunks.map((c) => c.hash).join('/')}`).sort();
        const hits = ['renamedLookup', 'getUserById', 'shop API', 'cancelOrder', 'queue publish topic7', 'service12 input'].map((q) =>
          idx.keywordSearch(q, 5).map((h) => `${h.chunk.path}@${h.score.toFixed(6)}`).sort().join(','));
        return JSON.stringify({ files, hits, chunks: idx.catalog.chunkCount, docs: idx.keywords.size });
      } finally {
        await idx.close();
      }
    };
    try {
      const want = await answers(reference);
      assert.equal(await answers(store), want, 'snapshot + change log replays to the from-scratch index');
      // many small commits: the logs are folded into the snapshots once they outgrow half of them
      let folded = false;
      for (let i = 0; i < 36; i += 3) {
        for (const j of [i, i + 1, i + 2]) fs.writeFileSync(path.join(tree.dir, 'src', `svc${j}.ts`), `export function service${j}(input: string) {\n  return queue.publish('moved${j}', input);\n}\n`);
        const idx = await open();
        await syncIndex(idx, OPTS);
        await idx.close();
        if (manifest().deltas.length === 0) folded = true;
        assert.ok(manifest().deltas.length <= 32);
        const onDisk = fs.readdirSync(store).filter((n) => n.startsWith('delta-')).sort();
        assert.deepEqual(onDisk, [...manifest().deltas].sort(), 'folded logs are removed with the commit');
      }
      assert.ok(folded, 'the change logs were folded into the snapshots at least once');
      fs.rmSync(reference, { recursive: true, force: true });
      fs.mkdirSync(reference);
      assert.equal(await answers(store), await answers(reference));
    } finally {
      fs.rmSync(reference, { recursive: true, force: true });
    }
  });

  it('applies live file events and makes them searchable at once', async () => {
    const index = await open();
    await syncIndex(index, OPTS);
    const file = path.join(tree.dir, 'src/payments.ts');
    fs.writeFileSync(file, 'export function refundPayment(paymentId: string) { return stripe.refunds.create(paymentId); }\n');
    const added = await applyFileChanges(index, { changed: [file], deleted: [] }, OPTS);
    assert.deepEqual(added, { applied: 1, fullSync: false });
    assert.equal(index.keywordSearch('refundPayment', 1)[0].chunk.path, 'src/payments.ts');
    assert.equal((await index.vectorSearch('refund payment stripe', 1))[0].chunk.path, 'src/payments.ts');
    // rename = delete old + create new
    const renamed = path.join(tree.dir, 'src/refunds.ts');
    fs.renameSync(file, renamed);
    await applyFileChanges(index, { changed: [renamed], deleted: [file] }, OPTS);
    assert.equal(index.keywordSearch('refundPayment', 5).map((h) => h.chunk.path).join(), 'src/refunds.ts');
    // ignored and secret files are not indexed from events either
    fs.writeFileSync(path.join(tree.dir, '.env.local'), 'KEY=1');
    const skipped = await applyFileChanges(index, { changed: [path.join(tree.dir, '.env.local')], deleted: [] }, OPTS);
    assert.equal(skipped.applied, 0);
    assert.ok(index.skipped.some((s) => s.path === '.env.local'));
    // a deleted folder drops everything under it
    fs.rmSync(path.join(tree.dir, 'src'), { recursive: true });
    await applyFileChanges(index, { changed: [], deleted: [path.join(tree.dir, 'src')] }, OPTS);
    assert.ok(!index.keywordSearch('OrderService refundPayment getUserById', 5).some((h) => h.chunk.path.startsWith('src/')));
    await index.close();
    const reopened = await open();
    assert.equal(reopened.catalog.fileCount, 2, 'live updates were persisted on close');
    await reopened.close();
  });

  it('handles a 1,000-file branch switch as one batch', async () => {
    const index = await open();
    await syncIndex(index, OPTS);
    const changed: string[] = [];
    for (let i = 0; i < 1000; i++) {
      const file = path.join(tree.dir, 'gen', `mod${i}.ts`);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, `export function handler${i}() { return ${i}; }\n`);
      changed.push(file);
    }
    const r = await applyFileChanges(index, { changed, deleted: [] }, OPTS);
    assert.deepEqual(r, { applied: 1000, fullSync: true });
    assert.equal(index.keywordSearch('handler777', 1)[0].chunk.path, 'gen/mod777.ts');
    await index.close();
  });

  it('re-embeds everything when the embedder id changes', async () => {
    const first = await open(new HashingTestEmbedder('model-a'));
    await syncIndex(first, OPTS);
    await first.close();
    const b = new HashingTestEmbedder('model-b');
    const second = await open(b);
    assert.ok(second.notices.some((n) => /Embedder changed from model-a to model-b/.test(n)));
    const r = await syncIndex(second, OPTS);
    assert.equal(r.changed, 0, 'files are not re-chunked');
    assert.equal(b.embeddedTexts, r.chunks, 'but every chunk is re-embedded');
    assert.equal((await second.status()).embedder, 'model-b');
    assert.deepEqual(fs.readdirSync(store).filter((n) => n.startsWith('vectors-')), ['vectors-model-b']);
    await second.close();
  });

  it('writes vector shards that vectra LocalIndex itself opens and queries', async () => {
    const embedder = new HashingTestEmbedder();
    const index = await open(embedder);
    await syncIndex(index, OPTS);
    await index.close();
    const { LocalIndex, ProtobufCodec } = await import('vectra');
    const folder = path.join(store, 'vectors-test-hash-v1');
    const [query] = await embedder.embed(['cancel order status']);
    const results = [];
    for (const name of fs.readdirSync(folder).filter((f) => f.endsWith('.pb'))) {
      const shard = new LocalIndex(folder, name, undefined, new ProtobufCodec());
      results.push(...(await shard.queryItems(Array.from(query), '', 1)));
    }
    assert.equal(results.length, 4, 'one item per chunk across the shards');
    results.sort((a, b) => b.score - a.score);
    assert.equal(results[0].item.metadata.path, 'src/orders.ts');
    assert.equal(results[0].item.metadata.symbol, 'OrderService, OrderService.cancelOrder');
  });

  it('works keyword-only without an embedder', async () => {
    const index = await WorkspaceIndex.open({ store, roots: [tree.dir] });
    const r = await syncIndex(index, OPTS);
    assert.equal(r.embedded, 0);
    assert.equal(index.keywordSearch('cancelOrder', 1)[0].chunk.symbol, 'OrderService, OrderService.cancelOrder', 'a small class is one chunk, which names its members');
    assert.deepEqual(await index.vectorSearch('anything', 3), []);
    assert.equal((await index.status()).embedder, null);
    await index.close();
  });

  it('detects a corrupt store and rebuilds it with a clear notice', async () => {
    const index = await open();
    await syncIndex(index, OPTS);
    await index.close();
    fs.writeFileSync(path.join(store, 'keywords.bm25'), 'garbage');
    const reopened = await open();
    // Caught by the store's checksum before the BM25 decoder sees it.
    assert.ok(reopened.notices.some((n) => /unreadable \(.*does not match its checksum.*\); it will be rebuilt/.test(n)), reopened.notices.join('; '));
    assert.equal(reopened.catalog.fileCount, 0);
    await syncIndex(reopened, OPTS);
    assert.equal(reopened.keywordSearch('getUserById', 1)[0].chunk.path, 'src/users.ts');
    await reopened.close();
    // a damaged vector shard: a bad acceleration file is rebuilt from the vectra segment silently;
    // both damaged → that shard is rebuilt (re-embedded) with a notice
    const shardDir = path.join(store, 'vectors-test-hash-v1');
    const pb = fs.readdirSync(shardDir).filter((f) => f.endsWith('.pb')).map((f) => path.join(shardDir, f)).find((f) => fs.statSync(f).size > 100)!;
    const shardNo = Number(/seg-(\d+)-/.exec(path.basename(pb))![1]);
    const sidecar = path.join(shardDir, `shard-${String(shardNo).padStart(2, '0')}.acc`);
    fs.truncateSync(sidecar, 20);
    const third = await open();
    await syncIndex(third, OPTS);
    assert.deepEqual(third.notices, []);
    assert.deepEqual(third.vectors!.rebuilt.map((r) => r.shard), [shardNo]);
    assert.equal(third.vectors!.count, third.catalog.chunkCount);
    await third.close();
    fs.truncateSync(sidecar, 20);
    fs.truncateSync(pb, 50);
    const embedder = new HashingTestEmbedder();
    const fourth = await open(embedder);
    const r = await syncIndex(fourth, OPTS);
    assert.ok(fourth.notices.some((n) => /Vector shard \d+ was unreadable/.test(n)), fourth.notices.join('; '));
    assert.ok(embedder.embeddedTexts >= 1 && embedder.embeddedTexts < r.chunks, 'only the damaged shard was re-embedded');
    assert.equal(fourth.vectors!.count, fourth.catalog.chunkCount);
    await fourth.close();
  });

  it('refuses a second writer with INDEX_LOCKED but lets status read', async () => {
    const index = await open();
    await syncIndex(index, OPTS);
    await assert.rejects(open(), (e: unknown) => e instanceof KeelError && e.code === 'INDEX_LOCKED');
    const reader = await WorkspaceIndex.open({ store, roots: [], readOnly: true });
    assert.equal((await reader.status()).files, 4);
    await index.close();
    const after = await open();
    await after.close();
  });

  it('cancels between files and keeps the last committed state', async () => {
    const index = await open();
    await syncIndex(index, OPTS);
    fs.writeFileSync(path.join(tree.dir, 'src/users.ts'), 'export const changed = true;\n');
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(syncIndex(index, { ...OPTS, signal: controller.signal }), (e: unknown) => e instanceof KeelError && e.code === 'CANCELLED');
    await index.close();
  });
});
