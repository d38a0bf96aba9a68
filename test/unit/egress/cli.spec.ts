/**
 * The CLI's time limit and local-only flags (#24, #23 item 2): documented in --help on every command
 * that may call a provider, validated, and honoured — `keel ask --timeout 1` against a provider that
 * never answers returns TIMEOUT in about a second instead of the default 30.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commands } from '../../../src/cli/commands/all';
import { optionsOf } from '../../../src/cli/runner';
import { timeoutSeconds } from '../../../src/engine/egress/service';
import { runKeel, runKeelAsync } from '../../helpers/cli';
import { MisbehavingServer } from '../../servers/misbehaving';

const run = (args: string[], env: NodeJS.ProcessEnv, input = ''): ReturnType<typeof runKeelAsync> => runKeelAsync(args, { env, input });

describe('keel CLI: --timeout and --local-only', function () {
  this.timeout(240_000);
  let work: string;
  before(() => {
    work = mkdtempSync(join(tmpdir(), 'keel-cli-net-'));
    mkdirSync(join(work, 'repo'));
    writeFileSync(join(work, 'repo', 'orders.ts'), 'export function saveOrder(db, o) { return db.orders.insert(o); }\n');
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('every command that may call a provider takes and documents --timeout and --local-only', () => {
    for (const name of ['ask', 'embed', 'index', 'search']) {
      const command = commands.find((c) => c.name === name)!;
      const options = optionsOf(command);
      assert.match(options.timeout?.description ?? '', /KEEL_TIMEOUT_S/, name);
      assert.match(options['local-only']?.description ?? '', /KEEL_LOCAL_ONLY/, name);
      assert.match(command.usage, /--local-only\] \[--timeout S\]/, `${name} usage line`);
    }
    const r = runKeel(['help', 'ask']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /--timeout <value>\s+.*KEEL_TIMEOUT_S/);
    assert.match(r.stdout, /--local-only\s+.*KEEL_LOCAL_ONLY/);
  });

  it('--timeout must be a positive number of seconds (usage error otherwise)', () => {
    for (const bad of ['0', '-3', 'soon', '', 'NaN', 'Infinity']) assert.equal(timeoutSeconds(bad), undefined, bad);
    assert.equal(timeoutSeconds('1.5'), 1.5);
    const r = runKeel(['embed', '--timeout', 'soon'], { input: 'x\n' });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--timeout needs a positive number of seconds.*\[INVALID_PARAMS\]/);
  });

  it('keel ask --timeout 1 against a provider that accepts and never answers → TIMEOUT, exit 3, long before the 30 s default', async () => {
    const server = await new MisbehavingServer('silent').start();
    try {
      const env = { OPENAI_BASE_URL: server.baseURL, OPENAI_API_KEY: 'sk-test-0123456789abcdef', KEEL_STATE_DIR: join(work, 'state'), XDG_CACHE_HOME: join(work, 'cache') };
      // Index first, so the timed call below is the provider call alone.
      const warm = await run(['index', join(work, 'repo')], env);
      assert.equal(warm.code, 0, warm.stderr);
      const r = await run(['ask', 'where are orders saved?', '--dir', join(work, 'repo'), '--provider', 'openai', '--timeout', '1', '--json'], env);
      assert.equal(r.code, 3, r.stderr);
      assert.equal(JSON.parse(r.stdout).error.code, 'TIMEOUT');
      assert.equal(server.requests.length, 1, 'asked once');
      assert.ok(r.ms < 20_000, `returned after ${r.ms} ms`);
    } finally {
      await server.close();
    }
  });

  it('KEEL_TIMEOUT_S works the same for an API embedder (keel embed)', async () => {
    const server = await new MisbehavingServer('silent').start();
    try {
      const r = await run(['embed', '--embedder', 'openai-compatible:m', '--json'], { KEEL_OPENAI_COMPATIBLE_BASE_URL: server.baseURL, KEEL_TIMEOUT_S: '1', KEEL_STATE_DIR: join(work, 'state') }, 'x\n');
      assert.equal(r.code, 3, r.stderr);
      assert.equal(JSON.parse(r.stdout).error.code, 'TIMEOUT');
    } finally {
      await server.close();
    }
  });
});
