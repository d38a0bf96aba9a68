/**
 * N+1 for Go on real code (scripts/sql/go-nplus1-labels.json): the sql-dev corpus has no Go or Java N+1
 * labels, so this set was labelled by this team, by written criteria, before the analyzer ran on it. The code
 * comes from Debian -dev packages (`apt-get download`, unpacked with `dpkg-deb -x`, never installed) into
 * .keel-cache/sql-go-n1. Each labelled file is scanned with its own package folder beside it (same-package
 * helpers), and scored with the sql-dev rule (devCorpus.credit). Own labels: not independent evidence.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { scanPaths } from '../../src/engine/sql/scan';
import { type Cell, cellsByFile, credit, type Label, type ScoredFinding } from './devCorpus';

interface LabelFile {
  packages: Record<string, string>;
  root: string;
  labels: Array<{ file: string; line: number; label: 'positive' | 'negative'; why: string; split: 'dev' | 'heldout' }>;
}

/** Download and unpack the packages once; the labelled files' folders are copied into one corpus folder. */
export function goNPlusOneCorpus(root: string): { dir: string; labels: Label[]; splits: Array<'dev' | 'heldout'> } | { skipped: string } {
  const spec = JSON.parse(fs.readFileSync(path.join(root, 'scripts/sql/go-nplus1-labels.json'), 'utf8')) as LabelFile;
  const cache = path.join(root, '.keel-cache', 'sql-go-n1');
  const unpacked = path.join(cache, 'unpacked');
  // Keyed by the label file's package list: a new package means a new corpus folder.
  const corpus = path.join(cache, `corpus-${Object.keys(spec.packages).length}`);
  const labels: Label[] = spec.labels.map((l) => ({ file: l.file, line: l.line, lang: 'go', category: 'n-plus-one', label: l.label }));
  if (!fs.existsSync(corpus)) {
    const dl = path.join(cache, 'downloads');
    fs.mkdirSync(dl, { recursive: true });
    for (const [name, version] of Object.entries(spec.packages)) {
      try {
        // The labels' line numbers are for this exact version.
        execFileSync('apt-get', ['download', `${name}=${version}`], { cwd: dl, stdio: 'ignore', timeout: 300_000 });
      } catch (e) {
        return { skipped: `apt-get download ${name}=${version} failed (${(e as Error).message.split('\n')[0]})` };
      }
      const deb = fs.readdirSync(dl).find((f) => f.startsWith(`${name}_`) && f.endsWith('.deb'));
      if (!deb) return { skipped: `no .deb for ${name}` };
      execFileSync('dpkg-deb', ['-x', path.join(dl, deb), unpacked]);
    }
    const tmp = `${corpus}.tmp`;
    fs.rmSync(tmp, { recursive: true, force: true });
    for (const folder of new Set(labels.map((l) => path.dirname(l.file)))) {
      const from = path.join(unpacked, spec.root, folder);
      for (const f of fs.readdirSync(from)) {
        if (!f.endsWith('.go')) continue;
        fs.mkdirSync(path.join(tmp, folder), { recursive: true });
        fs.copyFileSync(path.join(from, f), path.join(tmp, folder, f));
      }
    }
    fs.renameSync(tmp, corpus);
  }
  return { dir: corpus, labels, splits: spec.labels.map((l) => l.split) };
}

/** Per-file cells (current, baseline) for the bootstrap, and the totals. */
export function goNPlusOneCells(labels: Label[], dir: string, current: ScoredFinding[], baseline: ScoredFinding[] | undefined, keep: (i: number) => boolean = () => true): { perFile: Cell[][]; total: Cell[] } {
  const rel = (p: string): string => path.relative(dir, path.resolve(dir, p)).split(path.sep).join('/');
  const cur = credit(labels, current, rel);
  const base = baseline ? credit(labels, baseline, rel) : undefined;
  return cellsByFile(labels, cur.credited, base?.credited, keep);
}

export async function scanGoCorpus(dir: string): Promise<ScoredFinding[]> {
  const scan = await scanPaths({ paths: ['.'], cwd: dir });
  return scan.findings.filter((f) => f.category === 'n-plus-one');
}
