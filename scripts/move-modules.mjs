// Moves TypeScript modules and rewrites every relative import that points at them (and the moved files'
// own relative imports), so a structural move is one pure, mechanical commit.
//   node scripts/move-modules.mjs src/engine/errors.ts=src/common/errors.ts [more old=new …]
// Without `git mv` (--no-git) it only rewrites imports, e.g. to re-apply a move to a branch that added
// new importers after the move landed.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = process.cwd();
const args = process.argv.slice(2);
const noGit = args.includes('--no-git');
const moves = new Map(
  args
    .filter((a) => a.includes('='))
    .map((a) => a.split('=').map((p) => path.resolve(root, p))),
);
if (!moves.size) {
  console.error('usage: node scripts/move-modules.mjs old.ts=new.ts …');
  process.exit(2);
}

function files(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || e.name.startsWith('.') ? [] : files(full);
    return /\.(ts|tsx|mts|cts|mjs|js)$/.test(e.name) ? [full] : [];
  });
}

function specFor(fromFile, target, original) {
  let rel = path.relative(path.dirname(fromFile), target).split(path.sep).join('/');
  if (!rel.startsWith('.')) rel = `./${rel}`;
  // Keep the importer's style: no extension unless it wrote one; a folder import stays a folder import.
  if (!/\.tsx?$/.test(original)) rel = rel.replace(/\.tsx?$/, '');
  if (!/\/index$/.test(original)) rel = rel.replace(/\/index$/, '');
  return rel;
}

const SPEC = /(\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\bimport\s+|\bvi\.mock\(\s*|\bjest\.mock\(\s*)(['"])(\.{1,2}\/[^'"]*|\.{1,2})\2/g;

if (!noGit) {
  for (const [from, to] of moves) {
    fs.mkdirSync(path.dirname(to), { recursive: true });
    execFileSync('git', ['mv', from, to], { stdio: 'inherit' });
  }
}
const reverse = new Map([...moves].map(([a, b]) => [b, a]));
let changed = 0;
for (const file of ['src', 'test', 'scripts', 'media'].flatMap((d) => files(path.join(root, d)))) {
  // Where this file lived before the move: its relative imports were written from there.
  const oldLocation = reverse.get(file) ?? file;
  const text = fs.readFileSync(file, 'utf8');
  const next = text.replace(SPEC, (whole, lead, quote, spec) => {
    const target = resolveSpecFrom(oldLocation, spec);
    if (!target) return whole;
    const moved = moves.get(target) ?? target;
    if (moved === target && oldLocation === file) return whole;
    return `${lead}${quote}${specFor(file, moved, spec)}${quote}`;
  });
  if (next !== text) {
    fs.writeFileSync(file, next);
    changed++;
  }
}
console.log(`rewrote imports in ${changed} files`);

function resolveSpecFrom(fromFile, spec) {
  const base = path.resolve(path.dirname(fromFile), spec);
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts')]) {
    if (moves.has(candidate)) return candidate;
    const current = moves.get(candidate) ?? candidate;
    if (fs.existsSync(current) && fs.statSync(current).isFile()) return candidate;
  }
  return undefined;
}
