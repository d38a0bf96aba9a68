/**
 * `npm run eval:secrets`: how well redaction finds secrets it was not written against, and how often
 * it fires on ordinary code.
 *
 * Recall corpus — labelled examples that secret scanners ship in their npm and Debian packages,
 * fetched with the ordinary clients into `.keel-cache/secret-corpus/` (never committed; pinned
 * versions, so every run sees the same bytes):
 *   - @secretlint/secretlint-rule-database-connection-string: the README's "Bad" lines are
 *     positives, its "Good" lines negatives (templates, placeholders, URLs without passwords);
 *   - @secretlint/secretlint-rule-anthropic, -no-k8s-kind-secret: the README's example credentials;
 *   - eslint-plugin-no-secrets: each `//Found a string … : "X"` comment names X as the secret of the
 *     code under it;
 *   - Debian's git-secrets: the AWS example credentials in its README.
 * A positive with a named secret counts as found when that string no longer appears in the
 * redacted text; one without (a "Bad" line) when at least one redaction happened on it.
 * Items alternate between the halves within each source: even positions develop, odd ones report.
 *
 * False-positive rate — redactions per 1,000 lines of ordinary code: source trees of packages in
 * this repository's node_modules (the development half), and the five repository snapshots of ../shared/data/retrieval-swe-dev
 * (if present; the reporting half). Lines over 1,000 characters (minified code) are left out for both redactors.
 *
 * Baseline, computed in the same run: the redactor as it was before context and entropy detection
 * (commit BASELINE_COMMIT, read with `git show`). 95% paired-bootstrap intervals for the differences.
 * Ends with one JSON line.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const REPO = path.resolve(__dirname, '..');
const CACHE = path.join(REPO, '.keel-cache', 'secret-corpus');
const BASELINE_COMMIT = '2b381fc';
const NPM_SOURCES = [
  '@secretlint/secretlint-rule-database-connection-string@12.0.0',
  '@secretlint/secretlint-rule-anthropic@12.0.0',
  '@secretlint/secretlint-rule-no-k8s-kind-secret@11.3.1',
  'eslint-plugin-no-secrets@2.3.3',
];
const DEB_SOURCES = ['git-secrets'];
const CODE_TREES = ['openai/src', '@anthropic-ai/sdk/src', 'zod/src', 'mocha/lib', 'marked/src', 'ignore', 'commander/lib', 'ajv/lib', 'cheerio/src', 'chokidar', 'debug/src', 'diff/lib', 'dotenv/lib'];
const CODE_EXT = /\.(?:[cm]?[jt]sx?|py)$/;
const MAX_LINES_PER_TREE = 80_000;

interface Redact {
  redactText(text: string): { text: string; count: number };
}
interface Item {
  source: string;
  text: string;
  /** The exact secret, when the source names it. */
  secret?: string;
  positive: boolean;
}

function sh(cmd: string, args: string[], cwd = REPO): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
}

/** npm pack (cached) and unpack; returns the package folder. */
function fetchNpm(spec: string): string {
  const dir = path.join(CACHE, 'npm', spec.replace(/[@/]/g, '_'));
  if (!fs.existsSync(path.join(dir, 'package'))) {
    fs.mkdirSync(dir, { recursive: true });
    const name = sh('npm', ['pack', spec, '--silent', '--pack-destination', dir]).trim().split('\n').pop()!;
    sh('tar', ['xzf', path.join(dir, name), '-C', dir]);
  }
  return path.join(dir, 'package');
}

/** apt-get download (cached) and unpack; returns the unpacked root, or undefined if unavailable. */
function fetchDeb(name: string): string | undefined {
  const dir = path.join(CACHE, 'deb', name);
  if (!fs.existsSync(path.join(dir, 'root'))) {
    fs.mkdirSync(dir, { recursive: true });
    try {
      sh('apt-get', ['download', name], dir);
      const deb = fs.readdirSync(dir).find((f) => f.endsWith('.deb'))!;
      sh('dpkg-deb', ['-x', path.join(dir, deb), path.join(dir, 'root')]);
    } catch (error) {
      console.log(`(skipped Debian package ${name}: ${(error as Error).message.split('\n')[0]})`);
      return undefined;
    }
  }
  return path.join(dir, 'root');
}

