/** Blast-radius rules on own fixtures (the quality figures come from `npm run eval:review`, not from here). */
import * as assert from 'node:assert/strict';
import { areasOf, classifyRegion, importsOf } from '../../../src/engine/review/classify';
import { isTestPath, symbolsOf, testExercises } from '../../../src/engine/review/tests';
import { parseDiff } from '../../../src/engine/review/diff';

const areas = (path: string, lines: string[], fileText?: string) => areasOf(classifyRegion(path, fileText, lines.map((text, i) => ({ line: i + 1, text }))));

describe('blast-radius classification (own fixtures)', () => {
  it('DDL, ORM migrations and bulk deletes are migrations', () => {
    assert.deepEqual(areas('db/schema/0042_orders.sql', ['ALTER TABLE orders DROP COLUMN note;']), ['migrations']);
    assert.deepEqual(areas('app/models.py', ["    op.drop_column('users', 'legacy_flag')"]), ['migrations']);
    assert.deepEqual(areas('src/jobs/cleanup.ts', ['await knex.schema.dropTable("sessions_old");']), ['migrations']);
  });

  it('locks and transactions are concurrency', () => {
    assert.deepEqual(areas('src/orders/reserve.ts', ['await prisma.$transaction(async (tx) => {']), ['concurrency']);
    assert.deepEqual(areas('app/stock.py', ['    item = Item.objects.select_for_update().get(pk=pk)']), ['concurrency']);
    assert.deepEqual(areas('worker/queue.go', ['\tq.mu.Lock()']), ['concurrency']);
  });

  it('decorators, money types, personal-data names and imports each carry their evidence', () => {
    assert.deepEqual(areas('app/views.py', ['@login_required', 'def dashboard(request):']), ['auth']);
    assert.deepEqual(areas('app/models.py', ['    total = models.DecimalField(max_digits=12, decimal_places=2)']), ['payments']);
    assert.deepEqual(areas('src/export.ts', ['  return { dateOfBirth: user.dateOfBirth };']), ['personal-data']);
    const ev = classifyRegion('src/billing.ts', "import Stripe from 'stripe';\n", [{ line: 5, text: 'const x = 1;' }]);
    assert.deepEqual(ev.map((e) => [e.area, e.kind, e.text]), [['payments', 'path', 'src/billing.ts'], ['payments', 'import', 'stripe']]);
  });

  it('comments and unrelated code touch nothing', () => {
    assert.deepEqual(areas('src/ui/button.tsx', ['// TODO: check the password field later', 'return <Button color="primary" />;']), []);
    assert.deepEqual(areas('lib/parse.js', ['const tokens = lexer.tokenize(source);', 'for (const t of tokens) out.push(t.value);']), []);
  });

  it('imports of JS/TS, Python, Go and Java', () => {
    const text = "import a from 'passport';\nconst b = require('stripe');\nfrom django.contrib.auth import login\nimport (\n\t\"github.com/golang-jwt/jwt/v5\"\n)\nimport org.springframework.security.core.Authentication;\n";
    assert.deepEqual(importsOf(text).map((i) => i.module), ['passport', 'stripe', 'django.contrib.auth', 'github.com/golang-jwt/jwt/v5', 'org.springframework.security.core.Authentication']);
  });

  it('symbols, test paths and whether a test exercises them', () => {
    assert.deepEqual(symbolsOf('export async function refund(id) {\n  const x = 1;\n  return x;\n}\n', 3, [{ text: '  return x;' }]), ['refund']);
    assert.ok(isTestPath('test/payments/charge.test.ts') && isTestPath('app/tests/test_views.py') && isTestPath('pkg/pay_test.go'));
    assert.ok(!isTestPath('src/testing-utils/latest.ts'));
    assert.ok(testExercises("import { refund } from '../src/refunds';\nit('refunds', () => refund(1));", ['refund'], 'src/refunds.ts'));
    assert.ok(testExercises("from app.payments.charge import something\n", ['other'], 'app/payments/charge.py'));
    assert.ok(!testExercises("it('renders', () => render(<Button />));", ['refund'], 'src/refunds.ts'));
  });

  it('parses -U0 diffs with renames, new and deleted files', () => {
    const files = parseDiff([
      'diff --git a/old.ts b/new.ts', 'similarity index 90%', 'rename from old.ts', 'rename to new.ts', '--- a/old.ts', '+++ b/new.ts', '@@ -3 +3,2 @@', '-a', '+b', '+c',
      'diff --git a/gone.ts b/gone.ts', 'deleted file mode 100644', '--- a/gone.ts', '+++ /dev/null', '@@ -1,2 +0,0 @@', '-x', '-y',
    ].join('\n'));
    assert.deepEqual(files.map((f) => [f.oldPath, f.newPath, f.hunks.length]), [['old.ts', 'new.ts', 1], ['gone.ts', undefined, 1]]);
    assert.deepEqual(files[0].hunks[0], { oldStart: 3, oldCount: 1, newStart: 3, newCount: 2, added: [{ line: 3, text: 'b' }, { line: 4, text: 'c' }], removed: [{ line: 3, text: 'a' }] });
  });
});
