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