function codeBlocks(markdown: string): Array<{ label: string; lang: string; lines: string[] }> {
  const out: Array<{ label: string; lang: string; lines: string[] }> = [];
  let label = '';
  let current: { label: string; lang: string; lines: string[] } | undefined;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) {
      if (current) {
        out.push(current);
        current = undefined;
      } else current = { label, lang: line.slice(3).trim(), lines: [] };
      continue;
    }
    if (current) current.lines.push(line);
    else if (line.trim()) label = line.trim();
  }
  return out;
}

function corpus(): Item[] {
  const items: Item[] = [];
  const dbc = fs.readFileSync(path.join(fetchNpm(NPM_SOURCES[0]), 'README.md'), 'utf8');
  for (const block of codeBlocks(dbc)) {
    const positive = /\bBad\b/i.test(block.label) ? true : /\bGood\b/i.test(block.label) ? false : undefined;
    if (positive === undefined) continue;
    for (const line of block.lines) if (line.trim()) items.push({ source: 'secretlint-database-connection-string', text: line, positive });
  }
  const anthropic = fs.readFileSync(path.join(fetchNpm(NPM_SOURCES[1]), 'README.md'), 'utf8');
  for (const block of codeBlocks(anthropic)) {
    for (const line of block.lines) if (/^sk-ant-/.test(line.trim())) items.push({ source: 'secretlint-anthropic', text: line, secret: line.trim(), positive: true });
  }
  const k8s = fs.readFileSync(path.join(fetchNpm(NPM_SOURCES[2]), 'README.md'), 'utf8');
  for (const block of codeBlocks(k8s)) {
    if (!block.lines.some((l) => /^kind:\s*Secret/.test(l))) continue;
    const text = block.lines.join('\n');
    for (const m of text.matchAll(/^\s+(?:password|token|secret)\w*:\s*(\S+)$/gm)) items.push({ source: 'secretlint-k8s-secret', text, secret: m[1], positive: true });
  }
  const noSecrets = fs.readFileSync(path.join(fetchNpm(NPM_SOURCES[3]), 'README.md'), 'utf8');
  for (const block of codeBlocks(noSecrets)) {
    for (let i = 0; i < block.lines.length; i++) {
      const m = /^\/\/\s*Found a string.*:\s*"([^"]+)"\s*$/.exec(block.lines[i]);
      if (!m) continue;
      const code: string[] = [];
      for (let j = i + 1; j < block.lines.length && !block.lines[j].startsWith('//'); j++) code.push(block.lines[j]);
      items.push({ source: 'eslint-plugin-no-secrets', text: code.join('\n'), secret: m[1], positive: true });
    }
  }
  const gitSecrets = fetchDeb(DEB_SOURCES[0]);
  if (gitSecrets) {
    const gz = path.join(gitSecrets, 'usr/share/doc/git-secrets/README.rst.gz');
    const readme = fs.existsSync(gz) ? sh('zcat', [gz]) : '';
    for (const line of readme.split('\n')) {
      for (const m of line.matchAll(/(?<![A-Za-z0-9/+])(AKIA[A-Z0-9]{16}|[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])/g)) {
        if (/[0-9]/.test(m[1]) || m[1].startsWith('AKIA')) items.push({ source: 'debian-git-secrets', text: line, secret: m[1], positive: true });
      }
    }
  }
  return items;
}

function found(r: Redact, item: Item): boolean {
  const out = r.redactText(item.text);
  return item.secret ? !out.text.includes(item.secret) : out.count > 0;
}

