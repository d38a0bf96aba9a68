/**
 * Child process of `npm run bench:sql:scan`, run from a bundle the bench builds (as the engine ships):
 * `node sqlScanChild.js <dir> <workers>` scans `dir` once after a warm-up (grammars loaded, as in a
 * running engine) and prints one JSON line: files, findings, wall ms, CPU ms of the whole process
 * (process.cpuUsage counts every thread, so worker threads are included), and a digest of the result.
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { scanPaths } from '../../../src/engine/sql/scan';

async function main(): Promise<void> {
  const [dir, workers, warm] = process.argv.slice(2);
  await scanPaths({ paths: [warm], cwd: path.dirname(warm) }, undefined, { workers: 0 });
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const result = await scanPaths({ paths: ['.'], cwd: dir }, undefined, { workers: Number(workers) });
  const cpu = process.cpuUsage(c0);
  const ms = performance.now() - t0;
  const digest = createHash('sha256').update(JSON.stringify({ findings: result.findings, files: result.files, skipped: result.skipped })).digest('hex');
  process.stdout.write(`${JSON.stringify({ files: result.files, findings: result.findings.length, skipped: result.skipped.length, wallMs: ms, cpuMs: (cpu.user + cpu.system) / 1000, digest })}\n`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
