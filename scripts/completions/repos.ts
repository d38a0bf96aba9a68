/** Real repositories for the completions eval and benchmark: package sources as npm installs them. */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface RepoFile {
  path: string;
  text: string;
  lines: string[];
  language: string;
}

const ROOT = path.resolve(__dirname, '../../node_modules');
const MAX_BYTES = 200_000;

/** Source files (.ts, .js, not declarations, not minified bundles) under node_modules/<dir>, sorted. */
export function loadRepo(dir: string): RepoFile[] {
  const base = path.join(ROOT, dir);
  if (!fs.existsSync(base)) return [];
  const out: RepoFile[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'node_modules' && e.name !== 'dist') walk(full);
        continue;
      }
      if (!/\.(?:ts|js|mjs|cjs)$/.test(e.name) || /\.d\.ts$|\.min\.js$/.test(e.name)) continue;
      const size = fs.statSync(full).size;
      if (size > MAX_BYTES) continue;
      const text = fs.readFileSync(full, 'utf8');
      const lines = text.split('\n');
      if (lines.some((l) => l.length > 1000)) continue; // bundled / generated
      out.push({ path: `${dir}/${path.relative(base, full).split(path.sep).join('/')}`, text, lines, language: e.name.endsWith('.ts') ? 'typescript' : 'javascript' });
    }
  };
  walk(base);
  return out;
}