/** Ordinary code: one entry per file, [lines, text]. */
function codeFiles(): Array<{ tree: string; lines: number; text: string }> {
  const files: Array<{ tree: string; lines: number; text: string }> = [];
  const addTree = (tree: string, root: string): void => {
    const all: string[] = [];
    const walk = (dir: string): void => {
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
        const abs = path.join(dir, e.name);
        if (e.isDirectory() && e.name !== 'node_modules' && !e.name.startsWith('.')) walk(abs);
        else if (e.isFile() && CODE_EXT.test(e.name) && !/\.min\.|\.d\.ts$/.test(e.name)) all.push(abs);
      }
    };
    walk(root);
    let total = 0;
    for (const abs of all) {
      if (total >= MAX_LINES_PER_TREE) break;
      const st = fs.statSync(abs);
      if (st.size > 300_000) continue;
      const lines = fs.readFileSync(abs, 'utf8').split('\n').filter((l) => l.length <= 1000);
      total += lines.length;
      files.push({ tree, lines: lines.length, text: lines.join('\n') });
    }
  };
  for (const t of CODE_TREES) addTree(`node_modules/${t}`, path.join(REPO, 'node_modules', t));
  // ../shared beside the repo (a worktree sits one level deeper)
  const swe = [path.resolve(REPO, '../shared/data/retrieval-swe-dev/snapshots'), path.resolve(REPO, '../../shared/data/retrieval-swe-dev/snapshots')]
    .find((d) => fs.existsSync(d));
  if (swe) {
    for (const tar of fs.readdirSync(swe).filter((f) => f.endsWith('.tar.xz')).sort()) {
      const dir = path.join(CACHE, 'swe', tar.replace(/\.tar\.xz$/, ''));
      if (!fs.existsSync(dir)) {
        fs.mkdirSync(dir, { recursive: true });
        sh('tar', ['xJf', path.join(swe, tar), '-C', dir]);
      }
      addTree(`swe/${tar.replace(/\.tar\.xz$/, '')}`, dir);
    }
  } else console.log('(../shared/data/retrieval-swe-dev not found: false positives measured on node_modules only)');
  return files;
}

function loadBaseline(): Redact | undefined {
  const dir = path.join(CACHE, `baseline-${BASELINE_COMMIT}`);
  try {
    fs.mkdirSync(dir, { recursive: true });
    for (const f of ['redact.ts', 'secretRules.ts']) {
      fs.writeFileSync(path.join(dir, f), sh('git', ['show', `${BASELINE_COMMIT}:src/engine/llm/egress/${f}`]));
    }
     
    const mod = require(path.join(dir, 'redact.ts')) as { Redactor: new (key: Buffer) => Redact };
    return new mod.Redactor(Buffer.alloc(32, 1));
  } catch (error) {
    console.log(`(no baseline: ${(error as Error).message.split('\n')[0]})`);
    return undefined;
  }
}

function rng(seed: number): () => number {
  return () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
}

/** 95% paired bootstrap interval of mean(a) - mean(b) over units. */
function bootstrap(a: number[], b: number[], weights?: number[], rounds = 2000): [number, number] {
  const random = rng(4242);
  const diffs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let sa = 0;
    let sb = 0;
    let sw = 0;
    for (let i = 0; i < a.length; i++) {
      const j = Math.floor(random() * a.length);
      const w = weights ? weights[j] : 1;
      sa += a[j];
      sb += b[j];
      sw += w;
    }
    diffs.push((sa - sb) / Math.max(sw, 1));
  }
  diffs.sort((x, y) => x - y);
  return [diffs[Math.floor(rounds * 0.025)], diffs[Math.floor(rounds * 0.975)]];
}

