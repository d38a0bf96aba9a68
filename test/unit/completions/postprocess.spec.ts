import assert from 'node:assert/strict';
import { balanceBrackets, dropSuffixOverlap, isJunk, postProcess, wantsMultiline, type Position } from '../../../src/engine/completions/postprocess';

function at(doc: string): Position {
  const offset = doc.indexOf('|');
  const text = doc.replace('|', '');
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const end = text.indexOf('\n', offset);
  const lineEnd = end < 0 ? text.length : end;
  return { head: text.slice(lineStart, offset), tail: text.slice(offset, lineEnd), nextLines: text.slice(lineEnd + 1).split('\n'), prefix: text.slice(0, offset) };
}

describe('completions post-processing', () => {
  it('goes multiline only on an empty line or after a block opener', () => {
    assert.equal(wantsMultiline(at('function f() {|\n}')), true);
    assert.equal(wantsMultiline(at('function f() {\n  |\n}')), true);
    assert.equal(wantsMultiline(at('def f():|')), true);
    assert.equal(wantsMultiline(at('const x = foo(|)')), true, 'only closers after the cursor');
    assert.equal(wantsMultiline(at('const x = |')), false);
    assert.equal(wantsMultiline(at('const x = | + 1')), false);
  });

  it('keeps one line where one line is wanted', () => {
    assert.equal(postProcess('a + b;\nconsole.log(1);', at('const x = |'), { multiline: false }), 'a + b;');
  });

  it('stops at the end of the block', () => {
    const pos = at('function add(a, b) {|\n}\n\nfunction other() {}');
    const raw = '\n  const sum = a + b;\n  return sum;\n}\n\nfunction sub(a, b) {\n  return a - b;\n}';
    assert.equal(postProcess(raw, pos, { multiline: true }), '\n  const sum = a + b;\n  return sum;');
  });

  it('keeps the closing brace when the suffix does not close the block', () => {
    const pos = at('if (ok) {|\n\nnext();');
    assert.equal(postProcess('\n  run();\n}\nmore();', pos, { multiline: true }), '\n  run();\n}');
  });

  it('ends a Python block at the dedent', () => {
    const pos = at('def total(xs):\n    |');
    assert.equal(postProcess('s = 0\n    for x in xs:\n        s += x\n    return s\n\nprint(total([1]))', pos, { multiline: true }), 's = 0\n    for x in xs:\n        s += x\n    return s');
  });

  it('balances brackets: closers of the prefix stay, unmatched ones cut', () => {
    assert.equal(balanceBrackets('a, b)', 'foo('), 'a, b)');
    assert.equal(balanceBrackets('a, b))', 'foo('), 'a, b)');
    assert.equal(balanceBrackets('x] + 1', 'const a = '), 'x');
    assert.equal(balanceBrackets('")"', 'f('), '")"', 'brackets in strings do not count');
  });

  it('drops what the suffix already says', () => {
    assert.equal(dropSuffixOverlap('a, b)', at('foo(|)')), 'a, b');
    assert.equal(dropSuffixOverlap('a, b);', at('foo(|);')), 'a, b');
    assert.equal(postProcess('a, b);', at('foo(|);'), { multiline: false }), 'a, b');
    const pos = at('function f() {\n  |\n  return x;\n}');
    assert.equal(dropSuffixOverlap('const x = 1;\n  return x;', pos), 'const x = 1;');
  });

  it('shows nothing for junk', () => {
    assert.equal(postProcess('   \n  ', at('const x = |'), { multiline: false }), '');
    assert.equal(postProcess('Sure! Here is the code:', at('const x = |'), { multiline: false, fromChat: true }), '');
    assert.equal(isJunk('<|fim_middle|>x', at('|')), true);
    assert.equal(postProcess('return total;', at('  return total;\n  |'), { multiline: true }), '', 'a repeat of the line above');
    assert.equal(postProcess('\nfoo()', at('const x = |'), { multiline: false }), '', 'a single-line position answered with a new line');
    assert.equal(postProcess('a + b;', at('  return a + b;|\n}'), { multiline: false }), '', 'the text just typed (or just accepted), again');
  });

  it('unwraps chat answers: fences, cursor echoes, restated heads', () => {
    assert.equal(postProcess('```ts\na + b;\n```', at('const x = |'), { multiline: false, fromChat: true }), 'a + b;');
    assert.equal(postProcess('const x = a + b;', at('const x = |'), { multiline: false, fromChat: true }), 'a + b;');
  });

  it('cuts leaked template tokens', () => {
    assert.equal(postProcess('a + b;<|endoftext|>garbage', at('const x = |'), { multiline: false }), 'a + b;');
  });
});
