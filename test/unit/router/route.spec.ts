import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultTierModels, route } from '../../../src/engine/llm/router';
import type { RouteRequest } from '../../../src/engine/llm/router';

const tiers = defaultTierModels('anthropic');
const ask = (text: string, extra: Partial<RouteRequest> = {}) => route({ taskKind: 'chat', text, mode: 'auto', ...extra }, tiers);

describe('router', () => {
  it('returns the tier model and a reason', () => {
    const d = ask('Rename `usr` to `user` in this function');
    assert.equal(d.tier, 'fast');
    assert.equal(d.model, 'claude-haiku-4-5');
    assert.equal(d.provider, 'anthropic');
    assert.match(d.reason, /rename/);
    assert.equal(d.decidedBy, 'router');
  });

  it('sends security-sensitive questions to the reasoning tier', () => {
    for (const text of [
      'Is this JWT check correct?',
      'Can users see invoices of another organization here?',
      'Is this query vulnerable to SQL injection?',
      'Where do we hash passwords?',
      'Does this leak PII into logs?',
      'Explain how the Stripe webhook verifies signatures',
    ]) {
      const d = ask(text);
      assert.equal(d.tier, 'reasoning', text);
      assert.equal(d.securitySensitive, true, text);
    }
  });

  it('never sends security work to fast silently: a forced fast tier says so in the reason', () => {
    const d = ask('Review the OAuth callback for CSRF', { mode: 'fast' });
    assert.equal(d.tier, 'fast');
    assert.equal(d.decidedBy, 'mode');
    assert.equal(d.securitySensitive, true);
    assert.match(d.reason, /security-sensitive/);
  });

  it('routes hard work to reasoning and mechanical work to fast', () => {
    assert.equal(ask('Why does this handler deadlock when two requests update the same cart?').tier, 'reasoning');
    assert.equal(ask('Plan a zero-downtime migration splitting users.name into two columns').tier, 'reasoning');
    assert.equal(ask('Design the schema for projects, members and roles').tier, 'reasoning');
    assert.equal(ask('Add docstrings to these functions').tier, 'fast');
    assert.equal(ask('Convert this JSON config to TOML').tier, 'fast');
    assert.equal(ask('Write a migration that adds a nullable archived_at column').tier, 'fast');
  });

  it('treats large attached code as a reason for the reasoning tier in chat only', () => {
    assert.equal(ask('Tidy this up', { codeTokens: 5000 }).tier, 'reasoning');
    assert.equal(route({ taskKind: 'summarize', text: 'Summarise this file', codeTokens: 5000, mode: 'auto' }, tiers).tier, 'fast');
  });

  it('decides by task kind for reviews and mechanical kinds', () => {
    assert.equal(route({ taskKind: 'sql-review', text: 'Check this query', mode: 'auto' }, tiers).tier, 'reasoning');
    assert.equal(route({ taskKind: 'code-review', text: 'Review this diff', mode: 'auto' }, tiers).tier, 'reasoning');
    for (const taskKind of ['completion', 'rerank', 'classify', 'extract', 'commit-message'] as const) {
      const d = route({ taskKind, text: 'if (!req.user.isAdmin) {', mode: 'auto' }, tiers);
      assert.equal(d.tier, 'fast', taskKind);
      assert.equal(d.securitySensitive, false, taskKind);
    }
  });

  it('honours the per-request override over the mode', () => {
    const d = ask('Rename this variable', { mode: 'fast', override: 'reasoning' });
    assert.equal(d.tier, 'reasoning');
    assert.equal(d.decidedBy, 'override');
    assert.equal(ask('Why does this deadlock?', { mode: 'fast' }).tier, 'fast');
    assert.equal(ask('Rename this variable', { mode: 'reasoning' }).tier, 'reasoning');
  });

  it('keeps a reasoning conversation on the reasoning tier for follow-ups, unless the follow-up is mechanical', () => {
    assert.equal(ask('and what about the other branch?').tier, 'fast');
    assert.equal(ask('and what about the other branch?', { previousTier: 'reasoning' }).tier, 'reasoning');
    assert.equal(ask('also rename tmp to buffer', { previousTier: 'reasoning' }).tier, 'fast');
    assert.equal(ask('and what about the other branch?', { previousTier: 'fast' }).tier, 'fast');
  });

  it('does not read "function signature" or hyphenation as something else', () => {
    assert.equal(ask('Add type hints to this function signature').tier, 'fast');
    assert.equal(ask('Propose an event-sourcing model for orders').tier, 'reasoning');
  });

  it('sends no security-labelled request of the mix to the fast tier (zero tolerance)', () => {
    // The development mix only: the held-out set (fixtures/router/heldout/) is read by no test.
    const file = path.join(__dirname, '..', '..', 'fixtures', 'router', 'requests.jsonl');
    const mix = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.ok(mix.length >= 150, 'the labelled mix has at least 150 requests');
    const leaked = mix.filter((r) => r.security && route({ ...r, mode: 'auto' }, tiers).tier === 'fast');
    assert.deepEqual(leaked.map((r) => r.text), []);
  });

  it('falls back to the other tier model when a self-hosted provider names only one', () => {
    const t = defaultTierModels('openai-compatible', { fast: 'llama3.1:8b' });
    assert.equal(t.fast.model, 'llama3.1:8b');
    assert.equal(t.reasoning.model, 'llama3.1:8b');
    assert.equal(defaultTierModels('openai', { reasoning: 'o4-mini' }).reasoning.model, 'o4-mini');
  });
});
