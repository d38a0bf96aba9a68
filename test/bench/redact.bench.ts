/**
 * `npm run bench:redact`: time to redact 100 KB of text (target < 50 ms), for ordinary source code
 * (this repository's own TypeScript, concatenated), for code dense with secrets, and for pathological
 * single tokens and repeated prefixes that made the old patterns quadratic. Median CPU time of 7 runs
 * after a warm-up, with the 10 KB figure beside it: linear time shows as a ratio near 10. Prints figures only;
 * the last line is one JSON object.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Redactor } from '../../src/engine/egress/redact';

const REPO = path.resolve(__dirname, '../..');

function sourceText(bytes: number): string {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const abs = path.join(dir, e.name);
      if (e.isDirectory()) walk(abs);
      else if (e.name.endsWith('.ts')) files.push(abs);
    }
  };
  walk(path.join(REPO, 'src'));
  let text = '';
  for (let i = 0; text.length < bytes; i = (i + 1) % files.length) text += fs.readFileSync(files[i], 'utf8');
  return text.slice(0, bytes);
}

const SECRET_LINES = [
  'const dbPassword = "hunter22";',
  'DATABASE_URL=postgres://app:Sup3rS3cret@db.internal:5432/app',
  'Authorization: Bearer 9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b',
  'client = Client("AC0123456789abcdef0123456789abcdef", "f0e1d2c3b4a5968778695a4b3c2d1e0f")',
  'curl -u deploy:Curl-P4ss https://api.example.com/v1/items',
  'const k = "q8ZrT3vW9xYb2NcM5dLf7GhJ4kPs6AeU";',
  'export function total(items: Item[]): number { return items.reduce((s, i) => s + i.price, 0); }',
];

function secretDense(bytes: number): string {
  let text = '';
  for (let i = 0; text.length < bytes; i++) text += `${SECRET_LINES[i % SECRET_LINES.length].replace(/\d/, String(i % 10))}\n`;
  return text.slice(0, bytes);
}

const SHAPES: Record<string, (n: number) => string> = {
  'source code': sourceText,
  'secret-dense code': secretDense,
  'one 100 KB token': (n) => 'a'.repeat(n),
  'one base64 token': (n) => 'Ab3+'.repeat(n / 4),
  'repeated "sk-"': (n) => 'sk-'.repeat(n / 3),
  'repeated "a://"': (n) => 'a://'.repeat(n / 4),
  'repeated "password="': (n) => 'password='.repeat(Math.floor(n / 9)),
  'PEM headers without END': (n) => '-----BEGIN PRIVATE KEY-----\n'.repeat(Math.floor(n / 28)),
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Median CPU milliseconds of 7 runs (CPU time: a busy shared machine inflates wall time by its load). */
function time(redactor: Redactor, text: string): number {
  redactor.redactText(text);
  const runs: number[] = [];
  for (let i = 0; i < 7; i++) {
    const start = process.cpuUsage();
    redactor.redactText(text);
    const used = process.cpuUsage(start);
    runs.push((used.user + used.system) / 1000);
  }
  return median(runs);
}

const redactor = new Redactor();
const results: Record<string, { ms10KB: number; ms100KB: number; ratio: number }> = {};
for (const [name, make] of Object.entries(SHAPES)) {
  const small = time(redactor, make(10_000));
  const large = time(redactor, make(100_000));
  results[name] = { ms10KB: +small.toFixed(2), ms100KB: +large.toFixed(2), ratio: +(large / Math.max(small, 0.01)).toFixed(1) };
  console.log(`${name.padEnd(26)} 10 KB ${small.toFixed(2).padStart(7)} ms   100 KB ${large.toFixed(2).padStart(7)} ms   ratio ${results[name].ratio}`);
}
const worst = Math.max(...Object.values(results).map((r) => r.ms100KB));
console.log(`worst 100 KB: ${worst.toFixed(1)} ms (target < 50 ms)`);
console.log(JSON.stringify({ bench: 'redact', sourceCode100KBms: results['source code'].ms100KB, worst100KBms: +worst.toFixed(2), shapes: results }));
