import assert from 'node:assert/strict';
import { CompletionCache } from '../../../src/engine/completions/cache';

describe('completions prefix cache', () => {
  it('answers the same position exactly and typing through a suggestion from the same entry', () => {
    const cache = new CompletionCache();
    cache.set('a.ts', 'const x = ', ';\n', 'compute(a, b)');
    assert.deepEqual(cache.get('a.ts', 'const x = ', ';\n'), { text: 'compute(a, b)', typed: 0 });
    assert.deepEqual(cache.get('a.ts', 'const x = comp', ';\n'), { text: 'ute(a, b)', typed: 4 });
    assert.deepEqual(cache.get('a.ts', 'const x = compute(a, ', ';\n'), { text: 'b)', typed: 11 });
    assert.equal(cache.hits, 3);
  });

  it('misses when the typed text diverges, the suffix differs, or the file differs', () => {
    const cache = new CompletionCache();
    cache.set('a.ts', 'const x = ', ';\n', 'compute(a, b)');
    assert.equal(cache.get('a.ts', 'const x = cx', ';\n'), undefined);
    assert.equal(cache.get('a.ts', 'const x = ', ') + 1;\n'), undefined);
    assert.equal(cache.get('b.ts', 'const x = ', ';\n'), undefined);
    assert.equal(cache.get('a.ts', 'const x = compute(a, b)', ';\n'), undefined, 'fully typed: nothing left');
  });

  it('evicts the least recently used entry', () => {
    const cache = new CompletionCache(2);
    cache.set('f', 'p1', '', 'one');
    cache.set('f', 'p2', '', 'two');
    assert.ok(cache.get('f', 'p1', ''));
    cache.set('f', 'p3', '', 'three');
    assert.equal(cache.size, 2);
    assert.equal(cache.get('f', 'p2', ''), undefined);
    assert.ok(cache.get('f', 'p1', ''));
  });
});
