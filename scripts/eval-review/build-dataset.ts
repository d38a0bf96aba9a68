/**
 * Builds scripts/eval-review/dataset.jsonl: the hunks between two published versions of each package
 * in packages.json (fetched with `npm pack`, the registry's ordinary client), one JSON line per hunk with
 * its changed lines and its file's import lines. Run once (needs the npm registry); the eval itself
 * (scripts/eval-review.ts) reads only the committed dataset and labels, offline.
 * Usage: tsx scripts/eval-review/build-dataset.ts [cacheDir]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { importsOf } from '../../src/engine/review/classify';
import { parseDiff } from '../../src/engine/review/diff';
import { isCommentOnly } from '../../src/engine/review/classify';

const HERE = __dirname;
const MAX_HUNKS_PER_PACKAGE = 60;
const SOURCE = /\.(js|cjs|mjs|ts)$/;
const SKIP = /(\.d\.ts$|\.min\.js$|\.map$|(^|\/)(test|tests|__tests__|spec|benchmark|bench|examples?|docs?|dist\/umd|es)\/|\.(test|spec)\.|^validator\.js$)/;

/** The code of a line without its trailing comment and spacing: what a reformatting hunk leaves equal on both sides. */
const code = (t: string): string => t.replace(/\/\/.*$/, '').replace(/\s+/g, '');

interface Pkg { name: string; from: string; to: string }

function unpack(cache: string, name: string, version: string): string {
  const dir = path.join(cache, `${name.replace('/', '__')}-${version}`);
  if (fs.existsSync(path.join(dir, 'package'))) return path.join(dir, 'package');
  fs.mkdirSync(dir, { recursive: true });
  const tgz = execFileSync('npm', ['pack', `${name}@${version}`, '--silent', '--pack-destination', dir], { encoding: 'utf8' }).trim().split('\n').pop()!;
  execFileSync('tar', ['xzf', path.join(dir, tgz), '-C', dir]);
  return path.join(dir, 'package');
}

const cache = process.argv[2] ?? path.join(os.tmpdir(), 'keel-eval-review-packs');
const packages = JSON.parse(fs.readFileSync(path.join(HERE, 'packages.json'), 'utf8')) as Pkg[];
const out: string[] = [];
const fileTexts: Record<string, string> = {};
for (const p of packages) {
  const a = unpack(cache, p.name, p.from);
  const b = unpack(cache, p.name, p.to);
  const diff = spawnSync('git', ['diff', '--no-index', '-U0', '--no-color', '-M', '--src-prefix=a/', '--dst-prefix=b/', a, b], { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  const rel = (f: string | undefined) => (f ? f.replace(/^\/?/, '/').replace(`${a}/`, '').replace(`${b}/`, '') : undefined);
  const files = parseDiff(diff.stdout).map((f) => ({ ...f, oldPath: rel(f.oldPath), newPath: rel(f.newPath) }));
  const hunks: object[] = [];
  for (const f of files) {
    const file = f.newPath ?? f.oldPath!;
    if (!SOURCE.test(file) || SKIP.test(file)) continue;
    const full = f.newPath ? path.join(b, f.newPath) : path.join(a, f.oldPath!);
    const text = fs.existsSync(full) ? fs.readFileSync(full, 'utf8') : '';
    if (text.length > 400_000) continue;
    const imports = importsOf(text).map((i) => i.module);
    const fileKey = `${p.name}/${file}`;
    for (const h of f.hunks) {
      const changed = [...h.added, ...h.removed];
      if (changed.every((l) => isCommentOnly(l.text))) continue;
      if (h.added.map((l) => code(l.text)).join('') === h.removed.map((l) => code(l.text)).join('')) continue;
      if (changed.some((l) => l.text.length > 400)) continue; // generated or minified lines
      const id = createHash('sha256').update(`${p.name}|${file}|${h.oldStart}|${h.newStart}|${changed.map((l) => l.text).join('\n')}`).digest('hex').slice(0, 12);
      hunks.push({ id, package: p.name, versions: `${p.from}..${p.to}`, path: file, newStart: h.newStart, added: h.added, removed: h.removed.map((r) => ({ line: h.newStart, text: r.text })), imports, file: fileKey });
    }
  }
  // A fixed, seed-free sample: the hunks with the smallest ids.
  const sample = (hunks as Array<{ id: string }>).sort((x, y) => x.id.localeCompare(y.id)).slice(0, MAX_HUNKS_PER_PACKAGE);
  for (const h of sample) {
    out.push(JSON.stringify(h));
    const key = (h as unknown as { file: string }).file;
    const f = files.find((x) => `${p.name}/${x.newPath ?? x.oldPath}` === key);
    const full = f?.newPath ? path.join(b, f.newPath) : f?.oldPath ? path.join(a, f.oldPath) : undefined;
    if (full && fs.existsSync(full)) fileTexts[key] = fs.readFileSync(full, 'utf8');
  }
  console.error(`${p.name} ${p.from}..${p.to}: ${hunks.length} hunks, ${sample.length} kept`);
}
fs.writeFileSync(path.join(HERE, 'dataset.jsonl'), `${out.join('\n')}\n`);
fs.writeFileSync(path.join(HERE, 'files.json'), JSON.stringify(fileTexts));
console.error(`${out.length} hunks → scripts/eval-review/dataset.jsonl`);
