/**
 * `db/explain` against a REAL PostgreSQL 15 server (started and stopped here): HypoPG-proven advice,
 * statement timeouts, bad credentials, a dead server, local-only refusal, nothing left open.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { explainQuery } from '../../../src/engine/db/explainQuery';
import { redactDatabaseUrl } from '../../../src/engine/db/database';
import { startPostgres, type PgServer } from '../../helpers/postgres';

const SCHEMA = fs.readFileSync(path.resolve(__dirname, '../../fixtures/db/advisor-cases/migrations/001_init.sql'), 'utf8');

describe('db: plans on a real PostgreSQL server', function () {
  this.timeout(180_000);
  let pg: PgServer;
  before(async () => {
    pg = await startPostgres();
    pg.psql('CREATE DATABASE shop');
    const url = pg.url('postgres', 'keel-super', 'shop');
    const { Client } = await import('pg');
    const c = new Client({ connectionString: url });
    await c.connect();
    await c.query(SCHEMA);
    await c.query(`INSERT INTO users (email, country, created_at) SELECT 'u' || g || '@x.io', 'c' || (g % 50), now() FROM generate_series(1, 20000) g`);
    await c.query(`INSERT INTO orders (user_id, status, total_cents, created_at) SELECT 1 + (g % 20000), (ARRAY['new','paid','shipped'])[1 + g % 3], g % 9999, now() - g * interval '1 minute' FROM generate_series(1, 200000) g`);
    await c.query('ANALYZE');
    await c.query(`CREATE ROLE reader LOGIN PASSWORD 'reader-pw'`);
    await c.query('GRANT SELECT ON ALL TABLES IN SCHEMA public TO reader');
    await c.end();
  });
  after(() => pg?.stop());

  const opts = { localOnly: true, timeoutS: 20 };

  it('plans on the server and proves the index with HypoPG (nothing built)', async () => {
    const db = pg.url('postgres', 'keel-super', 'shop');
    const r = await explainQuery({ sql: 'SELECT * FROM orders WHERE user_id = $1 ORDER BY created_at DESC LIMIT 20', db }, opts);
    assert.equal(r.database, `postgres://postgres:****@127.0.0.1:${pg.port}/shop`);
    assert.ok(!JSON.stringify(r).includes('keel-super'), 'the password is never in the result');
    assert.deepEqual(r.indexes.map((i) => [i.table, i.columns, i.proof]), [['public.orders', ['user_id', 'created_at'], 'hypopg']]);
    assert.ok(r.indexes[0].costAfter < r.indexes[0].costBefore / 2);
    assert.ok(r.findings.some((f) => f.code === 'KEEL-PLAN-SEQ-SCAN' && f.table === 'orders'));
    // HypoPG wrote nothing: the table still has only its primary key.
    assert.equal(pg.psql(`SELECT count(*) FROM pg_indexes WHERE tablename = 'orders'`, 'shop').trim(), '1');
  });

  it('plans but gives the reason for no advice when HypoPG is missing and the role cannot create it', async () => {
    pg.psql('CREATE DATABASE plain');
    pg.psql(`CREATE TABLE t (id int, v int); INSERT INTO t SELECT g, g FROM generate_series(1, 50000) g; ANALYZE t; GRANT SELECT ON t TO reader`, 'plain');
    const r = await explainQuery({ sql: 'SELECT * FROM t WHERE v = $1', db: pg.url('reader', 'reader-pw', 'plain') }, opts);
    assert.deepEqual(r.indexes, []);
    assert.match(r.reason ?? '', /HypoPG/);
    assert.ok(r.findings.some((f) => f.code === 'KEEL-PLAN-SEQ-SCAN'));
    assert.equal(pg.psql(`SELECT count(*) FROM pg_extension WHERE extname = 'hypopg'`, 'plain').trim(), '0');
  });

  it('EXPLAIN ANALYZE respects the statement timeout on a real server and leaves no transaction open', async () => {
    const db = pg.url('postgres', 'keel-super', 'shop');
    await assert.rejects(
      explainQuery({ sql: 'SELECT pg_sleep(10)', db, analyze: true, statementTimeoutS: 0.5 }, opts),
      (e: { code?: string }) => e.code === 'TIMEOUT',
    );
    const open = pg.psql(`SELECT count(*) FROM pg_stat_activity WHERE application_name = 'keel'`).trim();
    assert.equal(open, '0', 'every connection was closed');
  });

  it('a data-changing ANALYZE is rolled back', async () => {
    const db = pg.url('postgres', 'keel-super', 'shop');
    await explainQuery({ sql: 'DELETE FROM orders WHERE id <= 10', db, analyze: true, allowWrites: true }, opts);
    assert.equal(pg.psql('SELECT count(*) FROM orders WHERE id <= 10', 'shop').trim(), '10');
  });

  it('wrong password, dead server, unknown database, bad URL and local-only are coded errors', async () => {
    await assert.rejects(explainQuery({ sql: 'SELECT 1', db: pg.url('postgres', 'wrong', 'shop') }, opts), (e: { code?: string; message?: string }) => e.code === 'DB_AUTH_FAILED' && !/wrong/.test(e.message ?? ''));
    await assert.rejects(explainQuery({ sql: 'SELECT 1', db: 'postgres://u:p@127.0.0.1:1/x' }, opts), (e: { code?: string }) => e.code === 'DB_UNAVAILABLE');
    await assert.rejects(explainQuery({ sql: 'SELECT 1', db: pg.url('postgres', 'keel-super', 'nope') }, opts), (e: { code?: string }) => e.code === 'DB_UNAVAILABLE');
    await assert.rejects(explainQuery({ sql: 'SELECT 1', db: 'mysql://x@127.0.0.1/y' }, opts), (e: { code?: string }) => e.code === 'BAD_INPUT');
    await assert.rejects(explainQuery({ sql: 'SELECT 1', db: 'postgres://u:secret@db.example.com/x' }, opts), (e: { code?: string; message?: string }) => e.code === 'EGRESS_BLOCKED' && !/secret/.test(e.message ?? ''));
  });

  it('redacts passwords in URLs, including query-string ones', () => {
    assert.equal(redactDatabaseUrl('postgres://a:b@h:5432/d?sslmode=require&password=zz'), 'postgres://a:****@h:5432/d?sslmode=require&password=****');
  });
});
