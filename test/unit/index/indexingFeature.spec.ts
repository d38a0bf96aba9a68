import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { indexCommand } from '../../../src/cli/commands/indexCmd';
import { statusCommand } from '../../../src/cli/commands/status';
import { runCommand } from '../../../src/cli/runner';
import { EmbedderKey } from '../../../src/engine/embed/service';
import { call } from '../../../src/engine/engine';
import { createEngine } from '../../../src/engine/createEngine';
import { KeelError } from '../../../src/common/errors';
import { IndexServiceKey } from '../../../src/engine/index/indexService';
import { silentLogger } from '../../../src/engine/log';
import type { IndexProgress } from '../../../src/protocol';
import { makeTree } from '../workspace/helpers';
import { HashingTestEmbedder } from './testEmbedder';

describe('indexing feature (engine protocol)', () => {
  let tree: ReturnType<typeof makeTree>;
  let storage: string;
  beforeEach(() => {
    tree = makeTree({ 'src/a.ts': 'export function alphaHandler() { return 1; }\n', 'notes.md': '# Notes\nbeta gamma\n' });
    storage = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-storage-'));
  });
  afterEach(() => {
    tree.cleanup();
    fs.rmSync(storage, { recursive: true, force: true });
  });

  function engine() {
    const e = createEngine({ host: 'in-process', log: silentLogger, storageDir: storage });
    e.services.set(EmbedderKey, new HashingTestEmbedder());
    return e;
  }

  it('index/build streams progress, index/status reports, index/update coalesces and is searchable', async () => {
    const e = engine();
    const progress: IndexProgress[] = [];
    const summary = await call(e, 'index/build', { roots: [tree.dir] }, {
      onNotify: (method, params) => method === 'index/progress' && progress.push(params as IndexProgress),
    });
    assert.deepEqual(Object.keys(summary).sort(), ['chunks', 'files', 'ms', 'skipped', 'skippedReasons']);
    assert.equal(summary.files, 2);
    assert.deepEqual([...new Set(progress.map((p) => p.phase))], ['walk', 'chunk', 'write', 'embed', 'done']);
    const status = await call(e, 'index/status', {});
    assert.equal(status.store, path.join(storage, 'index'));
    assert.equal(status.embedder, 'test-hash-v1');
    assert.equal(status.files, 2);

    const file = path.join(tree.dir, 'src/b.ts');
    fs.writeFileSync(file, 'export const deltaValue = 4;\n');
    const [r1, r2] = await Promise.all([
      call(e, 'index/update', { changed: [file], deleted: [] }),
      call(e, 'index/update', { changed: [], deleted: [path.join(tree.dir, 'notes.md')] }),
    ]);
    assert.deepEqual(r1, { applied: 2, fullSync: false });
    assert.deepEqual(r2, r1, 'both requests joined one batch');
    const index = e.services.get(IndexServiceKey).forPath(tree.dir)!;
    assert.equal(index.keywordSearch('deltaValue', 1)[0].chunk.path, 'src/b.ts');
    await e.shutdown();
    // shutdown persisted the live update
    const e2 = engine();
    assert.equal((await call(e2, 'index/status', { roots: [tree.dir] })).files, 2);
    await e2.shutdown();
  });

  it('a search that arrives while the first build is still opening the index shares it (no INDEX_LOCKED)', async () => {
    // The editor starts a build on activation; a question typed at once must not open the same store a
    // second time (the in-process lock would refuse it).
    const e = engine();
    const service = e.services.get(IndexServiceKey);
    const [summary, opened, again] = await Promise.all([
      call(e, 'index/build', { roots: [tree.dir] }),
      service.openFor([tree.dir]),
      service.openFor([tree.dir]),
    ]);
    assert.equal(summary.files, 2);
    assert.equal(opened, again, 'one open index per store');
    assert.equal(service.forPath(tree.dir), opened);
    await e.shutdown();
  });

  it('a question asked while the first build is filling the index waits for it (not "nothing matched")', async () => {
    // The editor's first build opens the index at once and fills it for seconds; a question asked in
    // between finds the index open but empty, and must be answered from the finished build.
    const files: Record<string, string> = {};
    for (let i = 0; i < 300; i++) files[`src/m${i}.ts`] = `export function helper${i}() { return ${i}; }\n`;
    const big = makeTree({ ...files, 'src/orders.ts': 'export function loadOrdersForUser(userId: string) { return userId; }\n' });
    const e = engine();
    try {
      let asked: Promise<{ hits: Array<{ path: string }> }> | undefined;
      const build = call(e, 'index/build', { roots: [big.dir] }, {
        onNotify: (m, p) => {
          if (m === 'index/progress' && (p as IndexProgress).phase === 'chunk' && !asked) {
            assert.ok(e.services.get(IndexServiceKey).forPath(big.dir), 'the index is open while the build runs');
            asked = call(e, 'search/query', { query: 'loadOrdersForUser', dir: big.dir, ensureIndex: true, top: 3 });
          }
        },
      });
      const summary = await build;
      assert.ok(asked, 'the question was asked during the build');
      const result = await asked;
      assert.equal(summary.files, 301);
      assert.equal(result.hits[0]?.path, 'src/orders.ts');
    } finally {
      await e.shutdown();
      big.cleanup();
    }
  });

  it('answers bad params with coded errors', async () => {
    const e = engine();
    const code = async (p: Promise<unknown>) => p.then(() => 'ok', (err: KeelError) => err.code);
    assert.equal(await code(call(e, 'index/build', { roots: [] })), 'INVALID_PARAMS');
    assert.equal(await code(call(e, 'index/build', { roots: [path.join(tree.dir, 'missing')] })), 'FILE_NOT_FOUND');
    assert.equal(await code(call(e, 'index/build', { roots: [path.join(tree.dir, 'notes.md')] })), 'INVALID_PARAMS');
    assert.equal(await code(call(e, 'index/build', { roots: [tree.dir], maxFileSizeKB: -1 })), 'INVALID_PARAMS');
    assert.equal(await code(call(e, 'index/update', { changed: ['/x'], deleted: [] })), 'INDEX_NOT_FOUND');
    assert.equal(await code(call(e, 'index/status', { store: path.join(storage, 'nothing-here') })), 'INDEX_NOT_FOUND');
    await e.shutdown();
  });

  it('cancels a build through the signal', async () => {
    const e = engine();
    const controller = new AbortController();
    const pending = call(e, 'index/build', { roots: [tree.dir] }, {
      signal: controller.signal,
      onNotify: (m, p) => m === 'index/progress' && (p as IndexProgress).phase === 'walk' && controller.abort(),
    });
    await assert.rejects(pending, (err: unknown) => err instanceof KeelError && err.code === 'CANCELLED');
    await e.shutdown();
  });
});

