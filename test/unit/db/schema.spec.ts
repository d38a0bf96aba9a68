import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parsePrismaSchema } from '../../../src/engine/db/schema/prisma';
import { splitSqlScript } from '../../../src/engine/db/schema/sqlScript';
import { statementAt } from '../../../src/engine/db/statementAt';

const DEMO = path.resolve(__dirname, '../../fixtures/demo-backend');

describe('db schema: Prisma → DDL', () => {
  const schema = parsePrismaSchema(fs.readFileSync(path.join(DEMO, 'prisma/schema.prisma'), 'utf8'));

  it('lays out models as prisma migrate does: quoted names, serial ids, enums, unique indexes, unindexed foreign keys', () => {
    const order = schema.tables.find((t) => t.name === 'Order')!;
    assert.deepEqual(order.primaryKey, ['id']);
    assert.deepEqual(order.foreignKeys, [{ columns: ['userId'], refTable: 'User', refColumns: ['id'] }]);
    assert.equal(order.columns.find((c) => c.name === 'status')!.type, '"OrderStatus"');
    assert.ok(schema.ddl.includes(`CREATE TYPE "OrderStatus" AS ENUM ('PENDING', 'PAID', 'SHIPPED', 'CANCELLED')`));
    assert.ok(schema.ddl.some((d) => d.startsWith('CREATE TABLE "Order" ("id" serial NOT NULL, "userId" integer NOT NULL')));
    assert.ok(schema.ddl.includes('CREATE UNIQUE INDEX "User_email_key" ON "User" ("email")'));
    // Prisma creates no index for a relation's scalar field on PostgreSQL: neither do we.
    assert.ok(!schema.ddl.some((d) => /INDEX.*"Order" \("userId"\)/.test(d)));
  });

  it('honours @map, @@map, @db types, optional fields, composite ids and @@index', () => {
    const s = parsePrismaSchema(`
      model Account {
        id        String   @id @default(uuid()) @db.Uuid
        ownerMail String   @map("owner_mail") @db.VarChar(120)
        note      String?
        tags      String[]
        members   Member[]
        @@map("accounts")
        @@index([ownerMail, note])
      }
      model Member {
        accountId String  @map("account_id") @db.Uuid
        userId    Int
        account   Account @relation(fields: [accountId], references: [id])
        @@id([accountId, userId])
      }`);
    const accounts = s.tables.find((t) => t.name === 'accounts')!;
    assert.deepEqual(
      accounts.columns.map((c) => [c.name, c.type, c.nullable]),
      [['id', 'uuid', false], ['owner_mail', 'varchar(120)', false], ['note', 'text', true], ['tags', 'text[]', false]],
    );
    assert.deepEqual(accounts.indexes, [{ columns: ['owner_mail', 'note'], unique: false }]);
    const member = s.tables.find((t) => t.name === 'Member')!;
    assert.deepEqual(member.primaryKey, ['account_id', 'userId']);
    assert.deepEqual(member.foreignKeys, [{ columns: ['account_id'], refTable: 'accounts', refColumns: ['id'] }]);
  });
});

describe('db schema: SQL scripts', () => {
  it('splits at top-level semicolons only (quotes, comments, dollar-quoted bodies)', () => {
    const parts = splitSqlScript(`
      -- a comment; with a semicolon
      CREATE TABLE a (x text DEFAULT ';');
      /* block; comment */ CREATE FUNCTION f() RETURNS trigger AS $$ BEGIN NEW.x := 'a;b'; RETURN NEW; END; $$ LANGUAGE plpgsql;
      CREATE TABLE "we;ird" (y int)`);
    assert.equal(parts.length, 3);
    assert.match(parts[0], /^CREATE TABLE a/);
    assert.match(parts[1], /RETURN NEW; END; \$\$ LANGUAGE plpgsql$/);
    assert.equal(parts[2], 'CREATE TABLE "we;ird" (y int)');
  });
});

describe('db: the statement under the cursor', () => {
  const prisma = parsePrismaSchema(fs.readFileSync(path.join(DEMO, 'prisma/schema.prisma'), 'utf8'));
  const orders = fs.readFileSync(path.join(DEMO, 'src/routes/orders.ts'), 'utf8');

  it('derives SQL from a Prisma findMany with where, orderBy and take, and says it was derived', async () => {
    const s = await statementAt('orders.ts', orders, 15, prisma);
    assert.equal(s.sql, 'SELECT * FROM "Order" WHERE "userId" = $1 ORDER BY "createdAt" DESC LIMIT 50');
    assert.equal(s.derived, 'prisma');
    assert.deepEqual([s.startLine, s.endLine], [14, 18]);
  });

  it('derives findFirst (LIMIT 1) and operators (in, gte)', async () => {
    const text = `const a = await prisma.orderItem.findFirst({ where: { orderId: { in: ids }, quantity: { gte: 2 } } });`;
    const s = await statementAt('x.ts', text, 1, prisma);
    assert.equal(s.sql, 'SELECT * FROM "OrderItem" WHERE "orderId" = ANY ($1) AND "quantity" >= $2 LIMIT 1');
  });

  it('turns interpolations and driver placeholders into $n parameters', async () => {
    const js = 'const { rows } = await pool.query(`SELECT * FROM "Order" WHERE "userId" = ${id} AND status = ${s}`);';
    assert.equal((await statementAt('a.js', js, 1)).sql, 'SELECT * FROM "Order" WHERE "userId" = $1 AND status = $2');
    const py = 'cur.execute("SELECT id FROM orders WHERE user_id = %s AND total > %(min)s", (uid,))\n';
    assert.equal((await statementAt('a.py', py, 1)).sql, 'SELECT id FROM orders WHERE user_id = $1 AND total > $2');
    const java = 'PreparedStatement ps = c.prepareStatement("SELECT * FROM orders WHERE user_id = ? ORDER BY id");\n';
    assert.equal((await statementAt('A.java', `class A { void f() { ${java} } }`, 1)).sql, 'SELECT * FROM orders WHERE user_id = $1 ORDER BY id');
  });

  it('says so when there is no statement at the line', async () => {
    await assert.rejects(statementAt('a.ts', 'const x = 1;\n', 1), (e: { code?: string }) => e.code === 'BAD_INPUT');
  });
});

