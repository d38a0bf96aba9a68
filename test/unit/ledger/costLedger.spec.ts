import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CostRecordInput } from '../../../src/protocol';
import { KeelError } from '../../../src/common/errors';
import { CostLedger, dayKey, LEDGER_FILE } from '../../../src/engine/llm/ledger';

const NOON = new Date(2026, 10, 25, 12, 0, 0).getTime(); // local time, 25 Nov 2026

function call(over: Partial<CostRecordInput> = {}): CostRecordInput {
  return {
    feature: 'chat',
    taskKind: 'chat',
    provider: 'anthropic',
    model: 'claude-sonnet-4-5',
    tier: 'reasoning',
    usage: { input: 1_000_000, cacheWrite: 0, cacheRead: 0, output: 0 },
    latencyMs: 1200,
    ...over,
  };
}

describe('cost ledger', () => {
  let dir: string;
  let now: number;
  const open = (opts: Partial<ConstructorParameters<typeof CostLedger>[0]> = {}) => new CostLedger({ dir, now: () => now, ...opts });

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-ledger-'));
    now = NOON;
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('prices calls from the default table and records every field', () => {
    const ledger = open();
    const { entry } = ledger.record(call({ usage: { input: 1000, cacheWrite: 2000, cacheRead: 10_000, output: 500 } }));
    // sonnet 4.5: 3 in, 3.75 write, 0.30 read, 15 out per MTok
    const expected = (1000 * 3 + 2000 * 3.75 + 10_000 * 0.3 + 500 * 15) / 1e6;
    assert.equal(entry.costUsd, Math.round(expected * 1e9) / 1e9);
    assert.equal(entry.provider, 'anthropic');
    assert.equal(entry.tier, 'reasoning');
    assert.equal(entry.latencyMs, 1200);
    assert.equal(entry.cacheHit, false);
    assert.equal(entry.time, new Date(NOON).toISOString());
    const line = JSON.parse(fs.readFileSync(path.join(dir, LEDGER_FILE), 'utf8').trim());
    assert.deepEqual(line, entry);
  });

  it('uses price overrides and explicit costs', () => {
    const ledger = open({ prices: { 'my-local-model': { input: 1, cacheWrite: 1, cacheWrite1h: 1, cacheRead: 1, output: 1 } } });
    assert.equal(ledger.record(call({ provider: 'openai-compatible', model: 'my-local-model' })).entry.costUsd, 1);
    assert.equal(ledger.record(call({ costUsd: 0.25 })).entry.costUsd, 0.25);
    assert.equal(ledger.record(call({ provider: 'openai-compatible', model: 'unknown-llama' })).entry.costUsd, 0);
  });

  it('computes savings honestly for each mechanism', () => {
    const ledger = open();
    // Semantic cache hit: nothing paid, the avoided call's price saved.
    const hit = ledger.record(call({ cacheHit: true, usage: { input: 0, cacheWrite: 0, cacheRead: 0, output: 0 }, avoidedUsage: { input: 1_000_000, cacheWrite: 0, cacheRead: 0, output: 0 } })).entry;
    assert.equal(hit.costUsd, 0);
    assert.equal(hit.savings.semanticCache, 3);
    // Routing: haiku chosen instead of sonnet → (3 − 1) per MTok input.
    const routed = ledger.record(call({ tier: 'fast', model: 'claude-haiku-4-5', routedFrom: 'claude-sonnet-4-5' })).entry;
    assert.equal(routed.costUsd, 1);
    assert.equal(routed.savings.routing, 2);
    // A forced fast tier (no routedFrom) claims no routing saving.
    assert.equal(ledger.record(call({ tier: 'fast', model: 'claude-haiku-4-5' })).entry.savings.routing, 0);
    // Prompt caching: 1M read tokens at 0.30 instead of 3.00.
    const cached = ledger.record(call({ usage: { input: 0, cacheWrite: 0, cacheRead: 1_000_000, output: 0 } })).entry;
    assert.equal(cached.savings.promptCaching, 2.7);
    // Cache writes without reads cost more than no caching: a negative saving, reported as such.
    const write = ledger.record(call({ usage: { input: 0, cacheWrite: 1_000_000, cacheRead: 0, output: 0 } })).entry;
    assert.equal(write.savings.promptCaching, -0.75);

    const s = ledger.summary();
    assert.equal(s.savings.semanticCache, 3);
    assert.equal(s.savings.routing, 2);
    assert.equal(s.savings.promptCaching, 1.95);
    assert.equal(s.savings.total, 6.95);
  });

  it('aggregates per local day, month, model and feature', () => {
    const ledger = open();
    const yesterday = new Date(2026, 10, 24, 23, 30).toISOString();
    const lastMonth = new Date(2026, 9, 31, 10, 0).toISOString();
    ledger.record(call({ time: yesterday }));
    ledger.record(call({ time: lastMonth, feature: 'sql-fix', taskKind: 'sql-review' }));
    ledger.record(call());
    ledger.record(call({ model: 'claude-haiku-4-5', tier: 'fast' }));
    const s = ledger.summary();
    assert.equal(s.day, '2026-11-25');
    assert.equal(s.month, '2026-11');
    assert.equal(s.today, 4);
    assert.equal(s.monthToDate, 7);
    assert.equal(s.total, 10);
    assert.deepEqual(s.calls, { today: 2, month: 3, total: 4 });
    assert.deepEqual(s.perDay.map((b) => [b.key, b.costUsd, b.calls]), [['2026-10-31', 3, 1], ['2026-11-24', 3, 1], ['2026-11-25', 4, 2]]);
    assert.deepEqual(s.perModel.map((b) => [b.key, b.costUsd]), [['claude-sonnet-4-5', 9], ['claude-haiku-4-5', 1]]);
    assert.deepEqual(s.perFeature.map((b) => [b.key, b.costUsd, b.calls]), [['chat', 7, 3], ['sql-fix', 3, 1]]);
    assert.equal(s.perModel[0].usage.input, 3_000_000);
    assert.equal(dayKey(Date.parse(yesterday)), '2026-11-24');
  });

  it('persists: a new ledger over the same directory sees every call', () => {
    open().record(call());
    open().record(call());
    assert.equal(open().summary().total, 6);
  });

  it('skips a torn last line after a crash, and the next append does not glue onto it', () => {
    const first = open();
    first.record(call());
    fs.appendFileSync(path.join(dir, LEDGER_FILE), '{"v":1,"id":"torn","time":"2026-11-'); // crash mid-write
    const reopened = open();
    let s = reopened.summary();
    assert.equal(s.total, 3);
    assert.equal(s.skippedLines, 1);
    reopened.record(call());
    s = open().summary();
    assert.equal(s.total, 6);
    assert.equal(s.calls.total, 2);
    assert.equal(s.skippedLines, 1);
    const lines = fs.readFileSync(path.join(dir, LEDGER_FILE), 'utf8').split('\n');
    assert.equal(lines.length, 4); // good, torn, good, ''
  });

  it('skips corrupt or hand-edited lines in the middle', () => {
    const file = path.join(dir, LEDGER_FILE);
    open().record(call());
    fs.appendFileSync(file, 'not json\n{"v":1,"id":"x"}\n{"v":2}\n');
    open().record(call());
    const s = open().summary();
    assert.equal(s.total, 6);
    assert.equal(s.skippedLines, 3);
  });

  it('sees records appended by another process sharing the file', () => {
    const a = open();
    const b = open();
    a.record(call());
    b.record(call());
    assert.equal(a.summary().total, 6);
    assert.equal(b.summary().calls.total, 2);
  });

  it('rejects malformed reports with INVALID_PARAMS and writes nothing', () => {
    const ledger = open();
    const bad: Array<Partial<CostRecordInput>> = [
      { feature: '' },
      { taskKind: 'poetry' as never },
      { provider: 'acme' as never },
      { tier: 'medium' as never },
      { usage: { input: -1, cacheWrite: 0, cacheRead: 0, output: 0 } },
      { usage: { input: 1 } as never },
      { latencyMs: Number.NaN },
      { costUsd: -2 },
      { time: 'yesterday' },
    ];
    for (const over of bad) {
      assert.throws(() => ledger.record(call(over)), (e: unknown) => e instanceof KeelError && e.code === 'INVALID_PARAMS', JSON.stringify(over));
    }
    assert.equal(fs.existsSync(path.join(dir, LEDGER_FILE)), false);
    assert.equal(ledger.summary().calls.total, 0);
  });
});
