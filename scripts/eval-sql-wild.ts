/**
 * `npm run eval:sql:wild`: precision on real code nobody wrote for Keel. Fetches large code bases with
 * the registries' own clients into .keel-cache/sql-wild (npm: `npm pack typeorm sequelize knex`; Debian:
 * `apt-get download python3-django python3-sqlalchemy`, unpacked with `dpkg-deb -x`, never installed),
 * scans each with sql/scan's engine, prints findings per 1,000 lines (per code base and category) and a
 * seeded random sample of 40 SQL-injection / N+1 findings with file:line and snippet for hand triage.
 * Flags: --sample N, --seed S, --all-categories (sample every category). Last line: one JSON object.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Finding } from '../src/protocol';
import { scanPaths } from '../src/engine/sql/scan';
import { baselineFindings } from './eval-sql';
import { rng } from './sql/devCorpus';

interface Source {
  name: string;
  kind: 'npm' | 'deb';
  /** Folder inside the unpacked archive holding the code. */
  codeDir: string;
}

const SOURCES: Source[] = [
  { name: 'typeorm', kind: 'npm', codeDir: 'package' },
  { name: 'sequelize', kind: 'npm', codeDir: 'package' },
  { name: 'knex', kind: 'npm', codeDir: 'package' },
  { name: 'python3-django', kind: 'deb', codeDir: 'usr/lib/python3/dist-packages/django' },
  { name: 'python3-sqlalchemy', kind: 'deb', codeDir: 'usr/lib/python3/dist-packages/sqlalchemy' },
];

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** Download and unpack one source once; returns the code folder. */
export function fetchSource(cache: string, s: Source): string {
  const out = path.join(cache, s.name);
  const code = path.join(out, s.codeDir);
  if (fs.existsSync(code)) return code;
  fs.mkdirSync(out, { recursive: true });
  const dl = path.join(cache, 'downloads');
  fs.mkdirSync(dl, { recursive: true });
  if (s.kind === 'npm') {
    const file = execFileSync('npm', ['pack', s.name, '--silent', '--pack-destination', dl], { encoding: 'utf8', timeout: 300_000 }).trim().split('\n').pop()!;
    execFileSync('tar', ['-xzf', path.join(dl, file), '-C', out]);
  } else {
    execFileSync('apt-get', ['download', s.name], { cwd: dl, stdio: 'ignore', timeout: 300_000 });
    const deb = fs.readdirSync(dl).find((f) => f.startsWith(`${s.name}_`) && f.endsWith('.deb'));
    if (!deb) throw new Error(`apt-get download ${s.name} produced no .deb`);
    execFileSync('dpkg-deb', ['-x', path.join(dl, deb), out]);
  }
  return code;
}

/** fetchSource, or undefined after printing why the source is skipped (a run without network still reports the rest). */
export function fetchSourceOrSkip(cache: string, s: Source): string | undefined {
  try {
    return fetchSource(cache, s);
  } catch (e) {
    console.log(`${s.name}: not available (${(e as Error).message.split('\n')[0]}); skipped`);
    return undefined;
  }
}

function countLines(abs: string): number {
  const text = fs.readFileSync(abs, 'utf8');
  let n = 1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

async function main(): Promise<void> {
  const root = path.resolve(__dirname, '..');
  const cache = path.join(root, '.keel-cache', 'sql-wild');
  const sampleSize = arg('--sample', 40);
  const seed = arg('--seed', 15);
  const all: Array<{ source: string; dir: string; f: Finding }> = [];
  const rows: Record<string, unknown>[] = [];
  for (const s of SOURCES) {
    const dir = fetchSourceOrSkip(cache, s);
    if (dir === undefined) continue;
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const result = await scanPaths({ paths: ['.'], cwd: dir });
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(c0);
    const perCpuS = Math.round(result.files / ((cpu.user + cpu.system) / 1e6));
    // Lines of every analysed file (the scan reports counts, not names: walk again with the same rules).
    const lines = listAnalysable(dir).reduce((sum, f) => sum + countLines(f), 0);
    const byCat: Record<string, number> = {};
    for (const f of result.findings) byCat[f.category] = (byCat[f.category] ?? 0) + 1;
    const per1k = (n: number): number => Math.round((n / Math.max(1, lines)) * 1000 * 1000) / 1000;
    console.log(`${s.name.padEnd(20)} ${String(result.files).padStart(5)} files ${String(lines).padStart(7)} lines  ${String(result.findings.length).padStart(4)} findings = ${per1k(result.findings.length).toFixed(2)} per 1,000 lines  (${Math.round(result.files / (ms / 1000))} files/s wall, ${perCpuS} per CPU-s)  ${Object.entries(byCat).map(([k, v]) => `${k} ${v} (${per1k(v).toFixed(2)}/kLOC)`).join(', ')}`);
    // The analyzer at the merge-base with main, on the same code in the same run (--no-baseline skips it).
    const base = process.argv.includes('--no-baseline') ? undefined : baselineFindings(root, dir);
    const baseByCat: Record<string, number> = {};
    for (const f of base?.findings ?? []) baseByCat[f.category] = (baseByCat[f.category] ?? 0) + 1;
    if (base) console.log(`${''.padEnd(20)} baseline ${base.ref.slice(0, 10)}: ${base.findings.length} findings = ${per1k(base.findings.length).toFixed(2)} per 1,000 lines  ${Object.entries(baseByCat).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    rows.push({ source: s.name, files: result.files, lines, findings: result.findings.length, per1k: per1k(result.findings.length), byCategory: byCat, filesPerS: Math.round(result.files / (ms / 1000)), filesPerCpuS: perCpuS, ...(base ? { baseline: { ref: base.ref, findings: base.findings.length, per1k: per1k(base.findings.length), byCategory: baseByCat } } : {}) });
    for (const f of result.findings) all.push({ source: s.name, dir, f });
  }
  const pool = process.argv.includes('--all-categories') ? all : all.filter((x) => x.f.category === 'sql-injection' || x.f.category === 'n-plus-one');
  const next = rng(seed);
  const shuffled = pool.map((x) => ({ x, k: next() })).sort((a, b) => a.k - b.k).map((p) => p.x);
  const sample = shuffled.slice(0, sampleSize).sort((a, b) => (a.source + a.f.path).localeCompare(b.source + b.f.path) || a.f.line - b.f.line);
  console.log(`\nrandom sample of ${sample.length} of ${pool.length} sql-injection / n-plus-one findings (seed ${seed}) — triage each as true / false / debatable:`);
  sample.forEach(({ source, dir, f }, i) => {
    const text = fs.readFileSync(path.join(dir, f.path), 'utf8').split('\n');
    const snippet = text.slice(f.line - 1, Math.min(text.length, f.line + 1)).map((l) => l.trim()).join(' ⏎ ').slice(0, 160);
    console.log(`${String(i + 1).padStart(2)}. [${f.code.replace('KEEL-SQL-', '')}] ${source}/${f.path}:${f.line}  ${snippet}`);
    console.log(`      ${f.message.slice(0, 150)}`);
  });
  console.log(JSON.stringify({ sources: rows, sample: sample.map(({ source, f }) => ({ source, path: f.path, line: f.line, code: f.code })) }));
}

function listAnalysable(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'node_modules' && !e.name.startsWith('.')) walk(p);
      } else if (e.isFile() && /\.(py|[cm]?[jt]sx?)$/.test(e.name) && fs.statSync(p).size <= 1024 * 1024) out.push(p);
    }
  };
  walk(dir);
  return out;
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
