/** The schema as chat context: which questions get it, which tables, how big, and how it is cached. */
import * as assert from 'node:assert/strict';
import { ChatSchemaCache, schemaContext } from '../../../src/engine/db/chatSchema';
import type { WorkspaceSchema } from '../../../src/engine/db/schema/model';

const SCHEMA: WorkspaceSchema = {
  origin: [{ kind: 'sql-migrations', paths: ['db/001_init.sql'] }],
  ddl: [
    'CREATE TABLE customers (id serial PRIMARY KEY, email text NOT NULL)',
    'CREATE TABLE orders (id serial PRIMARY KEY, customer_id int NOT NULL, placed_at timestamptz)',
    'CREATE INDEX orders_customer_idx ON orders (customer_id)',
    'CREATE TABLE audit_events (id bigserial PRIMARY KEY, payload jsonb)',
  ],
};

describe('db: the schema as chat context', () => {
  it('a question naming a table gets that table with its indexes, and only the names of the others', () => {
    const text = schemaContext(SCHEMA, 'why is loading an order slow?', [])!;
    assert.match(text, /read from sql-migrations: db\/001_init\.sql/);
    assert.match(text, /CREATE TABLE orders/);
    assert.match(text, /CREATE INDEX orders_customer_idx ON orders/);
    assert.doesNotMatch(text, /CREATE TABLE customers/);
    assert.match(text, /-- Other tables: customers, audit_events/);
  });

  it('a data question that names no table gets the tables the retrieved code uses', () => {
    const text = schemaContext(SCHEMA, 'is this query using an index?', ['const rows = await db.query("SELECT * FROM customers WHERE email = $1", [email]);'])!;
    assert.match(text, /CREATE TABLE customers/);
    assert.doesNotMatch(text, /CREATE TABLE orders/);
  });

  it('a question that is not about data gets nothing', () => {
    assert.equal(schemaContext(SCHEMA, 'how do we format currency in the invoice view?', ['function formatCurrency() {}']), undefined);
  });

  it('stays small on a large schema', () => {
    const big: WorkspaceSchema = { origin: SCHEMA.origin, ddl: Array.from({ length: 500 }, (_, i) => `CREATE TABLE orders_${i} (id int PRIMARY KEY, ${'note text, '.repeat(20)}x int)`) };
    const text = schemaContext(big, 'which tables have a foreign key to orders?', [])!;
    assert.ok(text.length < 7000, String(text.length));
  });

  it('discovers once per root, answers a slow first discovery without the schema rather than waiting, then serves it', async () => {
    let calls = 0;
    let release!: (s: WorkspaceSchema) => void;
    const cache = new ChatSchemaCache(() => {
      calls++;
      return new Promise((resolve) => (release = resolve));
    });
    const started = Date.now();
    assert.equal(await cache.attachmentFor('/ws', 'orders query', []), undefined);
    assert.ok(Date.now() - started < 3000);
    release(SCHEMA);
    await new Promise((r) => setImmediate(r));
    const attachment = await cache.attachmentFor('/ws', 'orders query', []);
    assert.equal(attachment?.kind, 'schema');
    assert.equal(attachment?.path, 'db/001_init.sql');
    assert.equal(calls, 1);
  });
});
