/**
 * `npm run eval:sql`: precision and recall of the SQL analyzers per category and language over the
 * annotated fixtures in test/fixtures/sql (and the demo backend), from `expect: CODE` markers.
 * A finding counts as a true positive when a marker for its code sits on its first line. Those are own
 * fixtures, not independent evidence. Then the independent sql-dev corpus (../shared/data/sql-dev),
 * scored with that corpus's matching rule (scripts/sql/devCorpus.ts), per language and category, on a fixed
 * split (A: develop, B: report) and the whole, with file-clustered 95% bootstrap intervals, next to the
 * analyzer at the merge-base with main (or KEEL_SQL_BASELINE_REF) computed in the same run.
 * Then N+1 for Go on own labels over Debian-packaged code (scripts/sql/goNPlusOne.ts).
 * Flags: --no-baseline, --misses (list every FN/FP), --no-go-n1. Last line: one JSON object.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Finding } from '../src/protocol';
import { analyzeSource, sqlLanguageFor } from '../src/engine/sql/analyze';
import { ruleByCode } from '../src/engine/sql/rules';
import { scanPaths } from '../src/engine/sql/scan';
import { goNPlusOneCells, goNPlusOneCorpus, scanGoCorpus } from './sql/goNPlusOne';
import { bootstrap, cellsByFile, credit, devCorpusDir, type Label, precision, readLabels, recall, type ScoredFinding, shortCategory, shortLang, splitOf } from './sql/devCorpus';

export interface Score {
  tp: number;
  fp: number;
  fn: number;
  precision: number;
  recall: number;
}

export interface EvalReport {
  files: number;
  overall: Score;
  byCategory: Record<string, Score>;
  byLanguage: Record<string, Score>;
  falsePositives: string[];
  falseNegatives: string[];
}

const EXPECT = /(?:\/\/|#)\s*expect:\s*([A-Z0-9 -]+?)\s*$/;

/** `expect:` markers of a file: line → codes. */
export function expectations(text: string): Map<number, string[]> {
  const out = new Map<number, string[]>();
  text.split('\n').forEach((line, i) => {
    const m = EXPECT.exec(line);
    if (m) out.set(i + 1, m[1].split(/\s+/).filter(Boolean));
  });
  return out;
}

export function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...listFiles(p));
    else if (sqlLanguageFor(p)) out.push(p);
  }
  return out.sort();
}

/** Expectations kept beside the file instead of in it (the demo backend must read like real code). */
export function sidecarExpectations(root: string): Map<string, Map<number, string[]>> {
  const file = path.join(root, 'test/fixtures/sql/demo-backend.expected.json');
  const data = JSON.parse(fs.readFileSync(file, 'utf8')) as { findings: Array<{ path: string; line: number; code: string }> };
  const out = new Map<string, Map<number, string[]>>();
  for (const f of data.findings) {
    const abs = path.join(root, 'test/fixtures/demo-backend', f.path);
    const lines = out.get(abs) ?? new Map<number, string[]>();
    lines.set(f.line, [...(lines.get(f.line) ?? []), f.code]);
    out.set(abs, lines);
  }
  return out;
}

