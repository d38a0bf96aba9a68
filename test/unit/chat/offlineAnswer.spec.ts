import * as assert from 'node:assert/strict';
import { commentSentences, offlineAnswer, type AnswerPassage } from '../../../src/engine/chat/offlineAnswer';

const passages: AnswerPassage[] = [
  {
    path: 'src/routes/orders.ts', startLine: 10, endLine: 24, symbol: 'listOrders', language: 'typescript',
    text: '/**\n * Lists a customer\'s orders with their line items.\n * Orders are paginated by creation date.\n */\nexport async function listOrders(customerId: string) {\n  return prisma.order.findMany({ where: { customerId } });\n}',
  },
  {
    path: 'app/billing/models.py', startLine: 3, endLine: 9, symbol: 'Invoice', language: 'python',
    text: 'class Invoice(models.Model):\n    """An invoice issued to a customer for one billing period."""\n    customer = models.ForeignKey(Customer, on_delete=models.CASCADE)',
  },
  { path: 'src/util/noDocs.ts', startLine: 1, endLine: 1, symbol: '', language: 'typescript', text: 'export const PAGE_SIZE = 50;' },
];

describe('offline retrieval answer', () => {
  it('is labelled, cites every listed passage as path:line, and quotes only sentences that exist in the code', () => {
    const answer = offlineAnswer('how are customer orders paginated?', passages);
    assert.match(answer, /^\*\*Retrieval answer\*\*/);
    assert.match(answer, /src\/routes\/orders\.ts:10-24/);
    assert.match(answer, /app\/billing\/models\.py:3-9/);
    assert.match(answer, /src\/util\/noDocs\.ts:1\b/);
    const quoted = [...answer.matchAll(/^> (.*) \(([^)]+)\)$/gm)].map((m) => m[1]);
    assert.ok(quoted.length >= 1, 'a summary sentence was extracted');
    assert.ok(quoted.includes('Orders are paginated by creation date.'), `quoted: ${JSON.stringify(quoted)}`);
    for (const sentence of quoted) assert.ok(passages.some((p) => p.text.includes(sentence.replace(/…$/, ''))), `invented: ${sentence}`);
    assert.match(answer, /Configure a provider/);
  });

  it('lists Keel’s SQL findings that fall inside the passages', () => {
    const answer = offlineAnswer('is the orders listing safe?', passages, [
      { path: 'src/routes/orders.ts', line: 15, code: 'KEEL-SQL-N-PLUS-ONE', message: 'A query runs once per order. Load the items in one query.' },
    ]);
    assert.match(answer, /SQL checks flag/);
    assert.match(answer, /- src\/routes\/orders\.ts:15 — A query runs once per order\. \(`KEEL-SQL-N-PLUS-ONE`\)/);
    assert.doesNotMatch(offlineAnswer('x', passages), /SQL checks flag/, 'no section without findings');
  });

  it('says plainly when nothing matched', () => {
    assert.match(offlineAnswer('anything', []), /No indexed code matched/);
  });

  it('extracts sentences from JSDoc, line comments and Python docstrings, skipping tags', () => {
    assert.deepEqual(commentSentences('/**\n * Sends the weekly digest email.\n * @param user the recipient\n */'), ['Sends the weekly digest email.']);
    assert.deepEqual(commentSentences('# Retries the payment capture twice.\nx = 1'), ['Retries the payment capture twice.']);
    assert.deepEqual(commentSentences('def f():\n    """Return the active users of a tenant."""\n    pass'), ['Return the active users of a tenant.']);
  });
});

describe('offline answer: findings and previews (issue 14)', () => {
  const flagged: AnswerPassage[] = [
    { path: 'app/customers.py', startLine: 1, endLine: 5, symbol: 'customers', language: 'python', text: 'def customers():\n    """Loads customers with their orders."""\n    return q' },
    { path: 'src/routes/orders.ts', startLine: 11, endLine: 27, symbol: 'ordersRouter.get /', language: 'typescript', text: 'ordersRouter.get(\n  "/",\n  asyncRoute(async (req, res) => {' },
    { path: 'app/sales.py', startLine: 30, endLine: 44, symbol: 'export_orders', language: 'python', text: '/**\n * Export.\n */\ndef export_orders(order_by):' },
  ];
  const findings = [
    { path: 'src/routes/orders.ts', line: 22, code: 'KEEL-SQL-N-PLUS-ONE', message: 'N+1 query: findMany runs once per order.' },
    { path: 'app/sales.py', line: 43, code: 'KEEL-SQL-INJECTION', message: 'SQL injection: order_by is formatted into SQL.' },
  ];

  it('keeps the findings the question asks about, and leads with the passage that holds them', () => {
    const answer = offlineAnswer('where do we load orders for a user and is there an N+1 problem?', flagged, findings);
    assert.match(answer, /src\/routes\/orders\.ts:22 — N\+1 query/);
    assert.doesNotMatch(answer, /SQL injection/, 'an injection is not what was asked');
    const listed = answer.slice(answer.indexOf('Most relevant passages'));
    assert.ok(listed.indexOf('src/routes/orders.ts:11-27') < listed.indexOf('app/customers.py'), listed);
  });

  it('without a SQL topic, shows only findings inside the first three cited passages', () => {
    const answer = offlineAnswer('how are sales exported?', flagged.slice(0, 2), findings);
    assert.match(answer, /orders\.ts:22/);
    assert.doesNotMatch(answer, /sales\.py:43/);
  });

  it('never previews a lone */', () => {
    const answer = offlineAnswer('export orders', [{ path: 'a.js', startLine: 1, endLine: 3, symbol: '', language: 'javascript', text: '*/\nfunction exportOrders() {}' }]);
    assert.doesNotMatch(answer, /`\*\/`/);
    assert.match(answer, /function exportOrders/);
  });
});
