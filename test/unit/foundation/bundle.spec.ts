/**
 * The shipped artifact, not the sources: dist/cli.js (bundled, with slimmed dependencies and copied
 * assets) must index, search and scan the demo workspace. This catches what source-level tests cannot —
 * a runtime asset left out of the bundle, a dependency that only resolves from node_modules.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const DEMO = path.join(ROOT, 'test', 'fixtures', 'demo-backend');

function keel(args: string[], env: NodeJS.ProcessEnv = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: DEMO, encoding: 'utf8', timeout: 120_000, env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the bundled CLI (dist/cli.js) on the demo workspace', function () {
  this.timeout(180_000);
  let tmp: string;
  before(() => {
    assert.ok(fs.existsSync(CLI), 'dist/cli.js missing: npm run test:unit builds first');
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-bundle-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('indexes, then searches with hybrid retrieval', () => {
    const store = path.join(tmp, 'store');
    const index = keel(['index', '.', '--store', store, '--json']);
    assert.equal(index.code, 0, index.stderr);
    const summary = JSON.parse(index.stdout);
    assert.ok(summary.files > 5 && summary.chunks > 10, index.stdout);
    const search = keel(['search', 'ordersRouter loads order items for each order', '--store', store, '--json']);
    assert.equal(search.code, 0, search.stderr);
    const hits = JSON.parse(search.stdout) as Array<{ path: string }>;
    assert.ok(hits.length > 0);
    // The contract's fields, plus the optional `kind` a hit may carry (issue 14: extend, never change).
    assert.deepEqual(Object.keys(hits[0]).filter((k) => k !== 'kind').sort(), ['endLine', 'path', 'score', 'startLine', 'symbol']);
    assert.ok(hits.slice(0, 3).some((h) => h.path === 'src/routes/orders.ts'), JSON.stringify(hits.slice(0, 3)));
    // Symbols come from tree-sitter: a line-window fallback (grammar failed to load in the bundle) has none.
    const bySymbol = JSON.parse(keel(['search', 'priceOrder', '--store', store, '--json']).stdout) as Array<{ path: string; symbol: string }>;
    assert.ok(bySymbol.some((h) => h.path === 'src/services/pricing.ts' && /priceOrder/.test(h.symbol)), JSON.stringify(bySymbol.slice(0, 3)));
  });

  it('scans for SQL problems and exits 1 on findings', () => {
    const scan = keel(['scan', '.', '--format', 'json']);
    assert.equal(scan.code, 1, scan.stderr);
    const findings = JSON.parse(scan.stdout) as Array<{ category: string }>;
    assert.ok(findings.some((f) => f.category === 'sql-injection'));
    assert.ok(findings.some((f) => f.category === 'n-plus-one'));
  });

  it('answers offline with `keel ask --json` and no provider', () => {
    const r = keel(['ask', 'where are order items loaded?', '--store', path.join(tmp, 'store'), '--provider', 'none', '--json'], { OPENAI_API_KEY: '', ANTHROPIC_API_KEY: '', XDG_STATE_HOME: tmp });
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(out).sort(), ['answer', 'cached', 'citations', 'costUsd', 'model', 'provider', 'reason', 'tier', 'usage']);
    assert.equal(out.provider, 'none');
    assert.ok(out.citations.length > 0);
  });

  it('embeds stdin lines into L2-normalised vectors', () => {
    const r = spawnSync(process.execPath, [CLI, 'embed', '--json'], { input: 'find the user by id\nSELECT * FROM orders\n', encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as number[]);
    assert.equal(lines.length, 2);
    for (const v of lines) assert.ok(Math.abs(Math.hypot(...v) - 1) < 1e-3);
  });
});
