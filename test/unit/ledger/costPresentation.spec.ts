import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CostSummary } from '../../../src/protocol';
import { CostLedger } from '../../../src/engine/llm/ledger';
import { formatUsd, statusLevel, statusText, tooltipMarkdown } from '../../../src/vscode/costFormat';
import { columns, fillDays, niceMax, rows } from '../../../media/cost/layout';

describe('cost meter text and report layout', () => {
  let dir: string;
  let summary: (budget?: { dailyUsd: number; monthlyUsd: number; action: 'warn' | 'downgrade' | 'block' }) => CostSummary;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-costfmt-'));
    const base = { feature: 'chat', taskKind: 'chat' as const, provider: 'anthropic' as const, tier: 'reasoning' as const, latencyMs: 5 };
    const ledger = new CostLedger({ dir });
    ledger.record({ ...base, model: 'claude-sonnet-4-5', usage: { input: 100_000, cacheWrite: 0, cacheRead: 0, output: 0 } }); // $0.30
    ledger.record({ ...base, model: 'claude-haiku-4-5', tier: 'fast', routedFrom: 'claude-sonnet-4-5', usage: { input: 100_000, cacheWrite: 0, cacheRead: 0, output: 0 } }); // $0.10, saves $0.20
    summary = (budget) => new CostLedger({ dir, budget }).summary();
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('shows today’s spend from the ledger in the status bar', () => {
    assert.equal(statusText(summary()), '$(pulse) $0.40');
    assert.equal(formatUsd(0.004), '$0.0040');
    assert.equal(formatUsd(0), '$0.00');
  });

  it('colours the meter near and over budget', () => {
    assert.equal(statusLevel(summary()), 'normal');
    assert.equal(statusLevel(summary({ dailyUsd: 1, monthlyUsd: 0, action: 'warn' })), 'normal');
    assert.equal(statusLevel(summary({ dailyUsd: 0.5, monthlyUsd: 0, action: 'warn' })), 'warning'); // 80%
    assert.equal(statusLevel(summary({ dailyUsd: 0, monthlyUsd: 0.4, action: 'block' })), 'error'); // 100%
  });

  it('puts today, month, savings, top models and budget in the tooltip', () => {
    const md = tooltipMarkdown(summary({ dailyUsd: 0.5, monthlyUsd: 0, action: 'warn' }));
    assert.match(md, /\| Today \| \$0\.40 \| 2 \|/);
    assert.match(md, /\| This month \| \$0\.40 \| 2 \|/);
    assert.match(md, /\*\*Saved\*\* \$0\.20 — semantic cache \$0\.00 · routing \$0\.20/);
    assert.match(md, /- `claude-sonnet-4-5` \$0\.30 \(1 call\)\n- `claude-haiku-4-5` \$0\.10/);
    assert.match(md, /daily \$0\.40 of \$0\.50 \(80% — near\) · monthly no cap/);
  });

  it('lays out charts: nice axis maxima, filled day series, proportional bars', () => {
    assert.equal(niceMax(0), 1);
    assert.equal(niceMax(0.42), 0.5);
    assert.equal(niceMax(3.1), 5);
    assert.equal(niceMax(20), 20);
    const days = fillDays([{ key: '2026-03-01', costUsd: 2, calls: 1, cacheHits: 0, usage: { input: 0, cacheWrite: 0, cacheRead: 0, output: 0 } }], '2026-03-02', 3);
    assert.deepEqual(days, [{ label: '2026-02-28', value: 0 }, { label: '2026-03-01', value: 2 }, { label: '2026-03-02', value: 0 }]);
    const c = columns(days, 300, 100, 0);
    assert.equal(c.max, 2);
    assert.deepEqual(c.bars.map((b) => [b.x, b.height]), [[0, 0], [100, 100], [200, 0]]);
    const r = rows([{ label: 'a', value: 4 }, { label: 'b', value: -1 }], 200, 10, 0);
    assert.equal(r.max, 5);
    assert.deepEqual(r.bars.map((b) => [b.y, b.width]), [[0, 160], [10, 40]]);
  });
});
