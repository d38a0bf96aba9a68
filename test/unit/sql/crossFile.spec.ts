import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeSource } from '../../../src/engine/sql/analyze';
import { scanPaths } from '../../../src/engine/sql/scan';
import { clearSummaryCache } from '../../../src/engine/sql/summaries';
import { makeTree } from '../workspace/helpers';

/** A temporary workspace holding `files`; its folder. */
const workspace = (files: Record<string, string>): string => makeTree(files).dir;

const JS_DB = "import { Pool } from 'pg';\nconst pool = new Pool();\nexport async function loadUser(id: string) {\n  return pool.query('SELECT name FROM users WHERE id = $1', [id]);\n}\nexport const runSql = (sql: string) => pool.query(sql);\nexport function sortColumn(key: string) {\n  return key === 'name' ? 'name' : 'id';\n}\n";
const JS_SERVICE = "import { loadUser, runSql, sortColumn } from './db';\nexport async function names(items: { userId: string }[]) {\n  const out = [];\n  for (const item of items) {\n    out.push(await loadUser(item.userId));\n  }\n  return out;\n}\nexport const find = (name: string) => runSql(`SELECT id FROM users WHERE name = '${name}'`);\nexport const sorted = (key: string) => runSql(`SELECT id FROM users ORDER BY ${sortColumn(key)}`);\n";

describe('sql: cross-file summaries (issue 15)', () => {
  beforeEach(() => clearSummaryCache());

  it('a query helper imported from another file, called per loop item, is an N+1 (editor: absolute path)', async () => {
    const dir = workspace({ 'src/db.ts': JS_DB, 'src/service.ts': JS_SERVICE });
    const abs = path.join(dir, 'src/service.ts');
    const findings = await analyzeSource({ path: abs, text: JS_SERVICE });
    assert.deepEqual(findings.filter((f) => f.code === 'KEEL-SQL-N-PLUS-ONE').map((f) => f.line), [5]);
    // Without a location on disk, imports are not followed.
    assert.deepEqual((await analyzeSource({ path: 'service.ts', text: JS_SERVICE })).filter((f) => f.code === 'KEEL-SQL-N-PLUS-ONE'), []);
  });

  it('an imported function that passes its parameter to a raw query is a sink; an imported sanitiser makes a value safe', async () => {
    const dir = workspace({ 'src/db.ts': JS_DB, 'src/service.ts': JS_SERVICE });
    const result = await scanPaths({ paths: ['src'], cwd: dir });
    const inService = result.findings.filter((f) => f.path === 'src/service.ts');
    assert.deepEqual(inService.map((f) => `${f.line}:${f.code}`), ['5:KEEL-SQL-N-PLUS-ONE', '9:KEEL-SQL-INJECTION']);
  });

  it('Python: helpers from package modules (relative and absolute imports), summaries refreshed when the module changes', async () => {
    const db = 'from .models import User\n\ndef get_user(uid):\n    return User.objects.get(pk=uid)\n\ndef run(cursor, sql):\n    cursor.execute(sql)\n';
    const views = 'from app.db import get_user\nfrom . import db\n\ndef names(request, cursor, ids):\n    for i in ids:\n        get_user(i)\n    db.run(cursor, "SELECT a FROM t WHERE b = \'%s\'" % request.GET["b"])\n';
    const dir = workspace({ 'app/__init__.py': '', 'app/models.py': 'class User: pass\n', 'app/db.py': db, 'app/views.py': views });
    const abs = path.join(dir, 'app/views.py');
    const codes = async (): Promise<string[]> => (await analyzeSource({ path: abs, text: views })).map((f) => `${f.line}:${f.code}`);
    assert.deepEqual(await codes(), ['6:KEEL-SQL-N-PLUS-ONE', '7:KEEL-SQL-INJECTION']);
    fs.writeFileSync(path.join(dir, 'app/db.py'), 'def get_user(uid):\n    return {"id": uid}\n\ndef run(cursor, sql):\n    return sql\n');
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(path.join(dir, 'app/db.py'), later, later);
    assert.deepEqual(await codes(), []);
  });
});
