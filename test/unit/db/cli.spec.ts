import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { runKeel } from '../../helpers/cli';

const DEMO = path.resolve(__dirname, '../../fixtures/demo-backend');

describe('keel explain (CLI contract)', function () {
  this.timeout(240_000);

  it('--json prints { statement, database, plan, cost, findings, indexes } for <file>:<line> on the embedded rehearsal', () => {
    const r = runKeel(['explain', 'src/routes/orders.ts:14', '--rows', '20000', '--json'], { cwd: DEMO, env: { KEEL_DATABASE_URL: '' }, timeoutMs: 230_000 });
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    for (const key of ['statement', 'database', 'plan', 'cost', 'findings', 'indexes']) assert.ok(key in out, key);
    assert.equal(out.database, 'embedded');
    assert.equal(out.derived, 'prisma');
    assert.equal(out.statement, 'SELECT * FROM "Order" WHERE "userId" = $1 ORDER BY "createdAt" DESC LIMIT 50');
    assert.deepEqual(out.indexes.map((i: { table: string; columns: string[] }) => [i.table, i.columns]), [['public.Order', ['userId', 'createdAt']]]);
    assert.equal(out.indexes[0].createSql, 'CREATE INDEX CONCURRENTLY ON "public"."Order" ("userId", "createdAt");');
  });

  it('usage errors exit 2; bad SQL is a coded runtime error (exit 3)', () => {
    const usage = runKeel(['explain', '--json'], { cwd: DEMO });
    assert.equal(usage.code, 2);
    const bad = runKeel(['explain', '--sql', 'SELEC 1', '--rows', '1000', '--json'], { cwd: DEMO, env: { KEEL_DATABASE_URL: '' }, timeoutMs: 230_000 });
    assert.equal(bad.code, 3, bad.stderr + bad.stdout);
    assert.equal(JSON.parse(bad.stdout).error.code, 'SQL_INVALID');
  });
});
