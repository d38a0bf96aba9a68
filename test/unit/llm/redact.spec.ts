import assert from 'node:assert/strict';
import { Redactor, shannonEntropy } from '../../../src/engine/egress/redact';

import { corpus } from './corpus';

describe('llm/egress redaction', () => {
  const redactor = new Redactor(Buffer.alloc(32, 7));

  it('the corpus has at least 50 secrets in varied formats', () => {
    assert.ok(corpus.secrets.length >= 50, `only ${corpus.secrets.length} secrets`);
    assert.ok(new Set(corpus.secrets.map((s) => s.kind)).size >= 50);
  });

  for (const entry of corpus.secrets) {
    it(`redacts ${entry.id} in code and in chat text`, () => {
      for (const carrier of [entry.code, entry.chat]) {
        const { text, count } = redactor.redactText(carrier);
        assert.ok(count >= 1, `nothing redacted in: ${carrier.slice(0, 120)}`);
        assert.ok(!text.includes(entry.secret), `secret survived in: ${text.slice(0, 200)}`);
        assert.match(text, /\[REDACTED:[a-z0-9-]+:[0-9a-f]{8}\]/);
      }
    });
  }

  it('leaves ordinary code alone (negatives pass unchanged)', () => {
    const changed = corpus.negatives.filter((n) => redactor.redactText(n).text !== n);
    assert.deepEqual(changed, []);
  });

  it('placeholders are stable for the same secret and distinct for different ones', () => {
    const [a, b] = [corpus.secrets[0]!.secret, corpus.secrets[1]!.secret];
    const once = redactor.redactText(`x ${a} y ${b}`).text;
    const again = redactor.redactText(`other text ${a} then ${b}`).text;
    const tags = (t: string) => t.match(/\[REDACTED:[^\]]+\]/g) ?? [];
    assert.deepEqual(tags(once), tags(again));
    assert.notEqual(tags(once)[0], tags(once)[1]);
    // A different key (another install) gives different tags: the tag is an HMAC, not a bare hash.
    assert.notDeepEqual(tags(new Redactor(Buffer.alloc(32, 9)).redactText(`x ${a}`).text), [tags(once)[0]]);
  });

  it('redacts JSON bodies value by value, keeping valid JSON, and leaves clean bodies byte-identical', () => {
    const key = corpus.secrets.find((s) => s.kind === 'pkcs8-private-key')!;
    const body = JSON.stringify({ model: 'gpt-4.1', messages: [{ role: 'user', content: key.code }] });
    const r = redactor.redactBody(body);
    assert.ok(r.count >= 1);
    assert.ok(!r.text.includes(key.secret.split('\n')[1]!));
    assert.equal((JSON.parse(r.text) as { model: string }).model, 'gpt-4.1');
    const clean = '{"model":"gpt-4.1",  "messages":[]}';
    assert.equal(redactor.redactBody(clean).text, clean);
  });

  it('measures entropy in bits per character', () => {
    assert.equal(shannonEntropy('aaaa'), 0);
    assert.equal(shannonEntropy('abcd'), 2);
  });
});
