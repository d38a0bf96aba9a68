import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { evaluate, listFiles } from '../../../scripts/eval-sql';
import { DEMO, REPO, SQL_FIXTURES } from './helpers';

describe('sql analyzers on annotated fixtures', () => {
  it('find every marked mistake and nothing else (per-framework fixtures + demo backend)', async () => {
    const files = [...listFiles(SQL_FIXTURES), ...listFiles(DEMO)];
    assert.ok(files.length >= 25, `expected the fixture set, got ${files.length} files`);
    const report = await evaluate(files, REPO);
    assert.deepEqual(report.falsePositives, [], 'false positives');
    assert.deepEqual(report.falseNegatives, [], 'false negatives');
    for (const category of ['sql-injection', 'n-plus-one', 'unbounded-write', 'destructive-statement', 'select-star']) {
      assert.ok((report.byCategory[category]?.tp ?? 0) > 0, `no true positives for ${category}`);
    }
    assert.ok(report.byLanguage.python.tp >= 20 && report.byLanguage['ts/js'].tp >= 20);
  });

  it('the demo backend has the planted findings at the documented lines', async () => {
    const report = await evaluate(listFiles(DEMO), REPO);
    assert.equal(report.overall.tp, 11);
    assert.equal(report.overall.fp, 0);
    assert.ok(listFiles(DEMO).some((f) => f.endsWith(path.join('routes', 'reports.ts'))));
  });
});
