/**
 * `npm run eval:sql`: precision and recall of the SQL analyzers per category and language over the
 * annotated fixtures in test/fixtures/sql (and the demo backend), from `expect: CODE` markers.
 * A finding counts as a true positive when a marker for its code sits on its first line.
 * Prints a table, then one JSON object on the last line.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Finding } from '../src/protocol';
import { analyzeSource, sqlLanguageFor } from '../src/engine/sql/analyze';
import { ruleByCode } from '../src/engine/sql/rules';

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
    const findings: Finding[] = await analyzeSource({ path: rel, text });
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

async function main(): Promise<void> {
  const root = path.resolve(__dirname, '..');
  const files = [...listFiles(path.join(root, 'test/fixtures/sql')), ...listFiles(path.join(root, 'test/fixtures/demo-backend'))];
  const report = await evaluate(files, root);
  const row = (name: string, s: Score): string =>
    `${name.padEnd(24)} precision ${s.precision.toFixed(3)}  recall ${s.recall.toFixed(3)}  (tp ${s.tp}, fp ${s.fp}, fn ${s.fn})`;
  console.log(`SQL analyzers over ${report.files} annotated files\n`);
  console.log(row('overall', report.overall));
  console.log('\nby category');
  for (const [k, s] of Object.entries(report.byCategory)) console.log(row(`  ${k}`, s));
  console.log('\nby language');
  for (const [k, s] of Object.entries(report.byLanguage)) console.log(row(`  ${k}`, s));
  if (report.falsePositives.length) console.log(`\nfalse positives:\n  ${report.falsePositives.join('\n  ')}`);
  if (report.falseNegatives.length) console.log(`\nfalse negatives:\n  ${report.falseNegatives.join('\n  ')}`);
  console.log(JSON.stringify(report));
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
