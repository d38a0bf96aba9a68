import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { analyzeSource } from '../../../src/engine/sql/analyze';
import { scanPaths } from '../../../src/engine/sql/scan';
import { clearSummaryCache } from '../../../src/engine/sql/summaries';
import { makeTree } from '../workspace/helpers';
import { clearScanTrees, keepScanTree, keptScanPaths, takeScanTree } from '../../../src/engine/sql/treeCache';
import { parse } from '../../../src/engine/syntax/treeSitter';

/** A temporary workspace holding `files`; its folder. */
const workspace = (files: Record<string, string>): string => makeTree(files).dir;

// `a.py` sorts first and imports `z_helpers.py` (a query helper and a raw-SQL helper) and `b/util.py`:
// an in-process scan parses those to summarise them, then analyses them next from the kept trees.
const HELPERS = 'from django.db import connection\nfrom myapp.models import User\n\ndef load(uid):\n    return User.objects.get(id=uid)\n\ndef run(sql):\n    cur = connection.cursor()\n    cur.execute(sql)\n    return cur.fetchall()\n';
const UTIL = 'def clean(x):\n    return int(x)\n\ndef drop_all(cur):\n    cur.execute("DROP TABLE users")\n';
const MAIN = 'from z_helpers import load, run\nfrom b.util import clean\n\ndef names(request, ids):\n    out = [load(i) for i in ids]\n    run("SELECT * FROM users WHERE name = \'%s\'" % request.GET["name"])\n    run("SELECT id FROM users WHERE id = %s" % clean(request.GET["id"]))\n    return out\n';

describe('sql: scan trees reused between summary and analysis', () => {
  beforeEach(() => {
    clearSummaryCache();
    clearScanTrees();
  });

  it('a kept tree is handed out once, and only for the exact text it was parsed from', async () => {
    keepScanTree('/x/a.py', 'python', 'x = 1\n', await parse('python', 'x = 1\n'));
    keepScanTree('/x/b.py', 'python', 'y = 2\n', await parse('python', 'y = 2\n'));
    assert.deepEqual([...keptScanPaths()], ['/x/a.py', '/x/b.py']);
    assert.equal(takeScanTree('/x/a.py', 'python', 'x = 2\n'), undefined, 'other text: no tree (and the stale one is dropped)');
    assert.equal(takeScanTree('/x/a.py', 'python', 'x = 1\n'), undefined);
    const tree = takeScanTree('/x/b.py', 'python', 'y = 2\n');
    assert.equal(tree?.rootNode.text, 'y = 2\n');
    tree?.delete();
    assert.equal(takeScanTree('/x/b.py', 'python', 'y = 2\n'), undefined);
    assert.deepEqual([...keptScanPaths()], []);
  });

  it('an in-process scan (work reordered to use kept trees) gives exactly the findings of analysing each file on its own, in path order', async () => {
    const files = { 'a.py': MAIN, 'b/util.py': UTIL, 'z_helpers.py': HELPERS, 'c.py': 'import z_helpers\n\nfor u in users:\n    z_helpers.load(u.id)\n' };
    const dir = workspace(files);
    const scanned = await scanPaths({ paths: ['.'], cwd: dir }, undefined, { workers: 0 });
    assert.deepEqual([...keptScanPaths()], [], 'the scan deletes what it kept');
    const one: unknown[] = [];
    for (const rel of Object.keys(files).sort()) {
      clearSummaryCache();
      one.push(...(await analyzeSource({ path: rel, text: files[rel as keyof typeof files] }, { absPath: path.join(dir, rel) })));
    }
    assert.deepEqual(scanned.findings, one);
    // The cross-file findings are there: N+1 through the imported helper, injection through the imported raw-SQL helper.
    const codes = scanned.findings.map((f) => `${f.path}:${f.line}:${f.code}`);
    assert.ok(codes.includes('a.py:5:KEEL-SQL-N-PLUS-ONE'), codes.join(', '));
    assert.ok(codes.includes('a.py:6:KEEL-SQL-INJECTION'), codes.join(', '));
    assert.ok(codes.includes('c.py:4:KEEL-SQL-N-PLUS-ONE'), codes.join(', '));
  });
});
