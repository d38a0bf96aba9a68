import * as assert from 'node:assert/strict';
import { analyzeSource } from '../../../src/engine/sql/analyze';

async function py(text: string, path = 'views.py'): Promise<number[]> {
  return (await analyzeSource({ path, text })).filter((f) => f.code === 'KEEL-SQL-N-PLUS-ONE').map((f) => f.line);
}

describe('sql: Python N+1 classes without a visible loop (per-object framework methods)', () => {
  it('graphene resolvers: a query on the resolved object runs once per object of a list', async () => {
    const head = 'import graphene\nfrom .models import Product, Stock\n\nclass ProductType(graphene.ObjectType):\n';
    assert.deepEqual(await py(`${head}    @staticmethod\n    def resolve_translation(root, info, *, language_code):\n        return root.translations.filter(language_code=language_code).first()\n`), [7]);
    assert.deepEqual(await py(`${head}    def resolve_stock(root, info):\n        return Stock.objects.filter(product_id=root.id).first()\n`), [6]);
    // Batched through a DataLoader, or read from the (possibly prefetched) related manager: not a finding.
    assert.deepEqual(await py(`${head}    @staticmethod\n    def resolve_translation(root, info, *, language_code):\n        return TranslationByProductIdLoader(info.context).load((root.id, language_code))\n`), []);
    assert.deepEqual(await py(`${head}    def resolve_translations(root, info):\n        return root.translations.all()\n`), []);
    // A root query field does not depend on a per-object argument.
    assert.deepEqual(await py('import graphene\nfrom .models import Product\n\nclass Query(graphene.ObjectType):\n    def resolve_products(self, info):\n        return Product.objects.filter(visible=True)\n'), []);
  });

  it('DRF SerializerMethodField: a query per serialized object', async () => {
    const head = 'from rest_framework import serializers\n\nclass OrderSerializer(serializers.ModelSerializer):\n';
    assert.deepEqual(await py(`${head}    def get_open_items(self, obj):\n        return obj.items.filter(open=True).count()\n`), [5]);
    // Reading an annotation (computed once for the whole queryset) is not a query.
    assert.deepEqual(await py(`${head}    def get_open_items(self, obj):\n        return obj.open_items_count\n`), []);
    // Not a serializer: a getter on an ordinary class is called when the caller decides.
    assert.deepEqual(await py('class Report:\n    def get_items(self, obj):\n        return obj.items.filter(open=True)\n'), []);
  });
});

describe('sql: Python N+1 classes in loops (Flask-SQLAlchemy, query refinements, enumerate)', () => {
  it('a Flask-SQLAlchemy query built per item and run later', async () => {
    const text = 'from models import Solves\ndef totals(standings):\n    out = []\n    for t in standings:\n        q = Solves.query.filter_by(account_id=t.account_id)\n        out.append(q.count())\n    return out\n';
    assert.deepEqual(await py(text), [5]);
    // One IN query before the loop, then lookups in memory.
    const hoisted = 'from models import Solves\ndef totals(standings):\n    ids = [t.account_id for t in standings]\n    rows = Solves.query.filter(Solves.account_id.in_(ids)).all()\n    by = {}\n    for r in rows:\n        by.setdefault(r.account_id, []).append(r)\n    return by\n';
    assert.deepEqual(await py(hoisted), []);
  });

  it('lazy relationships over enumerate() and over a query refined in steps', async () => {
    assert.deepEqual(await py('from models import Solves\ndef f():\n    for i, s in enumerate(Solves.query.all()):\n        print(i, s.user.name)\n'), [4]);
    assert.deepEqual(await py('from sqlalchemy.orm import joinedload\nfrom models import Solves\ndef f():\n    for i, s in enumerate(Solves.query.options(joinedload(Solves.user)).all()):\n        print(i, s.user.name)\n'), []);
    const steps = 'from models import Solves\ndef f(cid):\n    q = Solves.query.filter_by(challenge_id=cid)\n    q = q.order_by(Solves.date)\n    return [{"name": s.account.name} for s in q]\n';
    assert.deepEqual(await py(steps), [5]);
    assert.deepEqual(await py('from django.db import models\ndef dump(queryset):\n    for n, obj in enumerate(queryset, start=1):\n        print(obj._meta.concrete_model)\n'), []);
    // An attribute of a traced variable is another value, not a refinement of its query.
    assert.deepEqual(await py('from django.db import models\ndef f(ct, pk):\n    obj = ct.get_object_for_this_type(pk=pk)\n    opts = obj._meta\n    for field in opts.many_to_many:\n        print(field.remote_field.model)\n'), []);
    const eager = steps.replace('q = q.order_by(Solves.date)', 'q = q.options(joinedload(Solves.account))').replace('from models', 'from sqlalchemy.orm import joinedload\nfrom models');
    assert.deepEqual(await py(eager), []);
  });

  it('Django: chains on a queryset-named variable, and ContentType foreign keys per row', async () => {
    const head = 'from django.db import models\n\nclass Groups:\n    def __init__(self, qs):\n        self.qs = qs\n\n    def __iter__(self):\n';
    assert.deepEqual(await py(`${head}        for r in self.qs.order_by("object_id"):\n            yield (r.base_content_type, r.object_id)\n`), [9]);
    // The id column is loaded with the row: no query.
    assert.deepEqual(await py(`${head}        for r in self.qs.order_by("object_id"):\n            yield (r.base_content_type_id, r.object_id)\n`), []);
    assert.deepEqual(await py(`${head}        for r in self.qs.order_by("object_id"):\n            yield r.author.name\n`), [9]);
    assert.deepEqual(await py(`${head}        for r in self.qs.select_related("author").order_by("object_id"):\n            yield r.author.name\n`), []);
  });

  it("Django: relations of rows iterated from a related manager's queryset", async () => {
    const head = 'from django.db import models\n\ndef values(product):\n    out = []\n';
    assert.deepEqual(await py(`${head}    for a in product.attributes.all():\n        out.append(a.values.first())\n    return out\n`), [6]);
    assert.deepEqual(await py(`${head}    for a in product.attributes.prefetch_related("values"):\n        out.append(a.values.first())\n    return out\n`), []);
    // An ImageField's URL is read from the row itself.
    assert.deepEqual(await py(`${head}    for image in product.images.all():\n        out.append(image.image.url)\n    return out\n`), []);
    assert.deepEqual(await py(`${head}    for a in product.attributes.all():\n        out.append(a.attribute.slug)\n    return out\n`), [6]);
  });

  it('a JSON column read with dict.get() is not a related manager', async () => {
    assert.deepEqual(await py('from models import Challenges\ndef f():\n    for c in Challenges.query.filter_by(state="visible").all():\n        print(c.requirements.get("prerequisites", []))\n'), []);
    assert.deepEqual(await py('from models import Challenges\ndef f():\n    for c in Challenges.query.filter_by(state="visible").all():\n        print(c.solves.count())\n'), [4]);
  });
});
