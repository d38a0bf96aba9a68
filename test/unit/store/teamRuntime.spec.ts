/**
 * The team store behind every model call, on a REAL PostgreSQL 15 + pgvector server: with searches
 * pointed at the team store, each chat answer (real `openai` SDK against the local OpenAI-protocol
 * server) is mirrored to the team ledger with the person and repository, and a teammate's checkout of
 * the same repository is served the paid answer from the shared answer cache — only inside the local
 * cache's scope (repository, task kind, tier, prompt version, embedder) and only while the files the
 * answer cited are unchanged in that checkout.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { call, type Engine } from '../../../src/engine/engine';
import { createEngine } from '../../../src/engine/createEngine';
import { silentLogger } from '../../../src/engine/log';
import { TeamRuntimeKey } from '../../../src/engine/llm/runtime';
import { repositoryOf } from '../../../src/engine/store/teamRuntime';
import { scopeOfParams } from '../../../src/engine/store/requestScope';
import { OpenAIChatServer } from '../../servers/openaiChat';
import { startPostgres, type PgServer } from '../../helpers/postgres';

const DEMO = path.resolve(__dirname, '../../fixtures/demo-backend');
const QUESTION = 'explain the ordersRouter handler that loads orderItem rows for each order';

describe('store: team ledger and shared answer cache (real server)', function () {
  this.timeout(240_000);
  let pg: PgServer;
  let url: string;
  let tmp: string;
  let server: OpenAIChatServer;
  const engines: Engine[] = [];
  const savedUser = process.env.KEEL_USER;

  before(async () => {
    pg = await startPostgres();
    pg.psql('CREATE DATABASE team');
    url = pg.url('postgres', 'keel-super', 'team');
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-teamrt-'));
    for (const who of ['alice', 'bob', 'carol']) {
      // Three checkouts of one repository "shop" (branch main), each person with their own Keel state.
      const ws = path.join(tmp, who, 'shop');
      fs.cpSync(DEMO, ws, { recursive: true });
      fs.mkdirSync(path.join(ws, '.git', 'refs', 'heads'), { recursive: true });
      fs.writeFileSync(path.join(ws, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    }
    server = await new OpenAIChatServer().start();
  });
  after(async () => {
    if (savedUser === undefined) delete process.env.KEEL_USER;
    else process.env.KEEL_USER = savedUser;
    await server?.close();
    pg?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });
  afterEach(async () => {
    for (const e of engines.splice(0)) await e.shutdown();
  });

  async function engineFor(who: string, settings: Record<string, unknown> = {}): Promise<Engine> {
    const engine = createEngine({ host: 'in-process', log: silentLogger, storageDir: path.join(tmp, who, 'state'), globalStorageDir: path.join(tmp, who, 'user') });
    engines.push(engine);
    await call(engine, 'engine/configure', {
      settings: { 'keel.provider': 'openai', 'keel.openai.baseUrl': server.baseURL, 'keel.routing.mode': 'auto', 'keel.cache.enabled': true, 'keel.index.store': 'postgres', ...settings },
      secrets: { openai: 'sk-test-0123456789', indexStoreUrl: url },
    });
    return engine;
  }
  const ask = (engine: Engine, who: string, question: string) => {
    process.env.KEEL_USER = who;
    return call(engine, 'chat/ask', { question, root: path.join(tmp, who, 'shop') });
  };
  const ledger = (): Array<{ user_name: string; repo: string; feature: string; cost: string; cache_hit: string }> =>
    pg.psql("SELECT user_name, repo, feature, cost_usd, cache_hit FROM keel.cost_ledger ORDER BY id", 'team')
      .trim().split('\n').filter(Boolean).map((l) => {
        const [user_name, repo, feature, cost, cache_hit] = l.split('|');
        return { user_name, repo, feature, cost, cache_hit };
      });

  it('knows which workspace and repository a request is about', async () => {
    assert.deepEqual(scopeOfParams({ root: '/a/b', store: 'postgres' }), { workspace: '/a/b', store: 'postgres' });
    assert.deepEqual(scopeOfParams({ roots: ['/x'] }), { workspace: '/x', store: undefined });
    assert.deepEqual(scopeOfParams({ root: 'relative' }), { workspace: undefined, store: undefined });
    assert.equal(await repositoryOf(path.join(tmp, 'bob', 'shop', 'src', 'routes', 'orders.ts'), {}), 'shop', 'a file inside a checkout belongs to its repository');
    assert.equal(await repositoryOf(path.join(tmp, 'bob', 'shop'), { KEEL_REPO: 'acme/shop' }), 'acme/shop');
  });

  it("every model call lands in the team ledger (user + repository); a teammate is served the paid answer from the shared cache", async () => {
    // CI publishes the repository's index to the team store.
    const ci = await engineFor('alice');
    const built = await call(ci, 'index/build', { roots: [path.join(tmp, 'alice', 'shop')], store: url });
    assert.equal(built.team?.repo, 'shop');

    const alice = await engineFor('alice');
    server.replies.push({ text: 'Each order loads its items in a loop: src/routes/orders.ts:11-27. Use `include: { items: true }`.' });
    const paid = await ask(alice, 'alice', QUESTION);
    assert.equal(paid.cached, false);
    assert.ok(paid.costUsd > 0);
    assert.ok(paid.citations.some((c) => c.path === 'src/routes/orders.ts'), 'retrieval came from the team store');
    await alice.services.get(TeamRuntimeKey)!.flush();
    const afterAlice = ledger();
    assert.equal(afterAlice.length, 1, JSON.stringify(afterAlice));
    assert.deepEqual({ ...afterAlice[0], cost: Number(afterAlice[0].cost) }, { user_name: 'alice', repo: 'shop', feature: 'chat', cost: Number(paid.costUsd.toFixed(6)), cache_hit: 'f' });
    assert.equal(pg.psql("SELECT count(*) FROM keel.answer_cache WHERE workspace = 'repo:shop' AND task_kind = 'chat' AND cardinality(cited_hashes) > 0", 'team').trim(), '1', 'the answer is shared with its scope and cited file hashes');

    // Bob, another person with an empty local cache and his own checkout: a paraphrase is served.
    const bob = await engineFor('bob');
    const before = server.requests.length;
    const served = await ask(bob, 'bob', 'Explain the ordersRouter handler that loads orderItem rows for each order?');
    assert.equal(served.cached, true, served.reason);
    assert.equal(served.answer, paid.answer);
    assert.equal(served.costUsd, 0);
    assert.equal(server.requests.length, before, 'no model call');
    await bob.services.get(TeamRuntimeKey)!.flush();
    const hit = ledger().at(-1)!;
    assert.deepEqual([hit.user_name, hit.repo, hit.cache_hit, Number(hit.cost)], ['bob', 'shop', 't', 0]);
    const saved = Number(pg.psql("SELECT saved_usd FROM keel.cost_ledger WHERE user_name = 'bob'", 'team').trim());
    assert.ok(saved > 0, 'the team ledger counts what the shared cache saved');
    const team = await call(bob, 'cost/team', {});
    assert.deepEqual(team.perUser.map((l) => l.key).sort(), ['alice', 'bob']);

    // Carol changed the cited file in her checkout: the shared answer is not about her code.
    fs.appendFileSync(path.join(tmp, 'carol', 'shop', 'src', 'routes', 'orders.ts'), '\n// carol was here\n');
    const carol = await engineFor('carol');
    server.replies.push({ text: 'Fresh: src/routes/orders.ts:11-27 after the change.' });
    const fresh = await ask(carol, 'carol', QUESTION);
    assert.equal(fresh.cached, false, 'a cited file differs: not served');
    assert.match(fresh.answer, /Fresh/);

    // Another tier is another scope: forced reasoning is not served the fast tier's answer.
    const dave = await engineFor('bob', { 'keel.routing.mode': 'reasoning' });
    server.replies.push({ text: 'Reasoning answer: src/routes/orders.ts:11-27.' });
    const reasoning = await ask(dave, 'bob', QUESTION);
    assert.equal(reasoning.tier, 'reasoning');
    assert.equal(reasoning.cached, false, 'another tier, another scope');
    for (const e of [carol, dave]) await e.services.get(TeamRuntimeKey)!.flush();
    assert.equal(ledger().length, 4, 'every call, hit or paid, is one team ledger line');
  });

  it('with the local store, nothing goes to the team store', async () => {
    const lines = ledger().length;
    const solo = await engineFor('alice', { 'keel.index.store': 'local' });
    server.replies.push({ text: 'Local answer: src/routes/orders.ts:11-27.' });
    const answer = await call(solo, 'chat/ask', { question: 'which route lists orders with their items', root: path.join(tmp, 'alice', 'shop'), store: path.join(tmp, 'alice', 'local-index') });
    assert.equal(answer.offline, false);
    await solo.services.get(TeamRuntimeKey)!.flush();
    assert.equal(ledger().length, lines);
  });
});
