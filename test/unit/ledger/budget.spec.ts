import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KeelError } from '../../../src/common/errors';
import { budgetState, CostLedger, enforceBudget } from '../../../src/engine/llm/ledger';

describe('budgets', () => {
  it('is "none" without caps, "ok" below 80%, "warning" from 80%, "exceeded" from 100%', () => {
    assert.equal(budgetState({ dailyUsd: 0, monthlyUsd: 0, action: 'warn' }, 100, 100).state, 'none');
    assert.equal(budgetState({ dailyUsd: 10, monthlyUsd: 0, action: 'warn' }, 7.99, 7.99).state, 'ok');
    const warn = budgetState({ dailyUsd: 10, monthlyUsd: 0, action: 'warn' }, 8, 8);
    assert.equal(warn.state, 'warning');
    assert.equal(warn.daily.fraction, 0.8);
    assert.equal(budgetState({ dailyUsd: 10, monthlyUsd: 0, action: 'warn' }, 10, 10).state, 'exceeded');
    // The worse line wins.
    const s = budgetState({ dailyUsd: 10, monthlyUsd: 50, action: 'warn' }, 1, 45);
    assert.equal(s.daily.state, 'ok');
    assert.equal(s.monthly.state, 'warning');
    assert.equal(s.state, 'warning');
  });

  it('applies the configured action at 100%', () => {
    const over = (action: 'warn' | 'downgrade' | 'block') => budgetState({ dailyUsd: 1, monthlyUsd: 0, action }, 1.5, 1.5);
    const warned = enforceBudget(over('warn'), 'reasoning');
    assert.equal(warned.tier, 'reasoning');
    assert.match(warned.notice ?? '', /Budget reached/);

    const downgraded = enforceBudget(over('downgrade'), 'reasoning', true);
    assert.equal(downgraded.tier, 'fast');
    assert.match(downgraded.notice ?? '', /security-sensitive/);

    assert.throws(
      () => enforceBudget(over('block'), 'fast'),
      (e: unknown) => e instanceof KeelError && e.code === 'BUDGET_EXCEEDED' && /daily/.test(e.message),
    );
    const monthlyOver = budgetState({ dailyUsd: 0, monthlyUsd: 5, action: 'block' }, 0, 6);
    assert.throws(() => enforceBudget(monthlyOver, 'fast'), (e: unknown) => e instanceof KeelError && /monthly/.test(e.message));
  });

  it('warns at 80% without changing the tier', () => {
    const v = enforceBudget(budgetState({ dailyUsd: 10, monthlyUsd: 0, action: 'block' }, 9, 9), 'reasoning');
    assert.equal(v.tier, 'reasoning');
    assert.match(v.notice ?? '', /90% of the daily/);
    assert.deepEqual(enforceBudget(budgetState({ dailyUsd: 10, monthlyUsd: 0, action: 'block' }, 1, 1), 'fast'), { tier: 'fast' });
  });

  it('tracks spend recorded in the ledger against the caps', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-budget-'));
    try {
      const ledger = new CostLedger({ dir, budget: { dailyUsd: 5, monthlyUsd: 100, action: 'block' } });
      const usage = { input: 1_000_000, cacheWrite: 0, cacheRead: 0, output: 0 };
      const base = { feature: 'chat', taskKind: 'chat' as const, provider: 'anthropic' as const, model: 'claude-sonnet-4-5', tier: 'reasoning' as const, usage, latencyMs: 1 };
      assert.equal(ledger.record(base).budget.state, 'ok'); // $3
      assert.equal(ledger.record({ ...base, model: 'claude-haiku-4-5', tier: 'fast' }).budget.state, 'warning'); // $4 = 80%
      const after = ledger.record({ ...base, model: 'claude-haiku-4-5', tier: 'fast' }).budget; // $5
      assert.equal(after.state, 'exceeded');
      assert.equal(after.daily.spentUsd, 5);
      assert.throws(() => enforceBudget(ledger.budgetState(), 'fast'), (e: unknown) => e instanceof KeelError && e.code === 'BUDGET_EXCEEDED');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
