/**
 * `npm run bench:explain`: the embedded production-scale rehearsal on the demo backend — every
 * Prisma read and raw SQL read in its routes planned on PGlite with the Prisma schema applied and
 * 1,000,000 rows in the largest table (no server, no network). Prints the time to the first answer
 * (boot + schema + rows + plan + proven advice), each further answer, and the total; target: all of
 * the demo's queries answered in < 10 s on 2 cores. Last line is one JSON object.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { closeRehearsals, explainQuery } from '../../src/engine/db/explainQuery';

const DEMO = path.resolve(__dirname, '../fixtures/demo-backend');
const ROWS = Number(process.env.KEEL_BENCH_ROWS ?? 1_000_000);

function demoStatements(): Array<{ file: string; line: number }> {
  const out: Array<{ file: string; line: number }> = [];
  const dir = path.join(DEMO, 'src/routes');
  for (const f of fs.readdirSync(dir).sort()) {
    const lines = fs.readFileSync(path.join(dir, f), 'utf8').split('\n');
    lines.forEach((text, i) => {
      if (/prisma\.\w+\.(findMany|findFirst|findUnique)\(/.test(text) || /pool\.query\(\s*['`"]SELECT/i.test(text)) out.push({ file: `src/routes/${f}`, line: i + 1 });
    });
  }
  return out;
}

async function main(): Promise<void> {
  const started = Date.now();
  const rows: Array<Record<string, unknown>> = [];
  let firstMs = 0;
  for (const { file, line } of demoStatements()) {
    const t = Date.now();
    try {
      const r = await explainQuery({ file, line, root: DEMO, rows: ROWS }, { localOnly: true, timeoutS: 60 });
      const ms = Date.now() - t;
      if (!firstMs) firstMs = Date.now() - started;
      rows.push({ at: `${file}:${line}`, ms, cost: r.cost, index: r.indexes[0]?.createSql ?? null, reason: r.reason ?? null });
      console.log(`${file}:${line}  ${ms} ms  cost ${r.cost}  ${r.indexes[0] ? `→ ${r.indexes[0].costAfter} with ${r.indexes[0].createSql}` : `no index: ${r.reason}`}`);
      if (r.derived) console.log(`    derived: ${r.statement}`);
    } catch (error) {
      rows.push({ at: `${file}:${line}`, ms: Date.now() - t, error: (error as { code?: string }).code ?? String(error) });
      console.log(`${file}:${line}  ${(error as Error).message}`);
    }
  }
  const totalMs = Date.now() - started;
  await closeRehearsals();
  console.log(`\n${rows.length} demo statements at ${ROWS.toLocaleString('en-US')} rows: first answer ${firstMs} ms, all answered in ${totalMs} ms (target < 10,000 ms on 2 cores)`);
  console.log(JSON.stringify({ rows: ROWS, statements: rows.length, firstAnswerMs: firstMs, totalMs, errors: rows.filter((r) => r.error).length }));
}

void main();
