/**
 * Builds the benchmark corpus: real JavaScript/TypeScript sources copied out of this repository's own
 * node_modules (typescript tooling, SDKs, test frameworks …) into the git-ignored .keel-cache/, so any
 * machine with `npm install` done can reproduce the index benchmarks offline. Deterministic: files are
 * taken in sorted order until the requested count is reached.
 *
 *   npx tsx scripts/corpus/fetch.ts [--files 10000] [--out .keel-cache/bench-corpus-10000]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const SOURCE = /\.(ts|mts|cts|js|mjs|cjs|tsx|jsx)$/;
const SKIP = /\.min\.js$|\.map$|\.bundle\.js$/;
const RENAMED_DIRS = new Set(['dist', 'build', 'out', 'target', 'vendor', 'coverage', '.cache', 'venv', '.venv']);

export function corpusDir(files: number): string {
  return path.resolve('.keel-cache', `bench-corpus-${files}`);
}

/** Creates (or reuses) a corpus of `count` files; returns its folder. */
export function ensureCorpus(count: number, out = corpusDir(count)): string {
  const marker = path.join(out, '.complete');
  if (fs.existsSync(marker)) return out;
  fs.rmSync(out, { recursive: true, force: true });
  const picked: string[] = [];
  const walk = (dir: string): void => {
    if (picked.length >= count) return;
    const entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const e of entries) {
      if (picked.length >= count) return;
      const abs = path.join(dir, e.name);
      if (e.isDirectory()) walk(abs);
      else if (e.isFile() && SOURCE.test(e.name) && !SKIP.test(e.name)) {
        const size = fs.statSync(abs).size;
        if (size >= 200 && size <= 256 * 1024) picked.push(abs);
      }
    }
  };
  walk(path.resolve('node_modules'));
  if (picked.length < count) throw new Error(`only ${picked.length} source files in node_modules (wanted ${count})`);
  for (const abs of picked) {
    // node_modules/x/node_modules/y → pkgs/x/deps/y, dist/ → dist_/: the walker rightly skips folders with
    // those names in a workspace, but here they hold the real sources the benchmark is about
    const rel = path
      .relative('node_modules', abs)
      .split(path.sep)
      .map((p, i, all) => (p === 'node_modules' ? 'deps' : i < all.length - 1 && RENAMED_DIRS.has(p) ? `${p}_` : p))
      .join('/');
    const target = path.join(out, 'pkgs', rel);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(abs, target);
  }
  fs.writeFileSync(marker, `${picked.length}\n`);
  return out;
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  const count = Number(argv[argv.indexOf('--files') + 1] ?? 10000) || 10000;
  const out = argv.includes('--out') ? path.resolve(argv[argv.indexOf('--out') + 1]) : corpusDir(count);
  const started = Date.now();
  process.stdout.write(`${ensureCorpus(count, out)} (${count} files, ${Date.now() - started} ms)\n`);
}
