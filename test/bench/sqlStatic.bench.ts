/**
 * `npx tsx test/bench/sqlStatic.bench.ts`: re-analysis time of a real ~1,000-line Go and Java file, as on
 * each edit (`sql/analyze` with the incremental tree cache, one small edit per run), median and p95 of 50
 * edits after warm-up (target p95 < 20 ms), plus a cold full-parse figure and the scan rate of every
 * file of the package.
 *
 * Real code, never installed: Go — sqlx.go from Debian's golang-github-jmoiron-sqlx-dev and the gorm
 * sources of golang-github-jinzhu-gorm-dev (`apt-get download` + `dpkg-deb -x` into a cache folder);
 * Java — java.sql.rowset's CachedRowSetWriter.java from a JDK's src.zip (the local JDK's, else Debian's
 * openjdk-17-source, downloaded the same way). Prints figures only; the last line is one JSON object.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyzeSource } from '../../src/engine/sql/analyze';
import { scanPaths } from '../../src/engine/sql/scan';

const CACHE = path.join(os.tmpdir(), 'keel-bench-sql-static');

function debExtract(pkg: string): string {
  const dir = path.join(CACHE, pkg);
  if (fs.existsSync(path.join(dir, '.done'))) return dir;
  fs.mkdirSync(dir, { recursive: true });
  execFileSync('apt-get', ['download', pkg], { cwd: dir, stdio: 'ignore' });
  const deb = fs.readdirSync(dir).find((f) => f.endsWith('.deb'));
  if (!deb) throw new Error(`apt-get download ${pkg} produced no .deb`);
  execFileSync('dpkg-deb', ['-x', path.join(dir, deb), path.join(dir, 'x')]);
  fs.writeFileSync(path.join(dir, '.done'), '');
  return dir;
}

function files(dir: string, ext: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...files(p, ext));
    else if (e.name.endsWith(ext)) out.push(p);
  }
  return out;
}

function jdkSource(entry: string): string {
  const zips = ['/usr/lib/jvm'].flatMap((root) => (fs.existsSync(root) ? fs.readdirSync(root).map((d) => path.join(root, d, 'lib', 'src.zip')) : []));
  let zip = zips.find((z) => fs.existsSync(z));
  if (!zip) {
    const dir = debExtract('openjdk-17-source');
    zip = files(path.join(dir, 'x'), 'src.zip')[0];
  }
  const names = execFileSync('unzip', ['-Z1', zip!], { maxBuffer: 64 << 20 }).toString().split('\n');
  const name = names.find((n) => n.endsWith(entry));
  if (!name) throw new Error(`${entry} not in ${zip}`);
  return execFileSync('unzip', ['-p', zip!, name], { maxBuffer: 64 << 20 }).toString();
}

async function reanalysis(name: string, text: string, languageId: string): Promise<{ lines: number; p50: number; p95: number; cpuP50: number; cpuP95: number; cold: number; findings: number }> {
  const file = `bench/${name}`;
  for (let i = 0; i < 10; i++) await analyzeSource({ path: file, text: `${text}\n//${i}`, languageId }, { incremental: true });
  const times: number[] = [];
  const cpu: number[] = [];
  let findings = 0;
  for (let i = 0; i < 50; i++) {
    // A new text each time, as after typing one character at the end.
    const edited = `${text}\n// edit ${i}`;
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    findings = (await analyzeSource({ path: file, text: edited, languageId }, { incremental: true })).length;
    times.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  times.sort((a, b) => a - b);
  const cold: number[] = [];
  for (let i = 0; i < 10; i++) {
    const t0 = performance.now();
    await analyzeSource({ path: `cold-${name}`, text: text + ' '.repeat(i), languageId });
    cold.push(performance.now() - t0);
  }
  cold.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  return { lines: text.split('\n').length, p50: r(times[25]), p95: r(times[Math.floor(times.length * 0.95)]), cpuP50: r(cpu[25]), cpuP95: r(cpu[Math.floor(cpu.length * 0.95)]), cold: r(cold[5]), findings };
}

const r = (x: number): number => Math.round(x * 10) / 10;

async function main(): Promise<void> {
  const sqlx = path.join(debExtract('golang-github-jmoiron-sqlx-dev'), 'x');
  const gorm = path.join(debExtract('golang-github-jinzhu-gorm-dev'), 'x');
  const goFile = files(sqlx, '.go').find((f) => f.endsWith('/sqlx.go'))!;
  const javaText = jdkSource('com/sun/rowset/internal/CachedRowSetWriter.java');
  const go = await reanalysis('sqlx.go', fs.readFileSync(goFile, 'utf8'), 'go');
  const java = await reanalysis('CachedRowSetWriter.java', javaText, 'java');
  console.log(`load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.cpus().length} cores (wall time includes waiting for a shared CPU; CPU time is what this code costs)`);
  console.log(`Go   re-analysis of sqlx.go (${go.lines} lines, Debian golang-github-jmoiron-sqlx-dev): wall p50 ${go.p50} ms, p95 ${go.p95} ms; CPU p50 ${go.cpuP50} ms, p95 ${go.cpuP95} ms; cold ${go.cold} ms, ${go.findings} findings (target p95 < 20 ms)`);
  console.log(`Java re-analysis of CachedRowSetWriter.java (${java.lines} lines, JDK src.zip): wall p50 ${java.p50} ms, p95 ${java.p95} ms; CPU p50 ${java.cpuP50} ms, p95 ${java.cpuP95} ms; cold ${java.cold} ms, ${java.findings} findings (target p95 < 20 ms)`);
  const goFiles = [...files(sqlx, '.go'), ...files(gorm, '.go')];
  await scanPaths({ paths: [goFiles[0]], cwd: '/' });
  const t0 = performance.now();
  const scan = await scanPaths({ paths: goFiles, cwd: '/' });
  const ms = performance.now() - t0;
  const goLines = goFiles.reduce((n, f) => n + fs.readFileSync(f, 'utf8').split('\n').length, 0);
  console.log(`Go scan: ${scan.files} files (${goLines} lines of sqlx + gorm 1.9.6), ${scan.findings.length} findings, ${Math.round(scan.files / (ms / 1000))} files/s`);
  const byCode: Record<string, number> = {};
  for (const f of scan.findings) byCode[f.code] = (byCode[f.code] ?? 0) + 1;
  console.log(`Go scan findings by rule: ${JSON.stringify(byCode)} (${r((scan.findings.length / goLines) * 1000)} per 1,000 lines)`);
  console.log(
    JSON.stringify({
      goLines: go.lines, goP50Ms: go.p50, goP95Ms: go.p95, goCpuP50Ms: go.cpuP50, goCpuP95Ms: go.cpuP95, goColdMs: go.cold,
      javaLines: java.lines, javaP50Ms: java.p50, javaP95Ms: java.p95, javaCpuP50Ms: java.cpuP50, javaCpuP95Ms: java.cpuP95, javaColdMs: java.cold,
      goScanFiles: scan.files, goScanFilesPerS: Math.round(scan.files / (ms / 1000)), goScanFindings: scan.findings.length,
      loadAvg1m: r(os.loadavg()[0]), cpus: os.cpus().length,
    }),
  );
}

void main();
