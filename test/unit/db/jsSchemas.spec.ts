/** TypeORM entities and Knex migrations as schema sources, applied to a real PostgreSQL (PGlite) and planned. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { closeRehearsals, explainQuery } from '../../../src/engine/db/explainQuery';
import { discoverSchema } from '../../../src/engine/db/schema/discover';
import { parseKnexMigrations, parseTypeOrmEntities } from '../../../src/engine/db/schema/jsModels';

const ENTITIES = `import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, OneToMany, PrimaryGeneratedColumn } from 'typeorm';

@Entity()
export class UserAccount {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ unique: true, length: 120 })
  email!: string;

  @Column({ nullable: true }) nickname?: string;

  @OneToMany(() => Invoice, (invoice) => invoice.owner)
  invoices!: Invoice[];
}

@Entity('invoices')
@Index(['status', 'issuedAt'])
export class Invoice {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @ManyToOne(() => UserAccount, (user) => user.invoices)
  owner!: UserAccount;

  @ManyToOne(() => UserAccount)
  @JoinColumn({ name: 'approver_id' })
  approver?: UserAccount;

  @Column({ type: 'enum', enum: ['draft', 'sent', 'paid'], default: 'draft' })
  status!: string;

  @Column('numeric')
  total!: string;

  @CreateDateColumn()
  issuedAt!: Date;

  @BeforeInsert()
  touch(): void {
    this.total = this.total ?? '0';
  }
}
`;

const KNEX_1 = `exports.up = function (knex) {
  return knex.schema
    .createTable('customers', function (table) {
      table.increments('id');
      table.string('email', 200).notNullable().unique();
      table.string('country', 2);
      table.timestamps(true, true);
    })
    .createTable('orders', (t) => {
      t.bigIncrements('id');
      t.integer('customer_id').unsigned().notNullable().references('id').inTable('customers').onDelete('CASCADE');
      t.enu('status', ['new', 'paid', 'shipped']).notNullable().defaultTo('new');
      t.decimal('total', 12, 2);
      t.timestamp('placed_at').notNullable().index();
    });
};
exports.down = (knex) => knex.schema.dropTable('orders').dropTable('customers');
`;
const KNEX_2 = `export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('orders', (table) => {
    table.text('note');
    table.index(['customer_id', 'status']);
  });
  await knex.schema.table('audit_log', (table) => { table.text('ignored'); });
}
`;

describe('db: TypeORM entities as a schema', () => {
  const tables = parseTypeOrmEntities(ENTITIES);
  const byName = new Map(tables.map((t) => [t.name, t]));

  it('names tables the way TypeORM does: snake_case of the class unless @Entity names it', () => {
    assert.deepEqual([...byName.keys()], ['user_account', 'invoices']);
  });

  it('reads columns, primary keys, nullability and explicit types', () => {
    const user = byName.get('user_account')!;
    assert.deepEqual(user.columns.map((c) => [c.name, c.type, c.nullable]), [
      ['id', 'serial', false],
      ['email', 'varchar(120)', false],
      ['nickname', 'varchar', true],
    ]);
    assert.deepEqual(user.primaryKey, ['id']);
    assert.deepEqual(user.indexes, [{ columns: ['email'], unique: true }]);
    const invoice = byName.get('invoices')!;
    assert.deepEqual(invoice.primaryKey, ['id']);
    assert.deepEqual(invoice.columns.find((c) => c.name === 'status')?.enumValues, ['draft', 'sent', 'paid']);
    assert.equal(invoice.columns.find((c) => c.name === 'total')?.type, 'numeric');
    // A method decorator (@BeforeInsert) is not a column.
    assert.equal(invoice.columns.some((c) => c.name === 'touch'), false);
  });

  it('turns @ManyToOne into a join column with TypeORM default naming (ownerId), or the @JoinColumn name, typed like the referenced key', () => {
    const invoice = byName.get('invoices')!;
    assert.deepEqual(invoice.foreignKeys, [
      { columns: ['ownerId'], refTable: 'user_account', refColumns: ['id'] },
      { columns: ['approver_id'], refTable: 'user_account', refColumns: ['id'] },
    ]);
    assert.equal(invoice.columns.find((c) => c.name === 'ownerId')?.type, 'integer');
    // TypeORM does not index foreign keys on PostgreSQL; only the class-level @Index is there.
    assert.deepEqual(invoice.indexes, [{ columns: ['status', 'issuedAt'], unique: false }]);
  });
});

describe('db: Knex migrations as a schema', () => {
  const tables = parseKnexMigrations([KNEX_1, KNEX_2]);
  const byName = new Map(tables.map((t) => [t.name, t]));

  it('replays createTable and alterTable in order; a table the migrations never created is not invented', () => {
    assert.deepEqual([...byName.keys()], ['customers', 'orders']);
    assert.deepEqual(byName.get('orders')!.columns.map((c) => c.name), ['id', 'customer_id', 'status', 'total', 'placed_at', 'note']);
  });

  it('reads column chains: notNullable, unique, index, references … inTable, enums, timestamps', () => {
    const customers = byName.get('customers')!;
    assert.deepEqual(customers.columns.map((c) => [c.name, c.type, c.nullable]), [
      ['id', 'serial', false],
      ['email', 'varchar(200)', false],
      ['country', 'varchar(2)', true],
      ['created_at', 'timestamptz', false],
      ['updated_at', 'timestamptz', false],
    ]);
    assert.deepEqual(customers.indexes, [{ columns: ['email'], unique: true }]);
    const orders = byName.get('orders')!;
    assert.deepEqual(orders.primaryKey, ['id']);
    assert.deepEqual(orders.foreignKeys, [{ columns: ['customer_id'], refTable: 'customers', refColumns: ['id'] }]);
    assert.deepEqual(orders.columns.find((c) => c.name === 'status')?.enumValues, ['new', 'paid', 'shipped']);
    assert.deepEqual(orders.indexes, [
      { columns: ['placed_at'], unique: false },
      { columns: ['customer_id', 'status'], unique: false },
    ]);
  });
});

describe('db: JavaScript schemas discovered and planned on the embedded rehearsal', function () {
  this.timeout(240_000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-js-schema-'));
    fs.mkdirSync(path.join(dir, 'knex/migrations'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'typeorm/src/entity'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'knex/migrations/20240101_init.js'), KNEX_1);
    fs.writeFileSync(path.join(dir, 'knex/migrations/20240202_note.ts'), KNEX_2);
    fs.writeFileSync(path.join(dir, 'typeorm/src/entity/models.ts'), ENTITIES);
  });
  after(async () => {
    await closeRehearsals();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('Knex migrations are what ran, so they are the schema; they apply to PostgreSQL and the advice names a missing index', async () => {
    const root = path.join(dir, 'knex');
    const s = await discoverSchema(root);
    assert.deepEqual(s.origin, [{ kind: 'knex', paths: ['migrations/20240101_init.js', 'migrations/20240202_note.ts'] }]);
    // Indexed by the migration (customer_id, status): no advice.
    const covered = await explainQuery({ sql: 'SELECT * FROM orders WHERE customer_id = $1 AND status = $2', root, rows: 50_000 }, { localOnly: true, timeoutS: 30 });
    assert.deepEqual(covered.indexes, []);
    assert.deepEqual(covered.warnings, []);
    // A parameter, not a literal: whether 'NL' is among the synthetic values would decide the plan.
    const r = await explainQuery({ sql: 'SELECT * FROM customers WHERE country = $1 ORDER BY created_at DESC LIMIT 20', root, rows: 50_000 }, { localOnly: true, timeoutS: 30 });
    assert.deepEqual(r.indexes.map((i) => [i.table, i.columns]), [['public.customers', ['country', 'created_at']]]);
  });

  it('TypeORM entities apply too: the un-indexed foreign key gets an index once it is filtered on', async () => {
    const root = path.join(dir, 'typeorm');
    const s = await discoverSchema(root);
    assert.deepEqual(s.origin, [{ kind: 'typeorm', paths: ['src/entity/models.ts'] }]);
    const r = await explainQuery({ sql: 'SELECT * FROM invoices WHERE "ownerId" = $1', root, rows: 50_000 }, { localOnly: true, timeoutS: 30 });
    assert.deepEqual(r.warnings, []);
    assert.deepEqual(r.indexes.map((i) => [i.table, i.columns]), [['public.invoices', ['ownerId']]]);
  });
});
