import assert from 'node:assert/strict';
import Module from 'node:module';

// src/vscode/inlineCompletions.ts imports 'vscode' at the top; the debounce itself does not use it.
const load = Module.prototype.require;
(Module.prototype as unknown as { require: (id: string) => unknown }).require = function (this: unknown, id: string) {
  return id === 'vscode' ? {} : load.call(this as NodeJS.Module, id);
};
const { AdaptiveDebounce } = require('../../../src/vscode/inlineCompletions') as typeof import('../../../src/vscode/inlineCompletions');
Module.prototype.require = load;

describe('completions adaptive debounce', () => {
  it('follows the typing rhythm within bounds, and a fixed setting wins', () => {
    let t = 0;
    const d = new AdaptiveDebounce(() => t);
    assert.equal(d.next(0), 120, 'default until it has seen some typing');
    for (let i = 0; i < 6; i++) {
      t += 60;
      d.next(0);
    }
    t += 60;
    assert.equal(d.next(0), 78, 'fast typist: 1.3 × 60 ms');
    for (let i = 0; i < 10; i++) {
      t += 1500;
      d.next(0);
    }
    assert.equal(d.next(0), 300, 'slow typist: capped');
    assert.equal(d.next(250), 250);
  });
});
