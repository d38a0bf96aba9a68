import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { listFiles } from '../../../scripts/eval-sql';
import type { Finding } from '../../../src/protocol';
import { analyzeSource, sqlLanguageFor } from '../../../src/engine/sql/analyze';
import { applyEdits } from '../../../src/engine/sql/edits';
import { parse } from '../../../src/engine/syntax/treeSitter';
import { DEMO, read, REPO, SQL_FIXTURES } from './helpers';

async function hasSyntaxErrors(file: string, text: string): Promise<boolean> {
  const tree = await parse(sqlLanguageFor(file)!, text);
  try {
    return tree.rootNode.hasError;
  } finally {
    tree.delete();
  }
}

/** Findings of `code` in the statement range of `f` after the fix (same code, same start line ± lines the fix added). */
function stillFlagged(after: Finding[], f: Finding, addedLines: number): boolean {
  return after.some((a) => a.code === f.code && Math.abs(a.line - f.line - addedLines) <= 0 && a.column === f.column);
}

describe('sql fixes', () => {
  const files = [...listFiles(SQL_FIXTURES), ...listFiles(DEMO)];

  it('every non-AI fix applies, parses without ERROR nodes, and the finding is gone', async () => {
    let applied = 0;
    const kinds = new Set<string>();
    for (const abs of files) {
      const text = read(abs);
      if (await hasSyntaxErrors(abs, text)) assert.fail(`fixture ${abs} itself has syntax errors`);
      const rel = path.relative(REPO, abs);
      const findings = await analyzeSource({ path: rel, text });
      for (const f of findings) {
        for (const fix of f.fixes) {
          const fixed = applyEdits(text, fix.edits);
          assert.notEqual(fixed, text, `${rel}:${f.line} ${fix.title} changed nothing`);
          assert.equal(await hasSyntaxErrors(abs, fixed), false, `${rel}:${f.line} ${fix.kind} fix breaks the syntax:\n${fixed}`);
          const after = await analyzeSource({ path: rel, text: fixed });
          const added = fixed.split('\n').length - text.split('\n').length;
          const insertedAbove = fix.edits.some((e) => e.line <= f.line && e.newText.includes('\n')) ? added : 0;
          assert.equal(stillFlagged(after, f, insertedAbove), false, `${rel}:${f.line} still flagged after "${fix.title}"`);
          assert.equal(after.length, findings.length - 1, `${rel}:${f.line} "${fix.title}" changed other findings`);
          applied++;
          kinds.add(fix.kind);
        }
      }
    }
    assert.ok(applied >= 60, `only ${applied} fixes applied`);
    for (const kind of ['parameterize', 'batch', 'eager-load', 'suppress']) assert.ok(kinds.has(kind), `no ${kind} fix exercised`);
  });

  it('parameterises pg concatenation built over several statements', async () => {
    const rel = 'test/fixtures/demo-backend/src/routes/reports.ts';
    const text = read(path.join(REPO, rel));
    const f = (await analyzeSource({ path: rel, text })).find((x) => x.code === 'KEEL-SQL-INJECTION')!;
    const fixed = applyEdits(text, f.fixes.find((x) => x.kind === 'parameterize')!.edits);
    assert.match(fixed, /sql \+= ' WHERE u\.email = \$1';/);
    assert.match(fixed, /await pool\.query\(sql, \[email\]\)/);
  });

  it('turns $queryRawUnsafe with interpolation into the $queryRaw tagged template, quotes moved into the value', async () => {
    const rel = 'test/fixtures/sql/ts/prisma.ts';
    const text = read(path.join(REPO, rel));
    const f = (await analyzeSource({ path: rel, text })).find((x) => x.code === 'KEEL-SQL-INJECTION' && x.line === 6)!;
    const fixed = applyEdits(text, f.fixes[0].edits);
    assert.match(fixed, /prisma\.\$queryRaw`SELECT id FROM "Post" WHERE title ILIKE \$\{`%\$\{term\}%`\}`/);
  });

  it('parameterises a SQLAlchemy text() f-string into :name binds on execute', async () => {
    const rel = 'test/fixtures/sql/py/sqlalchemy_app.py';
    const text = read(path.join(REPO, rel));
    const f = (await analyzeSource({ path: rel, text })).find((x) => x.code === 'KEEL-SQL-INJECTION' && x.line === 8)!;
    const fixed = applyEdits(text, f.fixes[0].edits);
    assert.match(fixed, /session\.execute\(text\("SELECT id FROM users WHERE name LIKE :q"\), \{"q": f"%\{q\}%"\}\)/);
  });

  it('offers no parameterise fix for identifier positions (ORDER BY {col})', async () => {
    const rel = 'test/fixtures/demo-backend/analytics/app/routers/sales.py';
    const f = (await analyzeSource({ path: rel, text: read(path.join(REPO, rel)) })).find((x) => x.code === 'KEEL-SQL-INJECTION')!;
    assert.deepEqual(f.fixes.map((x) => x.kind), ['suppress']);
  });

  it('batches a TypeORM findOneBy per item with In(…), adding the import', async () => {
    const text = [
      "import { DataSource } from 'typeorm';",
      'declare const ds: DataSource;',
      'const userRepository = ds.getRepository(User);',
      'export async function owners(photos: Array<{ userId: number }>) {',
      '  const out = [];',
      '  for (const photo of photos) {',
      '    out.push(await userRepository.findOneBy({ id: photo.userId }));',
      '  }',
      '  return out;',
      '}',
      '',
    ].join('\n');
    const f = (await analyzeSource({ path: 'o.ts', text })).find((x) => x.code === 'KEEL-SQL-N-PLUS-ONE')!;
    const fixed = applyEdits(text, f.fixes.find((x) => x.kind === 'batch')!.edits);
    assert.match(fixed, /import \{ DataSource, In \} from 'typeorm';/);
    assert.match(fixed, /const userRows = await userRepository\.findBy\(\{ id: In\(photos\.map\(\(photo\) => photo\.userId\)\) \}\);\n  for/);
    assert.deepEqual(await analyzeSource({ path: 'o.ts', text: fixed }), []);
  });

  it('eager-loads Django relations with select_related / prefetch_related', async () => {
    const rel = 'test/fixtures/sql/py/django_app.py';
    const text = read(path.join(REPO, rel));
    const findings = await analyzeSource({ path: rel, text });
    const fk = findings.find((x) => x.line === 35)!;
    assert.match(applyEdits(text, fk.fixes[0].edits), /Book\.objects\.select_related\("author"\)\.filter\(published=True\)/);
    const reverse = findings.find((x) => x.line === 46)!;
    assert.match(applyEdits(text, reverse.fixes[0].edits), /Publisher\.objects\.prefetch_related\("books"\)\.all\(\)/);
  });
});
