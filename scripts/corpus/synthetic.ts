/**
 * A scale corpus past what node_modules holds (issue 22 measures 150k and 500k chunks; this
 * repository's node_modules gives ~21k source files, ~100k chunks). The real files come first, as
 * scripts/corpus/fetch.ts copies them; every further file is a variant of a real one: each identifier
 * of four or more characters gets a suffix word picked by a hash of (identifier, variant), consistently
 * within the variant — like the same service copied and adapted across a monorepo. So no two variants
 * share chunk texts (no vector reuse by hash, no exact duplicates in the graph), while their words,
 * structure and lengths stay real code's. Deterministic; cached under .keel-cache/.
 *
 *   npx tsx scripts/corpus/synthetic.ts --files 120000
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureCorpus } from './fetch';

const WORDS = [
  'Order', 'Invoice', 'Account', 'Tenant', 'Ledger', 'Shipment', 'Catalog', 'Payment', 'Session', 'Report',
  'Audit', 'Quota', 'Region', 'Channel', 'Vendor', 'Refund', 'Cart', 'Profile', 'Policy', 'Batch',
];
const KEYWORDS = new Set(
  ('break case catch class const continue debugger default delete else enum export extends false finally for function ' +
    'import from return super switch this throw true typeof void while with yield async await static public private ' +
    'protected readonly interface type implements declare module namespace abstract null undefined instanceof require ' +
    'string number boolean object symbol bigint never unknown') .split(' '),
);

function fnv(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The variant `v` (≥ 1) of a real file's text. */
export function variantText(text: string, v: number): string {
  return text.replace(/\b[A-Za-z_][A-Za-z0-9_]{3,}\b/g, (word) => (KEYWORDS.has(word) ? word : `${word}${WORDS[fnv(`${v}:${word}`) % WORDS.length]}${v}`));
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const abs = path.join(d, e.name);
      if (e.isDirectory()) walk(abs);
      else if (e.isFile() && e.name !== '.complete') out.push(abs);
    }
  };
  walk(dir);
  return out;
}

/** A folder of `count` files: all real ones node_modules can give, then variants of them. */
export function ensureScaleCorpus(count: number, out = path.resolve('.keel-cache', `scale-corpus-${count}`)): string {
  const marker = path.join(out, '.complete');
  if (fs.existsSync(marker)) return out;
  let realCount = count;
  let real: string | undefined;
  while (!real) {
    try {
      real = ensureCorpus(realCount);
    } catch (error) {
      const m = /only (\d+) source files/.exec((error as Error).message);
      if (!m) throw error;
      realCount = Number(m[1]);
    }
  }
  if (realCount >= count) return real;
  fs.rmSync(out, { recursive: true, force: true });
  const sources = listFiles(real);
  // the real files are hard-linked, not symlinked: the workspace walker does not follow links
  for (const src of sources) {
    const target = path.join(out, path.relative(real, src));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.linkSync(src, target);
  }
  for (let made = sources.length, v = 1; made < count; v++) {
    for (const src of sources) {
      if (made >= count) break;
      const rel = path.relative(path.join(real, 'pkgs'), src);
      const target = path.join(out, `variant-${v}`, rel);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, variantText(fs.readFileSync(src, 'utf8'), v));
      made++;
    }
  }
  fs.writeFileSync(marker, `${count}\n`);
  return out;
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  const count = Number(argv[argv.indexOf('--files') + 1] ?? 0) || 120000;
  process.stdout.write(`${ensureScaleCorpus(count)}\n`);
}