describe('db: derived SQL is never a guess', () => {
  const prisma = parsePrismaSchema(fs.readFileSync(path.join(DEMO, 'prisma/schema.prisma'), 'utf8'));
  it('derives nothing when the filter is a variable, a relation filter or an unknown operator', async () => {
    for (const text of [
      'prisma.product.findMany({ where, take: 5 })',
      'prisma.product.findMany({ where: { category: { slug: s } } })',
      'prisma.product.findMany({ where: { name: { search: q } } })',
      'prisma.product.findMany({ ...args })',
    ]) {
      await assert.rejects(statementAt('x.ts', text, 1, prisma), (e: { code?: string }) => e.code === 'BAD_INPUT', text);
    }
  });
  it('adds OFFSET for skip', async () => {
    const s = await statementAt('x.ts', 'prisma.product.findMany({ orderBy: { name: "asc" }, skip: 20, take: 10 })', 1, prisma);
    assert.equal(s.sql, 'SELECT * FROM "Product" ORDER BY "name" LIMIT 10 OFFSET 20');
  });
});

describe('db schema: SQLAlchemy and Django models', () => {
  it('reads the demo analytics service’s SQLAlchemy 2.0 models: renamed columns, foreign keys, unique', () => {
    const { parseSqlAlchemyModels } = require('../../../src/engine/db/schema/pythonModels') as typeof import('../../../src/engine/db/schema/pythonModels');
    const tables = parseSqlAlchemyModels(fs.readFileSync(path.join(DEMO, 'analytics/app/models.py'), 'utf8'));
    assert.deepEqual(tables.map((t) => t.name), ['User', 'Order', 'Product', 'OrderItem']);
    const order = tables.find((t) => t.name === 'Order')!;
    assert.deepEqual(order.columns.map((c) => [c.name, c.type]), [['id', 'integer'], ['userId', 'integer'], ['status', 'text'], ['totalCents', 'integer'], ['createdAt', 'timestamp']]);
    assert.deepEqual(order.primaryKey, ['id']);
    assert.deepEqual(order.foreignKeys, [{ columns: ['userId'], refTable: 'User', refColumns: ['id'] }]);
    const user = tables.find((t) => t.name === 'User')!;
    assert.deepEqual(user.indexes, [{ columns: ['email'], unique: true }]);
    assert.equal(user.columns.find((c) => c.name === 'email')!.type, 'varchar(320)');
  });

  it('reads classic Column() models and Django models as their ORMs create them', () => {
    const { parseSqlAlchemyModels, parseDjangoModels, djangoAppLabel } = require('../../../src/engine/db/schema/pythonModels') as typeof import('../../../src/engine/db/schema/pythonModels');
    const classic = parseSqlAlchemyModels(`
class Invoice(Base):
    __tablename__ = 'invoices'
    id = Column(Integer, primary_key=True)
    customer_id = Column(Integer, ForeignKey('customers.id'), nullable=False, index=True)
    note = Column(Text)
    def total(self):
        return 0
`);
    assert.deepEqual(classic[0].columns.map((c) => [c.name, c.type, c.nullable]), [['id', 'integer', false], ['customer_id', 'integer', false], ['note', 'text', true]]);
    assert.deepEqual(classic[0].indexes, [{ columns: ['customer_id'], unique: false }]);

    assert.equal(djangoAppLabel('shop/models.py'), 'shop');
    assert.equal(djangoAppLabel('src/shop/models/order.py'), 'shop');
    const dj = parseDjangoModels(`
from django.db import models

class Customer(models.Model):
    email = models.EmailField(unique=True)

class Order(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="orders")
    status = models.CharField(max_length=20, db_index=True)
    placed_at = models.DateTimeField(null=True)
    tags = models.ManyToManyField("Tag")

    class Meta:
        db_table = "orders"
        indexes = [models.Index(fields=["status", "-placed_at"])]
`, 'shop');
    assert.deepEqual(dj.map((t) => t.name), ['shop_customer', 'orders']);
    const order = dj[1];
    assert.deepEqual(order.columns.map((c) => [c.name, c.type, c.nullable]), [['id', 'bigserial', false], ['customer_id', 'bigint', false], ['status', 'varchar(20)', false], ['placed_at', 'timestamptz', true]]);
    assert.deepEqual(order.foreignKeys, [{ columns: ['customer_id'], refTable: 'shop_customer', refColumns: ['id'] }]);
    // Django indexes foreign keys; Meta.indexes and db_index too.
    assert.deepEqual(order.indexes.map((i) => i.columns), [['customer_id'], ['status'], ['status', 'placed_at']]);
  });
});
