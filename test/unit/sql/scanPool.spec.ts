import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KeelError } from '../../../src/common/errors';
import { scanPaths } from '../../../src/engine/sql/scan';
import { clearSummaryCache, exportSummary } from '../../../src/engine/sql/summaries';

const FIXTURES = path.resolve(__dirname, '../../fixtures');
const HANGING = { file: path.join(__dirname, 'hangingScanWorker.ts'), execArgv: ['--require', 'tsx/cjs'] };

describe('sql/scan on worker threads', function () {
  this.timeout(300_000);
  let dir: string;

  before(() => {
    // Real fixtures, several copies in separate folders (each copy imports its own siblings), so the
    // pool hands out many runs of files and the cross-file summaries are exercised on threads.
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-scan-pool-'));
    for (let copy = 0; copy < 3; copy++) fs.cpSync(path.join(FIXTURES, 'sql'), path.join(dir, `copy${copy}`), { recursive: true });
    fs.cpSync(path.join(FIXTURES, 'demo-backend'), path.join(dir, 'demo-backend'), { recursive: true });
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('gives the same findings, in the same order, as the in-process scan, and fills the engine summary cache', async () => {
    clearSummaryCache();
    const single = await scanPaths({ paths: ['.'], cwd: dir }, undefined, { workers: 0 });
    clearSummaryCache();
    const pooled = await scanPaths({ paths: ['.'], cwd: dir }, undefined, { workers: 2, minFilesForWorkers: 1 });
    assert.ok(single.files > 20 && single.findings.length > 20, `expected a real scan, got ${single.files} files`);
    assert.equal(JSON.stringify(pooled.findings), JSON.stringify(single.findings));
    assert.deepEqual(pooled.skipped, single.skipped);
    assert.equal(pooled.files, single.files);
    // Summaries computed on the worker threads reach this thread (edits after a scan stay fast).
    const py = fs.readdirSync(path.join(dir, 'copy0', 'py')).find((f) => f.endsWith('.py'))!;
    assert.ok(exportSummary(path.join(dir, 'copy0', 'py', py)), 'summary of a scanned file adopted');
  });

  it('skips a file that exceeds the time limit with a reason, and still analyses every other file', async () => {
    const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-scan-hang-'));
    try {
      // Few files: each replaced worker starts again, which takes seconds on a loaded machine.
      fs.cpSync(path.join(FIXTURES, 'sql', 'py'), path.join(ws, 'py'), { recursive: true });
      fs.writeFileSync(path.join(ws, 'py', 'hang_me.py'), 'x = 1\n');
      const expected = await scanPaths({ paths: ['.'], cwd: ws }, undefined, { workers: 0 });
      const result = await scanPaths({ paths: ['.'], cwd: ws }, undefined, { workers: 2, minFilesForWorkers: 1, fileTimeLimitMs: 3000, workerEntry: HANGING });
      const timedOut = result.skipped.filter((s) => s.kind === 'timeout');
      assert.deepEqual(timedOut.map((s) => s.path), ['py/hang_me.py']);
      assert.match(timedOut[0].reason, /more than 3000 ms of (CPU )?time/);
      assert.equal(result.files, expected.files - 1);
      assert.equal(JSON.stringify(result.findings), JSON.stringify(expected.findings.filter((f) => f.path !== 'py/hang_me.py')));
    } finally {
      fs.rmSync(ws, { recursive: true, force: true });
    }
  });

  it('stops on cancellation with CANCELLED, even while a worker is stuck', async () => {
    const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-scan-cancel-'));
    try {
      fs.cpSync(path.join(FIXTURES, 'sql'), ws, { recursive: true });
      fs.writeFileSync(path.join(ws, 'py', 'hang_a.py'), 'x = 1\n');
      fs.writeFileSync(path.join(ws, 'ts', 'hang_b.ts'), 'const x = 1;\n');
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 3000);
      const started = performance.now();
      await assert.rejects(
        scanPaths({ paths: ['.'], cwd: ws }, controller.signal, { workers: 2, minFilesForWorkers: 1, fileTimeLimitMs: 600_000, workerEntry: HANGING }),
        (e: unknown) => e instanceof KeelError && e.code === 'CANCELLED',
      );
      assert.ok(performance.now() - started < 60_000);
    } finally {
      fs.rmSync(ws, { recursive: true, force: true });
    }
  });
});