export async function evaluate(files: readonly string[], root: string): Promise<EvalReport> {
  const sidecar = sidecarExpectations(root);
  const cells = new Map<string, { tp: number; fp: number; fn: number }>();
  const bump = (keys: string[], field: 'tp' | 'fp' | 'fn'): void => {
    for (const k of keys) {
      const c = cells.get(k) ?? { tp: 0, fp: 0, fn: 0 };
      c[field]++;
      cells.set(k, c);
    }
  };
  const falsePositives: string[] = [];
  const falseNegatives: string[] = [];
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    const rel = path.relative(root, file).split(path.sep).join('/');
    const grammar = sqlLanguageFor(file);
    const lang = grammar === 'python' || grammar === 'go' || grammar === 'java' ? grammar : 'ts/js';
    const expected = file.includes(`${path.sep}demo-backend${path.sep}`) ? (sidecar.get(file) ?? new Map<number, string[]>()) : expectations(text);
    // Analysed as the project they stand for (`sql/ts/pg.ts`), not as test code of this repository
    // (test code has its own rule set: src/engine/sql/testCode.ts).
    const findings: Finding[] = await analyzeSource({ path: rel.replace(/^test\/fixtures\//, ''), text });
    const matched = new Set<string>();
    for (const f of findings) {
      const keys = ['overall', `category:${f.category}`, `language:${lang}`];
      if (expected.get(f.line)?.includes(f.code) && !matched.has(`${f.line}:${f.code}`)) {
        matched.add(`${f.line}:${f.code}`);
        bump(keys, 'tp');
      } else {
        bump(keys, 'fp');
        falsePositives.push(`${rel}:${f.line} ${f.code}`);
      }
    }
    for (const [line, codes] of expected) {
      for (const code of codes) {
        if (matched.has(`${line}:${code}`)) continue;
        const category = ruleByCode(code)?.category ?? code;
        bump(['overall', `category:${category}`, `language:${lang}`], 'fn');
        falseNegatives.push(`${rel}:${line} ${code}`);
      }
    }
  }
  const score = (k: string): Score => {
    const c = cells.get(k) ?? { tp: 0, fp: 0, fn: 0 };
    return { ...c, precision: ratio(c.tp, c.tp + c.fp), recall: ratio(c.tp, c.tp + c.fn) };
  };
  const pick = (prefix: string): Record<string, Score> =>
    Object.fromEntries([...cells.keys()].filter((k) => k.startsWith(prefix)).sort().map((k) => [k.slice(prefix.length), score(k)]));
  return { files: files.length, overall: score('overall'), byCategory: pick('category:'), byLanguage: pick('language:'), falsePositives, falseNegatives };
}

function ratio(a: number, b: number): number {
  return b === 0 ? 1 : Math.round((a / b) * 1000) / 1000;
}

/** The fixture figures: own fixtures written beside the analyzers, so not independent evidence. */
async function fixtureFigures(root: string): Promise<EvalReport> {
  const files = [...listFiles(path.join(root, 'test/fixtures/sql')), ...listFiles(path.join(root, 'test/fixtures/demo-backend'))];
  const report = await evaluate(files, root);
  const row = (name: string, s: Score): string =>
    `${name.padEnd(24)} precision ${s.precision.toFixed(3)}  recall ${s.recall.toFixed(3)}  (tp ${s.tp}, fp ${s.fp}, fn ${s.fn})`;
  console.log(`\n== own fixtures, not independent (test/fixtures/sql + demo backend, ${report.files} annotated files) ==`);
  console.log(row('overall', report.overall));
  for (const [k, s] of Object.entries(report.byCategory)) console.log(row(`  ${k}`, s));
  for (const [k, s] of Object.entries(report.byLanguage)) console.log(row(`  ${k}`, s));
  if (report.falsePositives.length) console.log(`  false positives: ${report.falsePositives.join(', ')}`);
  if (report.falseNegatives.length) console.log(`  false negatives: ${report.falseNegatives.join(', ')}`);
  return report;
}

interface Group {
  name: string;
  test: (l: Label) => boolean;
}

const GROUPS: Group[] = [
  ...['sql-injection', 'n-plus-one'].flatMap((cat) => [
    { name: `${shortCategory(cat)} all`, test: (l: Label) => l.category === cat },
    ...(cat === 'sql-injection' ? [{ name: 'injection js+ts+python', test: (l: Label) => l.category === cat && ['javascript', 'typescript', 'python'].includes(l.lang) }] : []),
    ...['javascript', 'typescript', 'python', 'go', 'java'].map((lang) => ({ name: `${shortCategory(cat)} ${shortLang(lang)}`, test: (l: Label) => l.category === cat && l.lang === lang })),
  ]),
];

/** The analyzer at `ref` (default: where this branch left main), built once into .keel-cache. */
export function baselineFindings(root: string, corpus: string): { ref: string; findings: ScoredFinding[] } | undefined {
  const git = (...args: string[]): string => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
  let ref = process.env.KEEL_SQL_BASELINE_REF;
  try {
    ref ??= git('merge-base', 'HEAD', 'main');
    ref = git('rev-parse', ref);
  } catch {
    console.log('baseline: no git history here (set KEEL_SQL_BASELINE_REF); skipped');
    return undefined;
  }
  const dir = path.join(root, '.keel-cache', 'eval-sql-baseline', ref.slice(0, 12));
  const cli = path.join(dir, 'dist', 'cli.js');
  if (!fs.existsSync(cli)) {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    execFileSync('sh', ['-c', `git archive ${ref} | tar -x -C ${JSON.stringify(dir)}`], { cwd: root });
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
    execFileSync(process.execPath, ['esbuild.mjs'], { cwd: dir, stdio: 'ignore' });
  }
  // '.' rather than the absolute corpus path: node's cwd is the real path, so a corpus reached through a
  // symlink would come back as ../../wt/… paths that match no label.
  const out = execFileSync(process.execPath, [cli, 'scan', '.', '--format', 'json', '--fail-on', 'never'], { cwd: corpus, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return { ref, findings: JSON.parse(out) as ScoredFinding[] };
}

function fmt(x: number | undefined): string {
  return x === undefined ? '  -  ' : x.toFixed(2);
}
function fmtCi(ci: [number, number] | undefined): string {
  return ci ? `[${ci[0].toFixed(2)},${ci[1].toFixed(2)}]` : '[  -  ]';
}
function sub(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined ? undefined : a - b;
}

async function devFigures(root: string, corpus: string): Promise<Record<string, unknown>> {
  const labels = readLabels(corpus);
  const t0 = performance.now();
  const scan = await scanPaths({ paths: ['.'], cwd: corpus });
  const scanMs = Math.round(performance.now() - t0);
  const rel = (p: string): string => path.relative(corpus, path.resolve(corpus, p)).split(path.sep).join('/');
  const current = credit(labels, scan.findings, rel);
  const base = process.argv.includes('--no-baseline') ? undefined : baselineFindings(root, corpus);
  const baseCredit = base ? credit(labels, base.findings, rel) : undefined;
  const files = [...new Set(labels.map((l) => l.file))].sort();
  console.log(`\n== sql-dev corpus (${corpus}): ${labels.length} labels in ${files.length} files, scored with its score.py rule ==`);
  console.log(`current: ${scan.findings.length} findings in ${scan.files} files (${scanMs} ms)${base ? `; baseline = analyzer at ${base.ref.slice(0, 10)}: ${base.findings.length} findings` : ''}`);
  console.log(`split: by sha256 of the source unit (an N+1 before/after pair is one unit); A = develop, B = report. A ${files.filter((f) => splitOf(f) === 'A').length} files, B ${files.filter((f) => splitOf(f) === 'B').length} files`);
  const out: Record<string, unknown> = {};
  for (const split of ['B', 'all', 'A'] as const) {
    console.log(`\n-- split ${split}${split === 'A' ? ' (development split)' : ''} --  recall [95% CI] precision [95% CI] (tp fn fp tn) | baseline recall precision | Δrecall [paired 95% CI] Δprecision [CI]`);
    const rows: Record<string, unknown> = {};
    for (const g of GROUPS) {
      const keep = (i: number): boolean => g.test(labels[i]) && (split === 'all' || splitOf(labels[i].file) === split);
      const { perFile: clusters, total } = cellsByFile(labels, current.credited, baseCredit?.credited, keep);
      if (clusters.length === 0) continue;
      const c = total[0];
      const recCi = bootstrap(clusters, (s) => recall(s[0]));
      const preCi = bootstrap(clusters, (s) => precision(s[0]));
      const dRec = baseCredit ? bootstrap(clusters, (s) => sub(recall(s[0]), recall(s[1]))) : undefined;
      const dPre = baseCredit ? bootstrap(clusters, (s) => sub(precision(s[0]), precision(s[1]))) : undefined;
      const b = total[1];
      console.log(
        `${g.name.padEnd(24)} ${fmt(recall(c))} ${fmtCi(recCi)}  ${fmt(precision(c))} ${fmtCi(preCi)}  (${c.tp} ${c.fn} ${c.fp} ${c.tn})` +
          (baseCredit ? ` | ${fmt(recall(b))} ${fmt(precision(b))} | ${fmt(sub(recall(c), recall(b)))} ${fmtCi(dRec)} ${fmt(sub(precision(c), precision(b)))} ${fmtCi(dPre)}` : ''),
      );
      rows[g.name] = { ...c, recall: recall(c), precision: precision(c), recallCi: recCi, precisionCi: preCi, ...(baseCredit ? { baseline: { ...b, recall: recall(b), precision: precision(b) }, deltaRecallCi: dRec, deltaPrecisionCi: dPre } : {}) };
    }
    out[split] = rows;
  }
  console.log(`\nfindings near no label (not scored): current ${JSON.stringify(current.unmatched)}${baseCredit ? `, baseline ${JSON.stringify(baseCredit.unmatched)}` : ''}`);
  if (process.argv.includes('--misses')) {
    labels.forEach((l, i) => {
      const hit = current.credited.has(i);
      if (l.label === 'positive' ? !hit : hit) console.log(`${l.label === 'positive' ? 'FN' : 'FP'} [${splitOf(l.file)}] ${l.category} ${l.file}:${l.line}`);
    });
  }
  return { corpus: path.basename(corpus), labels: labels.length, findings: scan.findings.length, baselineRef: base?.ref, baselineFindings: base?.findings.length, splits: out };
}

/**
 * N+1 for Go on this team's labelled set of Debian-packaged code (scripts/sql/goNPlusOne.ts). Java: no
 * labelled set — the dev corpus has none and Debian/npm ship no Java application source with JPA/JDBC loops.
 */
async function goNPlusOneFigures(root: string): Promise<Record<string, unknown>> {
  const corpus = goNPlusOneCorpus(root);
  console.log('\n== N+1 Go: own labels (scripts/sql/go-nplus1-labels.json, written criteria, labelled before the analyzer ran) on Debian -dev package code — not independent ==');
  if ('skipped' in corpus) {
    console.log(`skipped: ${corpus.skipped}`);
    return { skipped: corpus.skipped };
  }
  const current = await scanGoCorpus(corpus.dir);
  const base = process.argv.includes('--no-baseline') ? undefined : baselineFindings(root, corpus.dir);
  const out: Record<string, unknown> = {};
  console.log(`labels: ${corpus.labels.length} (${corpus.labels.filter((l) => l.label === 'positive').length} positive); java: no labelled set (none in sql-dev; no Java application source in npm/Debian packages)`);
  console.log('split: dev = labels the analyzer was changed against; heldout = labelled afterwards, by the same criteria, before the analyzer ran on them');
  for (const split of ['heldout', 'dev', 'all'] as const) {
    const keep = (i: number): boolean => split === 'all' || corpus.splits[i] === split;
    const { perFile, total } = goNPlusOneCells(corpus.labels, corpus.dir, current, base?.findings.filter((f) => f.category === 'n-plus-one'), keep);
    const c = total[0];
    const b = total[1];
    const recCi = bootstrap(perFile, (s) => recall(s[0]));
    const preCi = bootstrap(perFile, (s) => precision(s[0]));
    const dRec = base ? bootstrap(perFile, (s) => sub(recall(s[0]), recall(s[1]))) : undefined;
    const dPre = base ? bootstrap(perFile, (s) => sub(precision(s[0]), precision(s[1]))) : undefined;
    console.log(
      `${`n+1 go ${split}`.padEnd(24)} ${fmt(recall(c))} ${fmtCi(recCi)}  ${fmt(precision(c))} ${fmtCi(preCi)}  (${c.tp} ${c.fn} ${c.fp} ${c.tn}) ${perFile.length} files` +
        (base ? ` | baseline ${base.ref.slice(0, 10)} ${fmt(recall(b))} ${fmt(precision(b))} | Δrecall ${fmt(sub(recall(c), recall(b)))} ${fmtCi(dRec)} Δprecision ${fmt(sub(precision(c), precision(b)))} ${fmtCi(dPre)}` : ''),
    );
    out[split] = { ...c, recall: recall(c), precision: precision(c), recallCi: recCi, precisionCi: preCi, ...(base ? { baseline: { ref: base.ref, ...b, recall: recall(b), precision: precision(b) }, deltaRecallCi: dRec, deltaPrecisionCi: dPre } : {}) };
  }
  if (process.argv.includes('--misses')) {
    const rel = (p: string): string => path.relative(corpus.dir, path.resolve(corpus.dir, p)).split(path.sep).join('/');
    const cur = credit(corpus.labels, current, rel);
    corpus.labels.forEach((l, i) => {
      const hit = cur.credited.has(i);
      if (l.label === 'positive' ? !hit : hit) console.log(`${l.label === 'positive' ? 'FN' : 'FP'} [${corpus.splits[i]}] go n-plus-one ${l.file}:${l.line}`);
    });
    console.log(`unmatched: ${JSON.stringify(cur.unmatched)}`);
  }
  return { labels: corpus.labels.length, splits: out };
}

async function main(): Promise<void> {
  const root = path.resolve(__dirname, '..');
  const fixtures = await fixtureFigures(root);
  const corpus = devCorpusDir(root);
  const dev = corpus ? await devFigures(root, corpus) : undefined;
  if (!corpus) console.log('\nsql-dev corpus not found (set KEEL_SQL_DEV): only own-fixture figures printed');
  const goNPlusOne = process.argv.includes('--no-go-n1') ? undefined : await goNPlusOneFigures(root);
  console.log(JSON.stringify({ ownFixturesNotIndependent: { overall: fixtures.overall, byCategory: fixtures.byCategory, byLanguage: fixtures.byLanguage }, dev, goNPlusOneOwnLabels: goNPlusOne }));
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
