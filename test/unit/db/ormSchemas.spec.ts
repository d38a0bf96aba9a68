/** ORM-declared schemas applied to a real PostgreSQL (PGlite) and planned: the rehearsal for Python backends. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { discoverSchema } from '../../../src/engine/db/schema/discover';
import { closeRehearsals, explainQuery } from '../../../src/engine/db/explainQuery';

describe('db: schemas from ORM models, planned on the embedded rehearsal', function () {
  this.timeout(240_000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-orm-'));
    fs.mkdirSync(path.join(dir, 'shop'));
    fs.writeFileSync(
      path.join(dir, 'shop/models.py'),
      `from django.db import models

class Customer(models.Model):
    email = models.EmailField(unique=True)
    country = models.CharField(max_length=2)

class Order(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE)
    status = models.CharField(max_length=20)
    placed_at = models.DateTimeField()
`,
    );
  });
  after(async () => {
    await closeRehearsals();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('discovers Django models and says where the schema came from', async () => {
    const s = await discoverSchema(dir);
    assert.deepEqual(s.origin, [{ kind: 'django', paths: ['shop/models.py'] }]);
  });

  it('plans a query over them: the foreign key is already indexed (Django does that), the status filter is not', async () => {
    const byCustomer = await explainQuery({ sql: 'SELECT * FROM shop_order WHERE customer_id = $1', root: dir, rows: 50_000 }, { localOnly: true, timeoutS: 30 });
    assert.deepEqual(byCustomer.indexes, []);
    const r = await explainQuery({ sql: 'SELECT * FROM shop_order WHERE status = $1 ORDER BY placed_at DESC LIMIT 10', root: dir, rows: 50_000 }, { localOnly: true, timeoutS: 30 });
    assert.deepEqual(r.indexes.map((i) => [i.table, i.columns]), [['public.shop_order', ['status', 'placed_at']]]);
  });

  it('the demo analytics service (SQLAlchemy) plans its raw text() query', async () => {
    const demo = path.resolve(__dirname, '../../fixtures/demo-backend/analytics');
    const s = await discoverSchema(demo);
    assert.deepEqual(s.origin.map((o) => o.kind), ['sqlalchemy']);
    const r = await explainQuery({ file: 'app/routers/customers.py', line: 58, root: demo, rows: 20_000 }, { localOnly: true, timeoutS: 30 });
    assert.equal(r.statement, 'SELECT id, name, email, "createdAt" FROM "User" WHERE id = $1');
    // 20,000 rows for the fact table leaves the users at 200: a scan is the right plan, and Keel says so.
    assert.match(r.reason ?? '', /small; a sequential scan is the cheapest plan/);
  });
});
