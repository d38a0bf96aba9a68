import * as assert from 'node:assert/strict';
import { analyzeSource } from '../../../src/engine/sql/analyze';
import { isTestPath } from '../../../src/engine/sql/testCode';

const codes = async (path: string, text: string): Promise<string[]> => (await analyzeSource({ path, text })).map((f) => f.code);

describe('sql: test code has its own rule set (issue 15)', () => {
  const teardown = 'from app import db\n\ndef tearDown(self):\n    db.drop_all()\n    db.session.execute(text("TRUNCATE TABLE users"))\n';

  it('db.drop_all() / TRUNCATE in a test teardown are not findings; the same code in the app still is', async () => {
    assert.deepEqual(await codes('tests/test_users.py', teardown), []);
    assert.ok((await codes('app/reset.py', teardown.replace('def tearDown(self)', 'def reset(self)'))).includes('KEEL-SQL-DESTRUCTIVE'));
  });

  it('setup/teardown hooks and pytest fixtures count as test code in any file; injection is still reported in tests', async () => {
    assert.deepEqual(await codes('app/testing_helpers.py', '@pytest.fixture\ndef clean(db):\n    db.drop_all()\n'), []);
    const js = "import { Pool } from 'pg';\nconst pool = new Pool();\nafterEach(async () => { await pool.query('TRUNCATE TABLE users'); });\nexport const f = (id: string) => pool.query(`SELECT a FROM t WHERE id = ${id}`);\n";
    assert.deepEqual(await codes('src/db.ts', js), ['KEEL-SQL-INJECTION']);
    assert.deepEqual(await codes('src/users.test.ts', js), ['KEEL-SQL-INJECTION']);
  });

  it('recognises test paths by folder and file name, not by substrings', () => {
    for (const p of ['tests/a.py', 'app/tests/test_x.py', 'src/__tests__/a.ts', 'a.spec.ts', 'conftest.py', 'pkg/x_test.go', 'src/test/java/FooTest.java', 'types/index.test-d.ts', 'test-d/route.ts', 'shop/tests.py', 'express-tests.ts', 'src/a.e2e.ts']) assert.ok(isTestPath(p), p);
    for (const p of ['src/contest.py', 'app/latest/views.py', 'src/testimonials.ts', 'src/latest-d.ts', 'app/contests.py', 'src/requests.ts']) assert.ok(!isTestPath(p), p);
  });
});
