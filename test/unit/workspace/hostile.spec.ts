/**
 * A repository built to hurt the indexer: links to devices and to folders outside the workspace, a
 * FIFO (opening one for reading blocks forever), a unix socket, link loops and a huge sparse file.
 * Walking and reading it must finish quickly, in bounded memory, with every hostile entry skipped
 * and its reason recorded.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { readSourceFile } from '../../../src/engine/workspace/sourceFile';
import { checkPath, walkWorkspace } from '../../../src/engine/workspace/walker';
import { makeTree } from './helpers';

const MB = 1024 * 1024;

describe('hostile workspace', function () {
  this.timeout(20_000);
  let tree: ReturnType<typeof makeTree>;
  let outside: string;
  let server: net.Server | undefined;

  before(async () => {
    tree = makeTree({ 'src/ok.ts': 'export const ok = 1;\n', '.env': 'DB_PASSWORD=hunter2hunter2\n' });
    outside = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-outside-'));
    fs.writeFileSync(path.join(outside, 'stolen.ts'), 'export const stolen = 1;\n');
    const at = (rel: string): string => path.join(tree.dir, rel);
    fs.symlinkSync('/dev/zero', at('zero.ts'));
    fs.symlinkSync('/dev/urandom', at('random.py'));
    fs.symlinkSync('/etc', at('etc'));
    fs.symlinkSync(outside, at('elsewhere'));
    fs.symlinkSync(path.join(outside, 'stolen.ts'), at('stolen-link.ts'));
    fs.symlinkSync('loop-b', at('loop-a'));
    fs.symlinkSync('loop-a', at('loop-b'));
    fs.symlinkSync('.env', at('settings.txt')); // a harmless name for a secret file
    fs.symlinkSync('src/ok.ts', at('inside-link.ts')); // a link inside the workspace still works
    assert.equal(spawnSync('mkfifo', [at('pipe.ts')]).status, 0, 'mkfifo failed');
    fs.symlinkSync('pipe.ts', at('pipe-link.go'));
    const fd = fs.openSync(at('huge.sql'), 'w');
    fs.ftruncateSync(fd, 64 * 1024 * MB); // 64 GB sparse: never read it
    fs.closeSync(fd);
    server = net.createServer();
    await new Promise<void>((resolve) => server!.listen(at('sock.ts'), resolve));
  });
  after(() => {
    server?.close();
    tree.cleanup();
    fs.rmSync(outside, { recursive: true, force: true });
  });

  it('walks it quickly, indexing only the regular files inside, each hostile entry skipped with a kind', async () => {
    const heapBefore = process.memoryUsage().rss;
    const started = performance.now();
    const { files, skipped } = await walkWorkspace([tree.dir], { maxFileSizeBytes: MB });
    const ms = performance.now() - started;
    assert.deepEqual(files.map((f) => f.rel).sort(), ['inside-link.ts', 'src/ok.ts']);
    const kinds = Object.fromEntries(skipped.map((s) => [s.path, s.kind]));
    assert.equal(kinds['zero.ts'], 'outsideWorkspace');
    assert.equal(kinds['random.py'], 'outsideWorkspace');
    assert.equal(kinds.etc, 'outsideWorkspace');
    assert.equal(kinds.elsewhere, 'outsideWorkspace');
    assert.equal(kinds['stolen-link.ts'], 'outsideWorkspace');
    assert.equal(kinds['loop-a'], 'loop');
    assert.equal(kinds['loop-b'], 'loop');
    assert.equal(kinds['pipe.ts'], 'special');
    assert.equal(kinds['pipe-link.go'], 'special');
    assert.equal(kinds['sock.ts'], 'special');
    assert.equal(kinds['huge.sql'], 'tooLarge');
    assert.equal(kinds['.env'], 'secret');
    assert.equal(kinds['settings.txt'], 'secret');
    assert.ok(skipped.every((s) => s.reason.length > 0));
    assert.ok(ms < 5000, `walk took ${ms} ms`);
    assert.ok(process.memoryUsage().rss - heapBefore < 200 * MB);
  });

  it('with followSymlinksOutside, links out are followed but devices stay skipped', async () => {
    const { files, skipped } = await walkWorkspace([tree.dir], { maxFileSizeBytes: MB, followSymlinksOutside: true });
    assert.ok(files.some((f) => f.rel === 'stolen-link.ts'));
    assert.ok(files.some((f) => f.rel === 'elsewhere/stolen.ts'));
    const kinds = Object.fromEntries(skipped.map((s) => [s.path, s.kind]));
    assert.equal(kinds['zero.ts'], 'special');
    assert.equal(kinds['random.py'], 'special');
    assert.ok(!files.some((f) => f.rel === 'etc/shadow'));
  });

  it('readSourceFile never opens a FIFO or device for a blocking read and bounds the read by fstat', async () => {
    const at = (rel: string): string => path.join(tree.dir, rel);
    const started = performance.now();
    const [pipe, zero, huge, sock] = await Promise.all([
      readSourceFile(at('pipe.ts'), MB), readSourceFile('/dev/zero', MB), readSourceFile(at('huge.sql'), MB), readSourceFile(at('sock.ts'), MB),
    ]);
    assert.ok(performance.now() - started < 3000);
    assert.deepEqual([pipe.ok, zero.ok, huge.ok, sock.ok], [false, false, false, false]);
    assert.equal(!pipe.ok && pipe.kind, 'special');
    assert.equal(!zero.ok && zero.kind, 'special');
    assert.equal(!huge.ok && huge.kind, 'tooLarge');
  });

  it('readSourceFile refuses a path whose real location is outside the given roots', async () => {
    const r = await readSourceFile(path.join(tree.dir, 'stolen-link.ts'), MB, { roots: [tree.dir] });
    assert.equal(!r.ok && r.kind, 'outsideWorkspace');
    const inside = await readSourceFile(path.join(tree.dir, 'inside-link.ts'), MB, { roots: [tree.dir] });
    assert.ok(inside.ok);
  });

  it('checkPath (file events) applies the same rules', async () => {
    const opts = { maxFileSizeBytes: MB };
    for (const rel of ['zero.ts', 'stolen-link.ts', 'pipe.ts', 'sock.ts', 'huge.sql', 'settings.txt', 'loop-a']) {
      const v = await checkPath(tree.dir, rel, opts);
      assert.equal(v.kind, 'skipped', rel);
    }
    assert.equal((await checkPath(tree.dir, 'etc/shadow', opts)).kind, 'skipped');
    assert.equal((await checkPath(tree.dir, 'inside-link.ts', opts)).kind, 'file');
  });
});
