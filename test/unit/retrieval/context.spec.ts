import * as assert from 'node:assert/strict';
import { assembleContext, type ContextPassage } from '../../../src/engine/search/context';
import { countTokens } from '../../../src/engine/llm/tokens';

const lines = (n: number, word: string): string => Array.from({ length: n }, (_, i) => `  const ${word}${i} = compute(${i});`).join('\n');

const PASSAGES: ContextPassage[] = [
  { path: 'src/a.ts', startLine: 10, endLine: 19, symbol: 'alpha', language: 'typescript', text: lines(10, 'a') },
  { path: 'src/b.ts', startLine: 1, endLine: 40, symbol: 'beta', language: 'typescript', text: lines(40, 'b') },
  { path: 'src/c.py', startLine: 5, endLine: 9, language: 'python', text: lines(5, 'c') },
];

describe('assembleContext', () => {
  it('includes everything with numbered path:line headers when the budget allows', () => {
    const ctx = assembleContext(PASSAGES, { budgetTokens: 100_000 });
    assert.deepEqual(ctx.citations, [
      { path: 'src/a.ts', startLine: 10, endLine: 19 },
      { path: 'src/b.ts', startLine: 1, endLine: 40 },
      { path: 'src/c.py', startLine: 5, endLine: 9 },
    ]);
    assert.match(ctx.text, /^\[1\] src\/a\.ts:10-19 \(alpha\)\n```typescript\n/);
    assert.match(ctx.text, /\n\[3\] src\/c\.py:5-9\n```python\n/);
    assert.equal(ctx.whole, 3);
    assert.equal(ctx.tokens, countTokens(ctx.text));
  });

  it('never exceeds the budget: cuts the first passage that does not fit at a line, drops the rest', () => {
    const aOnly = assembleContext(PASSAGES.slice(0, 1), { budgetTokens: 100_000 }).tokens;
    const budget = aOnly + 150;
    const ctx = assembleContext(PASSAGES, { budgetTokens: budget });
    assert.ok(ctx.tokens <= budget && countTokens(ctx.text) <= budget, `${ctx.tokens} > ${budget}`);
    assert.equal(ctx.whole, 1);
    assert.equal(ctx.cut, 1);
    assert.equal(ctx.dropped, 1);
    const b = ctx.citations[1];
    assert.ok(b.endLine < 40 && b.endLine >= 1, 'the citation ends where the text ends');
    const shownB = ctx.text.split('[2] ')[1];
    assert.ok(shownB.includes(`b${b.endLine - 1} =`) && !shownB.includes(`b${b.endLine} =`));
    assert.match(shownB, new RegExp(`^src/b\\.ts:1-${b.endLine} \\(beta\\)`));
  });

  it('sends nothing rather than a useless sliver, and de-duplicates repeated passages', () => {
    const tiny = assembleContext(PASSAGES, { budgetTokens: 20 });
    assert.equal(tiny.text, '');
    assert.deepEqual(tiny.citations, []);
    assert.equal(tiny.dropped, 3);
    const dup = assembleContext([PASSAGES[0], PASSAGES[0], PASSAGES[2]], { budgetTokens: 100_000 });
    assert.equal(dup.citations.length, 2);
  });

  it('fences code in a fence longer than any backtick run inside it (both fence styles cannot close it)', () => {
    const ctx = assembleContext([{ path: 'README.md', startLine: 1, endLine: 3, text: '```js\nx()\n```' }], { budgetTokens: 1000 });
    assert.match(ctx.text, /````\n```js\nx\(\)\n```\n````$/);
    const both = assembleContext([{ path: 'a.md', startLine: 1, endLine: 3, text: '~~~~\n`````\nend' }], { budgetTokens: 1000 });
    assert.match(both.text, /``````\n~~~~\n`````\nend\n``````$/);
  });
});
