import { strict as assert } from 'node:assert';
import { identifiersOf, SemanticCache, type CacheScope } from '../../../src/engine/llm/cache';
import { HashingEmbedder } from './hashingEmbedder';

describe('identifier guard', () => {
  it('extracts code-like identifiers and ignores prose', () => {
    assert.deepEqual(identifiersOf('How does `OrderService` compute totals?'), ['orderservice']);
    assert.deepEqual(identifiersOf('how does OrderService.computeTotal() work in src/orders.ts'), ['orderservice.computetotal', 'src/orders.ts']);
    assert.deepEqual(identifiersOf('What does get_user_by_email return on port 8080 with oauth2?'), ['8080', 'get_user_by_email', 'oauth2']);
    assert.deepEqual(identifiersOf('Where is the retry policy, e.g. for uploads?'), []);
    assert.deepEqual(identifiersOf('Is `a` the same as `A`?'), ['a']);
  });

  it('never serves an answer about other code, however similar the wording', async () => {
    const scope: CacheScope = { workspace: 'w', taskKind: 'chat', tier: 'reasoning', systemPromptVersion: '1' };
    const answer = { answer: 'orders', model: 'm', usage: { input: 1, cacheWrite: 0, cacheRead: 0, output: 1 }, costUsd: 0 };
    const guarded = new SemanticCache({ embedder: new HashingEmbedder(), threshold: 0.5 });
    await guarded.put({ question: 'How does the OrderService compute the monthly totals for a customer?', scope }, answer, {});
    const other = { question: 'How does the InvoiceService compute the monthly totals for a customer?', scope };
    assert.equal((await guarded.lookup(other, () => ({}))).kind, 'miss');
    assert.equal((await guarded.lookup({ question: 'how does the OrderService compute monthly totals for a customer', scope }, () => ({}))).kind, 'hit');
    // The same pair without the guard shows why it exists: the wording alone is close enough to hit.
    const unguarded = new SemanticCache({ embedder: new HashingEmbedder(), threshold: 0.5, identifierGuard: false });
    await unguarded.put({ question: 'How does the OrderService compute the monthly totals for a customer?', scope }, answer, {});
    assert.equal((await unguarded.lookup(other, () => ({}))).kind, 'hit');
  });
});
