import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT, runKeel } from '../../helpers/cli';
import { version } from '../../../package.json';

describe('keel CLI basics', function () {
  this.timeout(60_000);

  it('--version prints the package version', () => {
    const r = runKeel(['--version']);
    assert.equal(r.code, 0);
    assert.equal(r.stdout.trim(), version);
    assert.deepEqual(JSON.parse(runKeel(['--version', '--json']).stdout), { version });
  });

  it('--help lists every subcommand', () => {
    const r = runKeel(['--help']);
    assert.equal(r.code, 0);
    for (const name of ['index', 'search', 'ask', 'scan', 'cost', 'serve']) assert.match(r.stdout, new RegExp(`^\\s+${name}\\s`, 'm'), name);
  });

  it('an unknown command is a usage error (exit 2)', () => {
    const r = runKeel(['frobnicate']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown command "frobnicate"/);
  });

  it('keel index takes the directory as an argument or as --dir (as search and ask spell it), not two different ones', () => {
    const store = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-cli-index-'));
    try {
      const dir = path.join(REPO_ROOT, 'test', 'fixtures', 'sql', 'go');
      const byArg = runKeel(['index', dir, '--store', path.join(store, 'a'), '--json']);
      const byOption = runKeel(['index', '--dir', dir, '--store', path.join(store, 'b'), '--json']);
      assert.equal(byArg.code, 0, byArg.stderr);
      assert.equal(byOption.code, 0, byOption.stderr);
      const [a, b] = [JSON.parse(byArg.stdout), JSON.parse(byOption.stdout)];
      assert.ok(a.files > 0 && a.chunks > 0);
      assert.deepEqual([b.files, b.chunks, b.skipped], [a.files, a.chunks, a.skipped]);
      const both = runKeel(['index', dir, '--dir', path.join(REPO_ROOT, 'src'), '--store', path.join(store, 'c'), '--json']);
      assert.notEqual(both.code, 0);
      assert.equal(JSON.parse(both.stdout).error.code, 'INVALID_PARAMS');
    } finally {
      fs.rmSync(store, { recursive: true, force: true });
    }
  });

  it('keel status reads the same index from [dir], --dir DIR and --store DIR; an unknown option is named plainly', function () {
    this.timeout(300_000); // six CLI runs, each starting an engine
    const store = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-cli-status-'));
    try {
      const dir = path.join(REPO_ROOT, 'test', 'fixtures', 'sql', 'go');
      const built = runKeel(['index', dir, '--store', store, '--json']);
      assert.equal(built.code, 0, built.stderr);
      const runs = [
        runKeel(['status', dir, '--store', store, '--json']),
        runKeel(['status', '--dir', dir, '--store', store, '--json']),
        runKeel(['status', '--store', store, '--json']),
      ];
      for (const r of runs) assert.equal(r.code, 0, r.stderr);
      const [byArg, byOption, byStore] = runs.map((r) => JSON.parse(r.stdout) as { store: string; files: number; chunks: number });
      assert.equal(byArg.files, JSON.parse(built.stdout).files);
      assert.deepEqual([byOption, byStore].map((s) => [s.store, s.files, s.chunks]), [[byArg.store, byArg.files, byArg.chunks], [byArg.store, byArg.files, byArg.chunks]]);
      const two = runKeel(['status', dir, '--dir', path.join(REPO_ROOT, 'src'), '--json']);
      assert.equal(JSON.parse(two.stdout).error.code, 'INVALID_PARAMS');
      const bogus = runKeel(['status', '--directory', dir]);
      assert.equal(bogus.code, 2);
      assert.match(bogus.stderr, /keel status has no option --directory\./);
      assert.doesNotMatch(bogus.stderr, /positional argument starting with/, 'no raw node:util message');
      assert.match(bogus.stderr, /usage: keel status \[dir \| --dir DIR\]/);
    } finally {
      fs.rmSync(store, { recursive: true, force: true });
    }
  });

  it('a bad option is a coded usage error, as JSON with --json', () => {
    const r = runKeel(['serve', '--bogus', '--json']);
    assert.equal(r.code, 2);
    const { error } = JSON.parse(r.stdout);
    assert.equal(error.code, 'INVALID_PARAMS');
    assert.equal(r.stderr.includes('    at '), false, 'no stack trace');
  });
});
