import * as assert from 'node:assert/strict';
import { call, Engine } from '../../../src/engine/engine';
import { KeelError } from '../../../src/common/errors';
import { registerSqlFeature } from '../../../src/engine/features/sql';
import { createLogger } from '../../../src/engine/log';
import { clearTreeCache } from '../../../src/engine/sql/treeCache';
import { DEMO } from './helpers';

describe('sql engine feature (protocol handlers)', () => {
  const engine = new Engine({ host: 'in-process', log: createLogger(() => undefined), version: 'test' });
  registerSqlFeature(engine);
  after(() => clearTreeCache());

  it('sql/analyze answers findings for an open document, and again after an edit', async () => {
    const text = 'def f(cur, x):\n    cur.execute(f"SELECT a FROM t WHERE b = {x}")\n';
    const first = await call(engine, 'sql/analyze', { path: '/w/a.py', text, languageId: 'python' });
    assert.equal(first.findings.length, 1);
    const fixed = text.replace('{x}")', '%s", (x,))').replace('f"SELECT', '"SELECT');
    const second = await call(engine, 'sql/analyze', { path: '/w/a.py', text: fixed, languageId: 'python' });
    assert.deepEqual(second.findings, []);
  });

  it('sql/scan answers findings, file count and time', async () => {
    const result = await call(engine, 'sql/scan', { paths: ['src/routes'], cwd: DEMO });
    // Six route files since the demo gained payments.ts (agent-readiness mistakes, no SQL findings).
    assert.equal(result.files, 6);
    assert.equal(result.findings.length, 6);
    assert.ok(result.ms >= 0);
  });

  it('rejects malformed params with INVALID_PARAMS', async () => {
    await assert.rejects(call(engine, 'sql/analyze', { path: 'a.ts' } as never), (e: KeelError) => e.code === 'INVALID_PARAMS');
    await assert.rejects(call(engine, 'sql/scan', { paths: 'src', cwd: DEMO } as never), (e: KeelError) => e.code === 'INVALID_PARAMS');
    await assert.rejects(call(engine, 'sql/aiFixRequest', {} as never), (e: KeelError) => e.code === 'INVALID_PARAMS');
  });
});
