import * as assert from 'node:assert/strict';
import { analyze, splitIdentifier, stem } from '../../../src/engine/search/analyzer';
import { Bm25Index } from '../../../src/engine/search/bm25';
import { reciprocalRankFusion } from '../../../src/engine/search/rrf';

describe('analyzer', () => {
  it('splits identifiers and keeps the compound original', () => {
    assert.deepEqual(splitIdentifier('getUserById'), ['get', 'user', 'by', 'id']);
    assert.deepEqual(splitIdentifier('HTTPServer_v2'), ['http', 'server', 'v', '2']);
    const tokens = analyze('const getUserById = parse_json(x)');
    assert.ok(tokens.includes('getuserbyid'));
    assert.ok(tokens.includes('user'));
    assert.ok(tokens.includes('parse_json'));
    assert.ok(tokens.includes('json'));
    assert.ok(!tokens.includes('x'), 'single letters are dropped');
  });
  it('stems prose lightly and drops stop words', () => {
    assert.equal(stem('users'), 'user');
    assert.equal(stem('queries'), 'query');
    assert.equal(stem('running'), 'run');
    assert.equal(stem('class'), 'class');
    assert.deepEqual(analyze('how to read the files'), ['read', 'file']);
  });
});

describe('Bm25Index', () => {
  function sample(): Bm25Index {
    const index = new Bm25Index();
    index.add('a', { text: 'function getUserById(id) { return db.users.find(id) }', symbol: 'getUserById', path: 'src/users.ts' });
    index.add('b', { text: 'function deleteOrder(order) { return db.orders.delete(order.id) }', symbol: 'deleteOrder', path: 'src/orders.ts' });
    index.add('c', { text: 'Reads the configuration file and returns settings', symbol: 'loadConfig', path: 'src/config.ts' });
    return index;
  }

  it('ranks the defining chunk first for an identifier and for prose', () => {
    const index = sample();
    assert.equal(index.search('getUserById', 3)[0].docId, 'a');
    assert.equal(index.search('delete an order', 3)[0].docId, 'b');
    assert.equal(index.search('read config files', 3)[0].docId, 'c');
    assert.deepEqual(index.search('nonexistentterm', 3), []);
  });

  it('boosts symbol matches over body matches', () => {
    const index = new Bm25Index();
    index.add('body', { text: 'calls payment somewhere payment', symbol: 'other' });
    index.add('sym', { text: 'does things', symbol: 'payment' });
    assert.equal(index.search('payment', 2)[0].docId, 'sym');
  });

  it('removes exactly, replaces on re-add and honours the filter', () => {
    const index = sample();
    assert.equal(index.remove('a'), true);
    assert.equal(index.remove('a'), false);
    assert.equal(index.size, 2);
    assert.ok(!index.search('getUserById', 3).some((h) => h.docId === 'a'));
    index.add('b', { text: 'renamed to cancelShipment' });
    assert.equal(index.search('deleteOrder', 3).length, 0);
    assert.equal(index.search('cancel shipment', 3)[0].docId, 'b');
    assert.deepEqual(index.search('config', 3, (id) => id !== 'c'), []);
  });

  it('documentShare: the share of live documents holding a term, after removals too', () => {
    const index = new Bm25Index();
    index.add('a', { text: 'invoice total' });
    index.add('b', { text: 'invoice tax' });
    index.add('c', { text: 'shipping' });
    assert.equal(index.documentShare('invoice'), 2 / 3);
    assert.equal(index.documentShare('absent'), 0);
    index.remove('a');
    assert.equal(index.documentShare('invoice'), 1 / 2);
  });

  it('round-trips through serialize/deserialize, including later removals', () => {
    const index = sample();
    index.remove('b');
    const copy = Bm25Index.deserialize(index.serialize());
    assert.equal(copy.size, 2);
    assert.deepEqual(copy.search('user by id', 3), index.search('user by id', 3));
    assert.equal(copy.remove('a'), true);
    assert.ok(!copy.search('getUserById', 3).some((h) => h.docId === 'a'));
    copy.add('d', { text: 'getUserById again' });
    assert.equal(copy.search('getUserById', 3)[0].docId, 'd');
  });

  it('rejects a truncated snapshot', () => {
    const bytes = sample().serialize();
    assert.throws(() => Bm25Index.deserialize(bytes.subarray(0, bytes.length - 3)), /truncated/);
    assert.throws(() => Bm25Index.deserialize(Buffer.from('garbage')), /not a Keel BM25/);
  });
});

describe('reciprocalRankFusion', () => {
  it('fuses by rank with weights, counting duplicates once', () => {
    const fused = reciprocalRankFusion([
      { ids: ['x', 'y', 'x'] },
      { ids: ['y', 'z'], weight: 2 },
    ]);
    assert.deepEqual(fused.map((h) => h.id), ['y', 'z', 'x']);
    assert.ok(Math.abs(fused[0].score - (1 / 62 + 2 / 61)) < 1e-12);
    assert.deepEqual(fused[0].ranks, [2, 1]);
    assert.equal(reciprocalRankFusion([{ ids: ['a', 'b'] }], { limit: 1 }).length, 1);
  });
});
