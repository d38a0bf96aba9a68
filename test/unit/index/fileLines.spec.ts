import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileLines } from '../../../src/engine/index/fileLines';

describe('FileLines (chunk texts without re-reading files)', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-filelines-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('slices normalised lines and serves a repeat read from memory (the file is not read again)', async () => {
    const file = path.join(dir, 'a.ts');
    fs.writeFileSync(file, 'one\r\ntwo\rthree\nfour\n');
    const cache = new FileLines();
    assert.equal(await cache.slice(file, 2, 3), 'two\nthree');
    const first = await cache.lines(file);
    // same size and mtime: the cached array itself comes back, proof that no read or split happened
    assert.equal(await cache.lines(file), first);
    assert.equal(await cache.slice(file, 4, 9), 'four\n');
  });

  it('sees an edit on disk at once (size or mtime changed), and a deleted file as unreadable', async () => {
    const file = path.join(dir, 'b.ts');
    fs.writeFileSync(file, 'a\nb\n');
    const cache = new FileLines();
    assert.equal(await cache.slice(file, 1, 1), 'a');
    fs.writeFileSync(file, 'x\nb\n'); // same size: only the mtime tells
    const later = new Date(Date.now() + 5_000);
    fs.utimesSync(file, later, later);
    assert.equal(await cache.slice(file, 1, 1), 'x');
    fs.writeFileSync(file, 'longer first line\nb\n');
    assert.equal(await cache.slice(file, 1, 1), 'longer first line');
    fs.rmSync(file);
    assert.equal(await cache.slice(file, 1, 1), undefined);
  });

  it('shares one read between concurrent asks and stays within its character budget', async () => {
    const cache = new FileLines(400);
    const files = Array.from({ length: 6 }, (_, i) => {
      const file = path.join(dir, `f${i}.ts`);
      fs.writeFileSync(file, `${String(i).repeat(90)}\n`);
      return file;
    });
    const [a, b] = await Promise.all([cache.lines(files[0]), cache.lines(files[0])]);
    assert.equal(a, b);
    for (const f of files) await cache.lines(f);
    const held = (cache as unknown as { chars: number }).chars;
    assert.ok(held <= 400, `holds ${held} chars`);
    // the oldest file was evicted (a fresh array), the newest is still held (the same array)
    const newest = await cache.lines(files[5]);
    assert.equal(await cache.lines(files[5]), newest);
    assert.notEqual(await cache.lines(files[0]), a);
  });
});
