import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EmbedderKey } from '../../../src/engine/embed/service';
import { call } from '../../../src/engine/engine';
import { createEngine } from '../../../src/engine/createEngine';
import { silentLogger } from '../../../src/engine/log';
import { retrieveForChat, sqlFindingsIn } from '../../../src/engine/chat/retrieve';
import { IndexServiceKey } from '../../../src/engine/index/indexService';
import { makeTree } from '../workspace/helpers';
import { HashingTestEmbedder } from './testEmbedder';

describe('unsaved editor buffers (buffers/sync)', () => {
  it('search and chat retrieval see a dirty buffer; saving, reverting or closing it returns to the disk', async () => {
    const tree = makeTree({
      'src/orders.ts': 'export function listOrders() {\n  return [];\n}\n',
      'src/users.ts': 'export function findUser(id: string) {\n  return id;\n}\n',
    });
    const storage = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-storage-'));
    const e = createEngine({ host: 'in-process', log: silentLogger, storageDir: storage });
    e.services.set(EmbedderKey, new HashingTestEmbedder());
    const orders = path.join(tree.dir, 'src', 'orders.ts');
    const search = async (query: string) => (await call(e, 'search/query', { query, dir: tree.dir, ensureIndex: true, mode: 'bm25', top: 3 })).hits;
    try {
      await call(e, 'index/build', { roots: [tree.dir] });
      assert.equal((await search('reconcileInvoices')).length, 0);

      const unsaved = 'export function listOrders() {\n  return [];\n}\n\nexport function reconcileInvoices(batch: string[]) {\n  return batch.length;\n}\n';
      assert.deepEqual(await call(e, 'buffers/sync', { dirty: [{ path: orders, text: unsaved }], clean: [] }), { buffers: 1 });
      const hits = await search('reconcileInvoices');
      assert.equal(hits[0]?.path, 'src/orders.ts');
      assert.ok(hits[0].endLine >= 7 && hits[0].symbol.includes('reconcileInvoices'), `the hit holds the unsaved function: ${JSON.stringify(hits[0])}`);
      assert.equal(fs.readFileSync(orders, 'utf8').includes('reconcileInvoices'), false, 'nothing was written to disk');

      // the chat's passages (what a model is shown) come from the buffer too
      const ctx = { id: 1, signal: new AbortController().signal, stream: () => undefined, notify: () => undefined, log: silentLogger };
      const retrieved = await retrieveForChat(e, tree.dir, undefined, 'where is reconcileInvoices?', ctx);
      assert.equal(retrieved.passages[0]?.path, 'src/orders.ts');
      assert.match(retrieved.passages[0].text, /export function reconcileInvoices\(batch: string\[\]\) \{\n {2}return batch\.length;/);

      // the offline answer's SQL findings are found in the same text, at the passage's lines
      const injected = `${unsaved}\nexport function byName(db: any, name: string) {\n  return db.query("SELECT * FROM invoices WHERE name = '" + name + "'");\n}\n`;
      await call(e, 'buffers/sync', { dirty: [{ path: orders, text: injected }], clean: [] });
      const passage = { id: 'p', path: 'src/orders.ts', startLine: 1, endLine: 12, symbol: '', language: 'typescript', score: 1, text: injected };
      const buffers = e.services.get(IndexServiceKey).buffers;
      const findings = await sqlFindingsIn(tree.dir, [passage], buffers);
      assert.ok(findings.some((f) => f.line === 10 && /INJECTION/.test(f.code)), JSON.stringify(findings));
      assert.deepEqual(await sqlFindingsIn(tree.dir, [passage]), [], 'the disk holds no such code');

      assert.deepEqual(await call(e, 'buffers/sync', { dirty: [], clean: [orders] }), { buffers: 0 });
      assert.equal((await search('reconcileInvoices')).length, 0, 'closed without saving: the disk version again');
    } finally {
      await e.shutdown();
      tree.cleanup();
      fs.rmSync(storage, { recursive: true, force: true });
    }
  });

  it('the CLI path (no buffers/sync) reads the disk, and a bad body is refused', async () => {
    const e = createEngine({ host: 'in-process', log: silentLogger });
    try {
      await assert.rejects(call(e, 'buffers/sync', { dirty: 'x', clean: [] } as never));
    } finally {
      await e.shutdown();
    }
  });
});