async function main(): Promise<void> {
  const { Redactor } = await import('../src/engine/egress/redact');
  const current: Redact = new Redactor(Buffer.alloc(32, 1));
  const baseline = loadBaseline();
  const items = corpus();
  const sources = [...new Set(items.map((i) => i.source))].sort();
  // alternate items within each source (positives and negatives separately), so both halves hold every kind
  const position = new Map<Item, number>();
  for (const s of sources) {
    for (const positive of [true, false]) items.filter((i) => i.source === s && i.positive === positive).forEach((i, k) => position.set(i, k));
  }
  const split = (i: Item): 'dev' | 'test' => (position.get(i)! % 2 === 0 ? 'dev' : 'test');
  const result: Record<string, unknown> = {};
  console.log(`corpus: ${items.filter((i) => i.positive).length} secrets, ${items.filter((i) => !i.positive).length} labelled non-secrets, from ${sources.length} sources`);
  for (const part of ['dev', 'test', 'all'] as const) {
    const subset = items.filter((i) => part === 'all' || split(i) === part);
    const pos = subset.filter((i) => i.positive);
    const neg = subset.filter((i) => !i.positive);
    const cur: number[] = pos.map((i) => (found(current, i) ? 1 : 0));
    const base: number[] = baseline ? pos.map((i) => (found(baseline, i) ? 1 : 0)) : [];
    const curNeg = neg.filter((i) => current.redactText(i.text).count > 0).length;
    const baseNeg = baseline ? neg.filter((i) => baseline.redactText(i.text).count > 0).length : null;
    const recall = cur.reduce((a, b) => a + b, 0) / Math.max(pos.length, 1);
    const baseRecall = baseline ? base.reduce((a, b) => a + b, 0) / Math.max(pos.length, 1) : null;
    const ci = baseline && pos.length ? bootstrap(cur, base) : null;
    console.log(`${part.padEnd(5)} sources ${[...new Set(subset.map((i) => i.source))].join(', ')}`);
    console.log(`      recall ${recall.toFixed(3)} (${cur.filter(Boolean).length}/${pos.length})  baseline ${baseRecall?.toFixed(3) ?? '–'}  diff 95% CI ${ci ? `[${ci[0].toFixed(3)}, ${ci[1].toFixed(3)}]` : '–'}  labelled non-secrets redacted ${curNeg}/${neg.length} (baseline ${baseNeg ?? '–'})`);
    if (part === 'dev') {
      for (const i of pos.filter((_, k) => !cur[k])) console.log(`      missed: ${i.text.slice(0, 110)}`);
      for (const i of neg.filter((n) => current.redactText(n.text).count > 0)) console.log(`      false alarm: ${i.text.slice(0, 110)}`);
    }
    result[part] = { secrets: pos.length, recall: +recall.toFixed(4), baselineRecall: baseRecall === null ? null : +baseRecall.toFixed(4), recallDiffCI: ci, nonSecrets: neg.length, nonSecretsRedacted: curNeg, baselineNonSecretsRedacted: baseNeg };
  }

  const files = codeFiles();
  const byTree = new Map<string, { lines: number; cur: number; base: number; curMs: number; kinds: Map<string, number> }>();
  const perFile: { cur: number[]; base: number[]; lines: number[] } = { cur: [], base: [], lines: [] };
  const examples: string[] = [];
  for (const f of files) {
    const t = byTree.get(f.tree) ?? { lines: 0, cur: 0, base: 0, curMs: 0, kinds: new Map<string, number>() };
    const start = process.cpuUsage(); // CPU time: wall time on a shared machine measures the load
    const r = current.redactText(f.text);
    const used = process.cpuUsage(start);
    t.curMs += (used.user + used.system) / 1000;
    const b = baseline ? baseline.redactText(f.text).count : 0;
    for (const m of r.text.matchAll(/\[REDACTED:([a-z0-9-]+):/g)) t.kinds.set(m[1], (t.kinds.get(m[1]) ?? 0) + 1);
    if (r.count && examples.length < 25 && f.tree.startsWith('node_modules/')) {
      const line = r.text.split('\n').find((l) => l.includes('[REDACTED:'));
      if (line) examples.push(`${f.tree}: ${line.trim().slice(0, 140)}`);
    }
    t.lines += f.lines;
    t.cur += r.count;
    t.base += b;
    byTree.set(f.tree, t);
    perFile.cur.push(r.count);
    perFile.base.push(b);
    perFile.lines.push(f.lines);
  }
  const totalLines = perFile.lines.reduce((a, b) => a + b, 0);
  const totalCur = perFile.cur.reduce((a, b) => a + b, 0);
  const totalBase = perFile.base.reduce((a, b) => a + b, 0);
  console.log(`\nredactions per 1,000 lines of ordinary code (${files.length} files, ${totalLines} lines):`);
  for (const [tree, t] of byTree) {
    const kinds = [...t.kinds].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([k, n]) => `${k} ${n}`).join(', ');
    console.log(`  ${tree.padEnd(42)} ${String(t.lines).padStart(7)} lines  ${((t.cur / t.lines) * 1000).toFixed(2).padStart(6)}  baseline ${((t.base / t.lines) * 1000).toFixed(2).padStart(6)}  ${kinds}`);
  }
  const perK = (totalCur / totalLines) * 1000;
  const basePerK = (totalBase / totalLines) * 1000;
  const fpCi = baseline ? bootstrap(perFile.cur.map((c) => c * 1000), perFile.base.map((c) => c * 1000), perFile.lines) : null;
  console.log(`  all: ${perK.toFixed(2)} per 1,000 lines, baseline ${basePerK.toFixed(2)}; difference 95% CI ${fpCi ? `[${fpCi[0].toFixed(2)}, ${fpCi[1].toFixed(2)}]` : '–'}`);
  // node_modules trees develop, the retrieval-swe-dev snapshots report
  const fpPart: Record<string, unknown> = {};
  for (const part of ['dev', 'test'] as const) {
    const idx = files.map((f, i) => [f, i] as const).filter(([f]) => (part === 'dev') === f.tree.startsWith('node_modules/')).map(([, i]) => i);
    const lines = idx.reduce((a, i) => a + perFile.lines[i], 0);
    if (!lines) continue;
    const c = (idx.reduce((a, i) => a + perFile.cur[i], 0) / lines) * 1000;
    const b = (idx.reduce((a, i) => a + perFile.base[i], 0) / lines) * 1000;
    const ci = baseline ? bootstrap(idx.map((i) => perFile.cur[i] * 1000), idx.map((i) => perFile.base[i] * 1000), idx.map((i) => perFile.lines[i])) : null;
    console.log(`  ${part} (${part === 'dev' ? 'node_modules' : 'retrieval-swe-dev snapshots'}): ${c.toFixed(2)} per 1,000 lines over ${lines} lines, baseline ${b.toFixed(2)}; difference 95% CI ${ci ? `[${ci[0].toFixed(2)}, ${ci[1].toFixed(2)}]` : '–'}`);
    fpPart[part] = { lines, perKLines: +c.toFixed(3), baselinePerKLines: +b.toFixed(3), diffCI: ci };
  }
  console.log('  sample of what fired:');
  for (const e of examples.slice(0, 15)) console.log(`    ${e}`);
  const ms = [...byTree.values()].reduce((a, t) => a + t.curMs, 0);
  const bytes = files.reduce((a, f) => a + f.text.length, 0);
  console.log(`  redaction speed on this code: ${((ms / bytes) * 100_000).toFixed(1)} ms CPU per 100 KB`);
  console.log(JSON.stringify({
    eval: 'secrets', corpus: { sources, npm: NPM_SOURCES, deb: DEB_SOURCES }, dev: result.dev, test: result.test, all: result.all,
    falsePositives: { files: files.length, lines: totalLines, perKLines: +perK.toFixed(3), baselinePerKLines: +basePerK.toFixed(3), diffCI: fpCi, ...fpPart },
    msPer100KB: +((ms / bytes) * 100_000).toFixed(2),
  }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
