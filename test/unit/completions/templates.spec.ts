import assert from 'node:assert/strict';
import { chatPrompt, commentedContext, completionsBody, FIM_FAMILIES, templateFor } from '../../../src/engine/completions/templates';

describe('completions templates', () => {
  it('renders each FIM family with its documented sentinels, in its order', () => {
    const p = 'def add(a, b):\n    ';
    const s = '\n\nprint(add(1, 2))';
    assert.equal(FIM_FAMILIES.starcoder.render(p, s), `<fim_prefix>${p}<fim_suffix>${s}<fim_middle>`);
    assert.equal(FIM_FAMILIES.codellama.render(p, s), `<PRE> ${p} <SUF>${s} <MID>`);
    assert.equal(FIM_FAMILIES.deepseek.render(p, s), `<｜fim▁begin｜>${p}<｜fim▁hole｜>${s}<｜fim▁end｜>`);
    assert.equal(FIM_FAMILIES.qwen.render(p, s), `<|fim_prefix|>${p}<|fim_suffix|>${s}<|fim_middle|>`);
    // Mistral puts the suffix first.
    assert.equal(FIM_FAMILIES.codestral.render(p, s), `[SUFFIX]${s}[PREFIX]${p}`);
  });

  it('picks a template from the model name, and chat for chat-only providers', () => {
    assert.equal(templateFor('qwen2.5-coder:1.5b-base', 'openai-compatible'), 'qwen');
    assert.equal(templateFor('deepseek-coder-6.7b-base', 'openai-compatible'), 'deepseek');
    assert.equal(templateFor('starcoder2:3b', 'openai-compatible'), 'starcoder');
    assert.equal(templateFor('codellama:7b-code', 'openai-compatible'), 'codellama');
    assert.equal(templateFor('codestral-latest', 'openai-compatible'), 'codestral');
    assert.equal(templateFor('gpt-3.5-turbo-instruct', 'openai'), 'openai-suffix');
    assert.equal(templateFor('gpt-4.1-mini', 'openai'), 'chat');
    assert.equal(templateFor('claude-haiku-4-5', 'anthropic'), 'chat');
    assert.equal(templateFor('my-local-model', 'openai-compatible'), 'openai-suffix');
    assert.equal(templateFor('qwen2.5-coder', 'openai-compatible', 'chat'), 'chat', 'an explicit setting wins');
  });

  it('sends prompt + suffix for openai-suffix and a rendered prompt with the family stops for FIM', () => {
    const suffixBody = completionsBody('openai-suffix', { model: 'm', prefix: 'a', suffix: 'b', maxTokens: 64, stop: ['\n'] });
    assert.equal(suffixBody.prompt, 'a');
    assert.equal(suffixBody.suffix, 'b');
    assert.equal(suffixBody.stream, true);
    assert.deepEqual(suffixBody.stop, ['\n']);
    const fim = completionsBody('qwen', { model: 'm', prefix: 'a', suffix: 'b', maxTokens: 64, stop: ['\n'] });
    assert.equal(fim.prompt, '<|fim_prefix|>a<|fim_suffix|>b<|fim_middle|>');
    assert.equal(fim.suffix, undefined);
    assert.ok((fim.stop as string[]).includes('<|endoftext|>'));
    assert.ok((fim.stop as string[]).includes('\n'));
  });

  it('frames context as comments in the language and builds a cursor-marked chat prompt', () => {
    assert.equal(commentedContext([{ path: 'db.py', text: 'def q():\n\n  pass' }], 'python'), '# Path: db.py\n# def q():\n#\n#   pass\n');
    assert.equal(commentedContext([{ path: 'a.ts', text: 'x' }], 'typescript'), '// Path: a.ts\n// x\n');
    const chat = chatPrompt({ context: 'ctx', prefix: 'const a = ', suffix: ';', language: 'typescript', path: 'a.ts' });
    assert.match(chat.user, /const a = <CURSOR>;/);
    assert.match(chat.system, /ONLY the text to insert/);
  });
});
