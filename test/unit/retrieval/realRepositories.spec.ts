/**
 * Issue 14: query understanding, file kinds, symbols for every definition, file-level ranking, and
 * the searches the issue names (`followers_count` in a merged chunk; the demo's flagship question).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { call, type Engine } from '../../../src/engine/engine';
import { createEngine } from '../../../src/engine/createEngine';
import { chunkFile } from '../../../src/engine/index/chunker';
import { fileKind } from '../../../src/engine/index/fileKind';
import { silentLogger } from '../../../src/engine/log';
import { hybridSearch } from '../../../src/engine/search/hybrid';
import { planQuery, stackFrames } from '../../../src/engine/search/queryPlan';
import { MemorySource } from '../../../src/engine/search/source';
import { REPO_ROOT } from '../../helpers/cli';
import { chunk, HashEmbedder } from './helpers';

const created: string[] = [];
after(() => {
  for (const dir of created) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir(files: Record<string, string>): { dir: string; store: string } {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-real-'));
  created.push(base);
  const dir = path.join(base, 'repo');
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return { dir, store: path.join(base, 'store') };
}

describe('query plan', () => {
  it('classifies identifiers, questions, errors, config questions and bug reports', () => {
    assert.equal(planQuery('followers_count').class, 'identifier');
    assert.equal(planQuery('UserService.findById').class, 'identifier');
    assert.equal(planQuery('how are orders priced').class, 'question');
    assert.equal(planQuery("TypeError: Cannot read properties of undefined (reading 'id')").class, 'error');
    assert.equal(planQuery('where is the database url configured?').class, 'config');
    assert.equal(planQuery(`Crash when exporting\n\nSteps:\n1. open\n2. export\n3. boom\n${'details '.repeat(60)}`).class, 'bug-report');
  });

  it('reads Python, Node, Java and Go stack frames, skipping installed packages', () => {
    const py = stackFrames(
      'Traceback (most recent call last):\n  File "/home/me/proj/sympy/core/numbers.py", line 1043, in __new__\n    num[1] = long(num[1], 16)\n' +
        '  File "/usr/lib/python3/site-packages/x.py", line 3, in f\nValueError: invalid literal',
    );
    assert.deepEqual(py, [{ path: '/home/me/proj/sympy/core/numbers.py', line: 1043, func: '__new__' }]);
    const node = stackFrames('TypeError: x\n    at renderCard (/srv/app/src/cards/stats-card.js:42:13)\n    at Module._compile (node:internal/modules/cjs/loader:1105:14)');
    assert.deepEqual(node, [{ path: '/srv/app/src/cards/stats-card.js', line: 42, func: 'renderCard' }]);
    const java = stackFrames('java.lang.NullPointerException\n\tat com.shop.orders.OrderService.place(OrderService.java:88)');
    assert.deepEqual(java, [{ path: 'com/shop/orders/OrderService.java', line: 88, func: 'place' }]);
    const go = stackFrames('goroutine 1 [running]:\nmain.loadOrders(0x0)\n\t/src/shop/orders.go:42 +0x1d');
    assert.ok(go.some((f) => f.path === '/src/shop/orders.go' && f.line === 42));
    assert.ok(go.some((f) => f.func === 'loadOrders'));
  });

  it('extracts identifiers, paths, quoted strings and error lines, and weights a long report without cutting it', () => {
    const report = `When I call \`parse_expr("2*x")\` in sympy/parsing/sympy_parser.py the result is wrong.\n${'It should work. '.repeat(2000)}\nValueError: bad token at the very end`;
    assert.ok(report.length > 30_000);
    const plan = planQuery(report);
    assert.equal(plan.class, 'bug-report');
    assert.ok(plan.identifiers.includes('parse_expr'));
    assert.ok(plan.paths.includes('sympy/parsing/sympy_parser.py'));
    assert.ok(plan.quoted.includes('parse_expr("2*x")'));
    assert.ok(plan.errors.some((e) => e.startsWith('ValueError: bad token')));
    assert.ok(plan.terms.has('token'), 'the last line of a 30,000-character report is still a query term');
    assert.ok(plan.terms.get('work')! <= 1 + Math.log(2000) + 1e-9, 'a word repeated 2,000 times counts sublinearly');
  });
});

describe('file kinds', () => {
  it('tells source from tests, docs, config, changelogs, locales, lockfiles, vendored and generated files', () => {
    const cases: Record<string, string> = {
      'src/cards/stats-card.js': 'source',
      'sympy/core/numbers.py': 'source',
      'src/cards/types.d.ts': 'source',
      'sympy/core/tests/test_numbers.py': 'test',
      'tests/renderStatsCard.test.js': 'test',
      'pkg/orders_test.go': 'test',
      'readme.md': 'docs',
      'docs/readme_de.md': 'docs',
      '.github/ISSUE_TEMPLATE/bug_report.md': 'docs',
      '.github/workflows/test.yml': 'config',
      'package.json': 'config',
      'CHANGELOG.md': 'changelog',
      'locale/fr/LC_MESSAGES/django.po': 'locale',
      'yarn.lock': 'lockfile',
      'vendor/jquery/jquery.js': 'vendored',
      'static/app.min.js': 'minified',
      'api/orders_pb2.py': 'generated',
    };
    for (const [p, kind] of Object.entries(cases)) assert.equal(fileKind(p), kind, p);
  });
});

describe('symbols for every definition', () => {
  it('a merged chunk of small methods carries every method name', async () => {
    const methods = ['followers_count', 'following_count', 'post_count', 'like_count', 'is_active', 'is_admin', 'display_name', 'avatar_url'];
    const src = `class User:\n${methods.map((m) => `    def ${m}(self):\n        return self._${m}\n`).join('\n')}`;
    const chunks = await chunkFile('app/models.py', src);
    const merged = chunks.find((c) => c.symbol.includes('User.followers_count'));
    assert.ok(merged, chunks.map((c) => c.symbol).join(' | '));
    for (const m of methods) assert.ok(chunks.some((c) => c.symbol.split(', ').includes(`User.${m}`)), m);
  });

  it('names CommonJS exports, prototype methods, class fields, decorated Python functions and Express routes', async () => {
    const js = [
      'module.exports.userSearch = function (q) {',
      '  return db.users.find({ name: q });',
      '};',
      '',
      'exports.findOrder = async (id) => db.orders.findOne(id);',
      '',
      'Cart.prototype.total = function () { return this.items.length; };',
      '',
      "router.get('/orders/:id', async (req, res) => { res.json(await load(req.params.id)); });",
      '',
    ].join('\n');
    const symbols = (await chunkFile('src/api.js', js)).flatMap((c) => c.symbol.split(', '));
    for (const name of ['userSearch', 'findOrder', 'Cart.total', 'router.get /orders/:id']) assert.ok(symbols.includes(name), `${name} in ${symbols.join(' | ')}`);

    const ts = 'export class Cache {\n  private readonly entries = new Map<string, number>();\n  maxSize = 100;\n  get(key: string) {\n    return this.entries.get(key);\n  }\n}\n';
    const tsSymbols = (await chunkFile('src/cache.ts', ts)).flatMap((c) => c.symbol.split(', '));
    assert.ok(tsSymbols.includes('Cache.entries') && tsSymbols.includes('Cache.maxSize'), tsSymbols.join(' | '));

    const py = '@router.get("/sales")\n@cache(60)\ndef list_sales(db):\n    return db.query(Sale).all()\n';
    const pySymbols = (await chunkFile('app/sales.py', py)).flatMap((c) => c.symbol.split(', '));
    assert.ok(pySymbols.includes('list_sales'), pySymbols.join(' | '));
  });
});

describe('file-level ranking', () => {
  it('prefers the source file over docs and tests that repeat the report, and names the kind', async () => {
    const source = new MemorySource(new HashEmbedder());
    await source.add([
      chunk('readme#0', 'readme.md', 1, 10, 'Usage', 'The stats card shows your stars commits and hide rank option. Use hide_rank=true to hide the rank.', 'markdown'),
      chunk('tmpl#0', '.github/ISSUE_TEMPLATE/bug.md', 1, 10, 'Bug', 'Describe the bug in the stats card. hide rank option is broken stars commits', 'markdown'),
      chunk('test#0', 'tests/statsCard.test.js', 1, 10, 'renders', "it('hide_rank hides the rank', () => { renderStatsCard(stats, { hide_rank: true }); })", 'javascript'),
      chunk('card#0', 'src/cards/stats-card.js', 1, 30, 'renderStatsCard', 'const renderStatsCard = (stats, options) => { const { hide_rank } = options; if (!hide_rank) drawRank(stats); }', 'javascript'),
      chunk('card#1', 'src/cards/stats-card.js', 31, 60, 'drawRank', 'function drawRank(stats) { return `<g>${stats.rank}</g>`; }', 'javascript'),
    ]);
    const report = `hide_rank option does not hide the rank on the stats card\n\n**Describe the bug**\nWith hide_rank=true the stats card still shows the rank and stars commits.\n${'Expected the rank to be hidden. '.repeat(20)}`;
    const r = await hybridSearch(source, report, { top: 5 });
    assert.equal(r.passages[0].path, 'src/cards/stats-card.js', r.passages.map((p) => p.path).join(', '));
    assert.equal(r.passages[0].kind, 'source');
    const before = await hybridSearch(source, report, { top: 5, plan: false, fileRank: false });
    assert.equal(before.passages[0].kind, undefined, 'no kind without file ranking');
  });

  it('a file named in a stack frame comes first', async () => {
    const source = new MemorySource(new HashEmbedder());
    await source.add([
      chunk('a#0', 'src/orders/load.py', 1, 10, 'load_orders', 'def load_orders(user):\n    return [o for o in user.orders]', 'python'),
      chunk('b#0', 'src/orders/report.py', 1, 10, 'order_report', 'def order_report(user):\n    orders = load(user)\n    return orders orders orders', 'python'),
    ]);
    const trace = 'Traceback (most recent call last):\n  File "/srv/app/src/orders/load.py", line 2, in load_orders\nAttributeError: orders report failed orders';
    const r = await hybridSearch(source, trace, { top: 2 });
    assert.equal(r.passages[0].path, 'src/orders/load.py');
  });

  it('accepts a 30,000-character query whole', async () => {
    const source = new MemorySource(new HashEmbedder());
    await source.add([chunk('a#0', 'src/a.ts', 1, 3, 'tokenize', 'export function tokenize(s: string) { return s.split(" "); }')]);
    const r = await hybridSearch(source, `${'words words words '.repeat(2000)} tokenize`, { top: 1 });
    assert.equal(r.passages[0]?.path, 'src/a.ts');
  });
});

describe('searches named by issue 14 (engine, in-process)', function () {
  this.timeout(120_000);
  let engine: Engine;
  beforeEach(() => (engine = createEngine({ host: 'in-process', log: silentLogger })));
  afterEach(() => engine.shutdown());

  it('`followers_count` returns the defining method (inside a merged chunk of eight methods) first', async () => {
    const methods = ['followers_count', 'following_count', 'post_count', 'like_count', 'is_active', 'is_admin', 'display_name', 'avatar_url'];
    const { dir, store } = tempDir({
      'app/models/user.py': `class User:\n${methods.map((m) => `    def ${m}(self):\n        return self._${m}\n`).join('\n')}`,
      'app/views/profile.py': 'from app.models.user import User\n\ndef profile(user: User):\n    return {"followers": user.followers_count(), "name": user.display_name()}\n',
      'docs/api.md': '# API\n\nThe profile shows followers_count and following_count.\n',
    });
    const r = await call(engine, 'search/query', { query: 'followers_count', dir, store, ensureIndex: true, rerank: 'local' });
    assert.equal(r.hits[0].path, 'app/models/user.py', JSON.stringify(r.hits));
    assert.ok(r.hits[0].symbol.startsWith('User.followers_count'), r.hits[0].symbol);
  });

  it('the flagship question, asked offline through chat/ask, cites src/routes/orders.ts lines 11–27 among the first three', async () => {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-flagship-ask-'));
    created.push(base);
    const dir = path.join(base, 'demo');
    fs.cpSync(path.join(REPO_ROOT, 'test', 'fixtures', 'demo-backend'), dir, { recursive: true });
    const asking = createEngine({ host: 'in-process', log: silentLogger, storageDir: path.join(base, 'state'), globalStorageDir: path.join(base, 'user') });
    try {
      await call(asking, 'engine/configure', { settings: { 'keel.provider': 'none' } });
      const answer = await call(asking, 'chat/ask', { question: 'where do we load orders for a user and is there an N+1 problem?', root: dir, store: path.join(base, 'index') });
      assert.equal(answer.offline, true);
      const first3 = answer.citations.slice(0, 3);
      assert.ok(first3.some((c) => c.path === 'src/routes/orders.ts' && c.startLine <= 11 && c.endLine >= 27), JSON.stringify(first3));
      assert.match(answer.answer, /src\/routes\/orders\.ts:22 — N\+1/);
      assert.doesNotMatch(answer.answer, /sales\.py:\d+ — SQL injection/, 'an unrelated injection is not part of an N+1 answer');
    } finally {
      await asking.shutdown();
    }
  });

  it('the flagship question cites src/routes/orders.ts lines 11–27 among the first three', async () => {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-flagship-'));
    created.push(base);
    const dir = path.join(base, 'demo');
    fs.cpSync(path.join(REPO_ROOT, 'test', 'fixtures', 'demo-backend'), dir, { recursive: true });
    const r = await call(engine, 'search/query', { query: 'where do we load orders for a user and is there an N+1 problem?', dir, store: path.join(base, 'store'), ensureIndex: true, top: 8 });
    const first3 = r.hits.slice(0, 3);
    assert.ok(
      first3.some((h) => h.path === 'src/routes/orders.ts' && h.startLine <= 11 && h.endLine >= 27),
      first3.map((h) => `${h.path}:${h.startLine}-${h.endLine}`).join(', '),
    );
  });
});
