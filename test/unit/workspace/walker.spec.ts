import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkPath, walkWorkspace } from '../../../src/engine/workspace/walker';
import { makeTree } from './helpers';

const MB = 1024 * 1024;

async function walk(roots: string[], maxFileSizeBytes = MB, exclude?: string[]) {
  return walkWorkspace(roots, { maxFileSizeBytes, exclude });
}

describe('walkWorkspace', () => {
  it('applies default excludes, nested .gitignore and .keelignore re-includes', async () => {
    const { dir, cleanup } = makeTree({
      'src/a.ts': 'export const a = 1;',
      'src/gen/out.ts': 'x',
      'src/gen/keep.ts': 'x',
      'src/.gitignore': 'gen/*\n',
      'src/.keelignore': '!gen/keep.ts\n', // read after the same folder's .gitignore: re-includes
      'node_modules/lib/index.js': 'x',
      'dist/bundle.js': 'x',
      '.git/config': 'x',
      'package-lock.json': '{}',
      'app.min.js': 'x',
      'logo.png': 'x',
      'docs/readme.md': '# hi',
      'logs/.gitignore': '*.log\n',
      'logs/today.log': 'x',
      'logs/keep.txt': 'x',
    });
    try {
      const { files } = await walk([dir]);
      assert.deepEqual(files.map((f) => f.rel).sort(), [
        'docs/readme.md', 'logs/.gitignore', 'logs/keep.txt', 'src/.gitignore', 'src/.keelignore', 'src/a.ts', 'src/gen/keep.ts',
      ]);
    } finally {
      cleanup();
    }
  });

  it('skips secret-bearing files with a reason, whatever .keelignore says', async () => {
    const { dir, cleanup } = makeTree({
      '.env': 'SECRET=1', '.env.local': 'x', 'certs/server.pem': 'x', 'certs/server.key': 'x',
      'id_rsa': 'x', 'id_ed25519.pub': 'x', '.aws/credentials': 'x', 'ok.ts': 'x', '.keelignore': '!.env\n',
    });
    try {
      const { files, skipped } = await walk([dir]);
      assert.deepEqual(files.map((f) => f.rel).sort(), ['.keelignore', 'ok.ts']);
      assert.equal(skipped.length, 7);
      assert.ok(skipped.every((s) => /secret/.test(s.reason)));
    } finally {
      cleanup();
    }
  });

  it('skips files over the size limit (a 50 MB file) with a reason', async () => {
    const { dir, cleanup } = makeTree({ 'small.ts': 'x' });
    try {
      const fd = fs.openSync(path.join(dir, 'huge.ts'), 'w');
      fs.ftruncateSync(fd, 50 * MB); // sparse: 50 MB without writing 50 MB
      fs.closeSync(fd);
      const { files, skipped } = await walk([dir]);
      assert.deepEqual(files.map((f) => f.rel), ['small.ts']);
      assert.equal(skipped[0].path, 'huge.ts');
      assert.match(skipped[0].reason, /too large \(51200 KB > 1024 KB\)/);
    } finally {
      cleanup();
    }
  });

  it('survives a symlink loop and broken links, reporting them', async () => {
    const { dir, cleanup } = makeTree({ 'a/file.ts': 'x' });
    try {
      fs.symlinkSync(dir, path.join(dir, 'a', 'loop'));
      fs.symlinkSync(path.join(dir, 'nowhere'), path.join(dir, 'broken.ts'));
      fs.symlinkSync(path.join(dir, 'self1'), path.join(dir, 'self2'));
      fs.symlinkSync(path.join(dir, 'self2'), path.join(dir, 'self1'));
      const { files, skipped } = await walk([dir]);
      assert.deepEqual(files.map((f) => f.rel), ['a/file.ts']);
      const reasons = Object.fromEntries(skipped.map((s) => [s.path, s.reason]));
      assert.match(reasons['a/loop'], /symlink loop/);
      assert.match(reasons['broken.ts'], /broken link/);
      assert.match(reasons.self1, /symlink loop/);
    } finally {
      cleanup();
    }
  });

  it('handles 10,000 files in one directory', async () => {
    const { dir, cleanup } = makeTree({});
    try {
      for (let i = 0; i < 10_000; i++) fs.writeFileSync(path.join(dir, `f${i}.ts`), `export const v${i} = ${i};\n`);
      const started = performance.now();
      const { files } = await walk([dir]);
      assert.equal(files.length, 10_000);
      console.log(`      (walked 10,000 files in one folder in ${Math.round(performance.now() - started)} ms)`);
    } finally {
      cleanup();
    }
  });

  it('walks several roots, prefixing skipped paths with the folder name', async () => {
    const a = makeTree({ 'x.ts': 'x', '.env': 's' });
    const b = makeTree({ 'y.py': 'y' });
    try {
      const { files, skipped } = await walk([a.dir, b.dir]);
      assert.deepEqual(files.map((f) => [f.root, f.rel]), [[0, 'x.ts'], [1, 'y.py']]);
      assert.equal(skipped[0].path, `${path.basename(a.dir)}/.env`);
    } finally {
      a.cleanup();
      b.cleanup();
    }
  });

  it('reports a permission-denied folder and file instead of failing', async function () {
    const { dir, cleanup } = makeTree({ 'open.ts': 'x', 'locked/inner.ts': 'x', 'secret-ish.ts': 'x' });
    try {
      fs.chmodSync(path.join(dir, 'locked'), 0o000);
      fs.chmodSync(path.join(dir, 'secret-ish.ts'), 0o000);
      fs.chmodSync(dir, 0o755);
      // root ignores permissions, so run the walk as an unprivileged user when we are root
      const script = `
        require('tsx/cjs');
        const { walkWorkspace } = require(${JSON.stringify(path.resolve('src/engine/workspace/walker.ts'))});
        const { readSourceFile } = require(${JSON.stringify(path.resolve('src/engine/workspace/sourceFile.ts'))});
        (async () => {
          const w = await walkWorkspace([${JSON.stringify(dir)}], { maxFileSizeBytes: 1 << 20 });
          const reads = await Promise.all(w.files.map((f) => readSourceFile(f.abs, 1 << 20)));
          process.stdout.write(JSON.stringify({ files: w.files.map((f) => f.rel), skipped: w.skipped, reads }));
        })();`;
      const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
      const run = spawnSync(process.execPath, ['-e', script], { cwd: process.cwd(), encoding: 'utf8', ...asNobody, env: { ...process.env, HOME: '/tmp' } });
      assert.equal(run.status, 0, run.stderr);
      const result = JSON.parse(run.stdout) as { files: string[]; skipped: Array<{ path: string; reason: string }>; reads: Array<{ ok: boolean; reason?: string }> };
      assert.deepEqual(result.skipped, [{ path: 'locked', reason: 'permission denied', kind: 'unreadable' }]);
      const unreadable = result.reads[result.files.indexOf('secret-ish.ts')];
      assert.deepEqual(unreadable, { ok: false, reason: 'permission denied', kind: 'unreadable' });
    } finally {
      fs.chmodSync(path.join(dir, 'locked'), 0o755);
      cleanup();
    }
  });
});

describe('checkPath', () => {
  it('gives the walker verdict for single paths (used for file events)', async () => {
    const { dir, cleanup } = makeTree({ 'src/a.ts': 'x', 'src/.gitignore': 'tmp/\n', 'src/tmp/b.ts': 'x', '.env': 'x', 'node_modules/m/i.js': 'x' });
    try {
      const opts = { maxFileSizeBytes: MB };
      assert.equal((await checkPath(dir, 'src/a.ts', opts)).kind, 'file');
      assert.equal((await checkPath(dir, 'src/tmp/b.ts', opts)).kind, 'ignored');
      assert.equal((await checkPath(dir, 'node_modules/m/i.js', opts)).kind, 'ignored');
      assert.equal((await checkPath(dir, '.env', opts)).kind, 'skipped');
      assert.equal((await checkPath(dir, 'src', opts)).kind, 'directory');
      assert.equal((await checkPath(dir, 'gone.ts', opts)).kind, 'gone');
    } finally {
      cleanup();
    }
  });
});