describe('keel index / keel status (CLI)', () => {
  it('prints { files, chunks, skipped, ms } (+ the skippedReasons breakdown) with --json, then the status', async () => {
    const tree = makeTree({ 'a.py': 'def alpha():\n    return 1\n', '.env': 'X=1' });
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-cache-'));
    try {
      let out = '';
      let err = '';
      const runner = {
        cwd: tree.dir,
        env: { ...process.env, XDG_CACHE_HOME: cache },
        out: (t: string) => void (out += t),
        err: (t: string) => void (err += t),
        readStdin: async () => Buffer.alloc(0),
        signal: new AbortController().signal,
      };
      const prevCache = process.env.XDG_CACHE_HOME;
      process.env.XDG_CACHE_HOME = cache; // the engine resolves the default store from the process env
      try {
        assert.equal(await runCommand(indexCommand, ['--json'], { ...runner, argv: [] }), 0, err);
        const summary = JSON.parse(out);
        assert.deepEqual(Object.keys(summary), ['files', 'chunks', 'skipped', 'ms', 'skippedReasons']);
        assert.equal(summary.files, 1);
        assert.equal(summary.skipped, 1);
        assert.deepEqual(summary.skippedReasons, { secret: 1 });
        out = '';
        assert.equal(await runCommand(statusCommand, ['--json'], { ...runner, argv: [] }), 0, err);
        const status = JSON.parse(out);
        assert.ok(status.store.startsWith(path.join(cache, 'keel')));
        assert.deepEqual(status.skipped, [{ path: '.env', reason: 'secret-bearing file (never indexed)', kind: 'secret' }]);
        out = '';
        assert.equal(await runCommand(statusCommand, [], { ...runner, argv: [] }), 0, err);
        assert.match(out, /skipped: +1 \(1 secret\)/);
        assert.match(out, /\.env — \[secret\] secret-bearing file/);
        out = '';
        const code = await runCommand(statusCommand, ['--json', '--store', path.join(cache, 'none')], { ...runner, argv: [] });
        assert.equal(code, 3);
        assert.equal(JSON.parse(out).error.code, 'INDEX_NOT_FOUND');
      } finally {
        if (prevCache === undefined) delete process.env.XDG_CACHE_HOME;
        else process.env.XDG_CACHE_HOME = prevCache;
      }
    } finally {
      tree.cleanup();
      fs.rmSync(cache, { recursive: true, force: true });
    }
  });
});
