import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CostRecordInput, CostSummary } from '../../../src/protocol';
import { createEngine } from '../../../src/engine/createEngine';
import { call, type Engine } from '../../../src/engine/engine';
import { KeelError } from '../../../src/common/errors';
import { createLogger } from '../../../src/engine/log';
import { EmbedderKey } from '../../../src/engine/embed/service';
import { SemanticCache } from '../../../src/engine/llm/cache';
import { SemanticCacheKey } from '../../../src/engine/llm/runtime';
import { LEDGER_FILE } from '../../../src/engine/llm/ledger';
import { runKeel } from '../../helpers/cli';

const sonnet: CostRecordInput = {
  feature: 'chat',
  taskKind: 'chat',
  provider: 'anthropic',
  model: 'claude-sonnet-4-5',
  tier: 'reasoning',
  usage: { input: 100_000, cacheWrite: 0, cacheRead: 0, output: 10_000 },
  latencyMs: 900,
};

describe('cost feature (protocol) and `keel cost`', function () {
  this.timeout(120_000); // the CLI cases spawn `keel` from source on a shared, busy machine
  let store: string;
  let engine: Engine;

  beforeEach(() => {
    store = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-cost-'));
    engine = createEngine({ host: 'in-process', log: createLogger(() => undefined), storageDir: store });
  });
  afterEach(async () => {
    await engine.shutdown();
    fs.rmSync(store, { recursive: true, force: true });
  });

  it('records calls and summarises them over the protocol', async () => {
    await call(engine, 'engine/configure', { settings: { 'keel.budget.dailyUsd': 1, 'keel.budget.action': 'block' } });
    const { entry, budget } = await call(engine, 'cost/record', { call: sonnet });
    assert.equal(entry.costUsd, 0.45); // 0.1M × $3 + 0.01M × $15
    assert.equal(budget.daily.limitUsd, 1);
    assert.equal(budget.daily.state, 'ok');
    await call(engine, 'cost/record', { call: { ...sonnet, tier: 'fast', model: 'claude-haiku-4-5', routedFrom: 'claude-sonnet-4-5', feature: 'sql-fix', taskKind: 'sql-review' } });
    const s = await call(engine, 'cost/summary', {});
    assert.equal(s.today, 0.6);
    assert.equal(s.calls.today, 2);
    assert.equal(s.savings.routing, 0.3);
    assert.deepEqual(s.perFeature.map((b) => b.key), ['chat', 'sql-fix']);
    assert.equal(s.budget.state, 'ok');
    assert.equal(s.ledger, path.join(store, LEDGER_FILE));
  });

  it('rejects bad input with coded errors', async () => {
    await assert.rejects(call(engine, 'cost/record', { call: { ...sonnet, model: '' } }), (e: unknown) => e instanceof KeelError && e.code === 'INVALID_PARAMS');
    await assert.rejects(call(engine, 'cost/record', {} as never), (e: unknown) => e instanceof KeelError && e.code === 'INVALID_PARAMS');
    await assert.rejects(call(engine, 'cost/summary', { store: 'relative/dir' }), (e: unknown) => e instanceof KeelError && e.code === 'INVALID_PARAMS');
  });

  it('clears the answer cache (the shared one, or one in an explicit store)', async () => {
    const scope = { workspace: 'w', taskKind: 'chat' as const, tier: 'fast' as const, systemPromptVersion: '1' };
    const answer = { answer: 'x', model: 'm', usage: { input: 1, cacheWrite: 0, cacheRead: 0, output: 1 }, costUsd: 0 };
    const shared = engine.services.get(SemanticCacheKey);
    assert.equal(await shared.put({ question: 'how are totals computed', scope }, answer, {}), true);
    assert.deepEqual(await call(engine, 'cache/clear', {}), { removed: 1 });
    assert.equal(shared.size, 0);

    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-cost-cache-'));
    try {
      const cache = new SemanticCache({ dir: other, embedder: engine.services.get(EmbedderKey), saveDelayMs: 0 });
      await cache.put({ question: 'where is the retry policy', scope }, answer, {});
      assert.deepEqual(await call(engine, 'cache/clear', { store: other }), { removed: 1 });
      assert.equal(new SemanticCache({ dir: other, embedder: engine.services.get(EmbedderKey) }).size, 0);
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
  });

  it('`keel cost --json --store DIR` prints the summary; the human form shows totals and budget', async () => {
    await call(engine, 'cost/record', { store, call: sonnet });
    await call(engine, 'cost/record', { store, call: { ...sonnet, cacheHit: true, usage: { input: 0, cacheWrite: 0, cacheRead: 0, output: 0 }, avoidedUsage: sonnet.usage } });
    fs.appendFileSync(path.join(store, LEDGER_FILE), '{"v":1,"torn'); // a crash mid-append
    const json = runKeel(['cost', '--json', '--store', store]);
    assert.equal(json.code, 0, json.stderr);
    const s = JSON.parse(json.stdout) as CostSummary;
    assert.equal(s.total, 0.45);
    assert.equal(s.calls.total, 2);
    assert.equal(s.savings.semanticCache, 0.45);
    assert.equal(s.skippedLines, 1);
    assert.equal(s.perModel[0].key, 'claude-sonnet-4-5');
    assert.equal(s.perModel[0].cacheHits, 1);

    const human = runKeel(['cost', '--store', store]);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /all time\s+\$0\.45\s+2 calls/);
    assert.match(human.stdout, /semantic cache \$0\.45/);
    assert.match(human.stdout, /Budget: daily no cap/);
    assert.match(human.stdout, /claude-sonnet-4-5\s+\$0\.45\s+2 calls, 1 cached/);
    assert.match(human.stdout, /1 unreadable ledger line/);
  });

  it('`keel cost` on an empty store reports zeros; bad options fail with a usage error', () => {
    const empty = runKeel(['cost', '--json', '--store', store]);
    assert.equal(empty.code, 0, empty.stderr);
    const s = JSON.parse(empty.stdout) as CostSummary;
    assert.equal(s.total, 0);
    assert.deepEqual(s.perDay, []);
    const bad = runKeel(['cost', '--json', '--frobnicate']);
    assert.equal(bad.code, 2);
    assert.equal(JSON.parse(bad.stdout).error.code, 'INVALID_PARAMS');
  });
});
