import * as assert from 'node:assert/strict';
import { analyzeSource } from '../../../src/engine/sql/analyze';

async function nPlusOne(text: string, path = 'svc.ts'): Promise<number[]> {
  return (await analyzeSource({ path, text })).filter((f) => f.code === 'KEEL-SQL-N-PLUS-ONE').map((f) => f.line);
}

describe('sql: N+1 cases from issue 15 (each failed before its fix)', () => {
  it('User.findById(id) / Model.findByPk(id) with the loop item as the only argument', async () => {
    const text = "import { User } from './models';\nexport async function names(ids: string[]) {\n  const out = [];\n  for (const id of ids) {\n    const u = await User.findById(id);\n    out.push(u.name);\n  }\n  return out;\n}\n";
    assert.deepEqual(await nPlusOne(text), [5]);
    assert.deepEqual(await nPlusOne(text.replace('User.findById(id)', 'User.findByPk(id)')), [5]);
    // Running a list of SQL statements one by one is not a query per item.
    const statements = "import { Pool } from 'pg';\nconst pool = new Pool();\nexport async function migrate(statements: string[]) {\n  for (const sql of statements) await pool.query(sql);\n}\n";
    assert.deepEqual(await nPlusOne(statements), []);
  });

  it('service and repository calls of layered backends, per item', async () => {
    const text = 'export class S {\n  async lines(items) {\n    for (const item of items) {\n      const line = await this.lineItemService_.retrieve(item.item_id);\n    }\n  }\n}\n';
    assert.deepEqual(await nPlusOne(text), [4]);
    const hoisted = 'export class S {\n  async lines(items) {\n    const lines = await this.lineItemService_.list({ id: items.map((i) => i.item_id) });\n    for (const item of items) lines.find((l) => l.id === item.item_id);\n  }\n}\n';
    assert.deepEqual(await nPlusOne(hoisted), []);
  });

  it('async iteration forms: for await and Promise.all(items.map(async …))', async () => {
    const forAwait = "import { User } from './models';\nexport async function f(stream) {\n  for await (const row of stream) {\n    await User.findByPk(row.userId);\n  }\n}\n";
    assert.deepEqual(await nPlusOne(forAwait), [4]);
    const all = "import { User } from './models';\nexport const f = (rows) => Promise.all(rows.map(async (row) => User.findByPk(row.userId)));\n";
    assert.deepEqual(await nPlusOne(all), [2]);
  });
});

describe('sql: Python N+1 cases from issue 15 (each failed before its fix)', () => {
  const py = (text: string): Promise<number[]> => nPlusOne(text, 'views.py');

  it('Django deferred fields: .only() / .defer() then access per item', async () => {
    assert.deepEqual(await py('from django.db import models\nfrom .models import User\ndef f():\n    for u in User.objects.only("id", "name"):\n        print(u.name, u.email)\n'), [5]);
    assert.deepEqual(await py('from .models import User\ndef f():\n    for u in User.objects.defer("bio"):\n        print(u.bio)\n'), [4]);
    assert.deepEqual(await py('from .models import User\ndef f():\n    for u in User.objects.only("id", "name"):\n        print(u.name, u.pk)\n'), []);
  });

  it('per-item prefetch_related_objects, generic foreign keys, related-manager lookups', async () => {
    assert.deepEqual(await py('from django.db.models import prefetch_related_objects\ndef f(books):\n    for b in books:\n        prefetch_related_objects([b], "authors")\n'), [4]);
    assert.deepEqual(await py('from django.db.models import prefetch_related_objects\ndef f(books):\n    prefetch_related_objects(books, "authors")\n'), []);
    assert.deepEqual(await py('from django.contrib.contenttypes.models import ContentType\ndef f(refs):\n    for r in refs:\n        ct = ContentType.objects.get_for_id(r.ct_id)\n        yield ct.get_object_for_this_type(pk=r.object_id)\n'), [5]);
    assert.deepEqual(await py('from django.db import models\ndef f(attributes, value):\n    for attribute in attributes:\n        choice = attribute.values.get(pk=value)\n'), [4]);
    assert.deepEqual(await py('from django.db import models\ndef f(attributes, value):\n    for attribute in attributes:\n        choice = attribute.values.get("x")\n'), []);
  });

  it('SQLAlchemy lazy relationships in loops and comprehensions, Flask-SQLAlchemy Model.query', async () => {
    assert.deepEqual(await py('from models import Solves\ndef f():\n    return [s.user.name for s in Solves.query.all()]\n'), [3]);
    assert.deepEqual(await py('from models import Teams\ndef f(standings):\n    for t in standings:\n        team = Teams.query.filter_by(id=t.id).first()\n'), [4]);
    assert.deepEqual(await py('from sqlalchemy.orm import joinedload\nfrom models import Solves\ndef f():\n    return [s.user.name for s in Solves.query.options(joinedload(Solves.user)).all()]\n'), []);
  });

  it('a helper in the same file that queries, called per item', async () => {
    const text = 'from .models import Choice\ndef choices_for(attribute):\n    return list(Choice.objects.filter(attribute=attribute))\n\ndef build(attributes):\n    return {a.pk: choices_for(a) for a in attributes}\n';
    assert.deepEqual(await py(text), [6]);
  });

  it('cached ContentType lookups stay quiet, also through db_manager()', async () => {
    assert.deepEqual(await py('from django.contrib.contenttypes.models import ContentType\ndef f(models, using):\n    for m in models:\n        ContentType.objects.db_manager(using).get_for_model(m)\n'), []);
  });
});
