/** "Explain & fix with AI" through the real OpenAI SDK against the local server: structured, priced, recorded. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { call, type Engine } from '../../../src/engine/engine';
import { createEngine } from '../../../src/engine/createEngine';
import type { KeelError } from '../../../src/common/errors';
import { silentLogger } from '../../../src/engine/log';
import { tempDir, useOpenAIServer } from '../../helpers/setup';

const REPORTS = path.resolve(__dirname, '../../fixtures/demo-backend/src/routes/reports.ts');

describe('sql/aiFix (real SDK, local OpenAI server)', function () {
  this.timeout(60_000);
  const server = useOpenAIServer();
  let engine: Engine;
  let tmp: string;

  before(() => {
    tmp = tempDir('keel-aifix-');
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  beforeEach(() => {
    engine = createEngine({ host: 'in-process', log: silentLogger, storageDir: tmp });
  });
  afterEach(() => engine.shutdown());

  async function injectionFinding() {
    const text = fs.readFileSync(REPORTS, 'utf8');
    const { findings } = await call(engine, 'sql/analyze', { path: REPORTS, text, languageId: 'typescript' });
    const finding = findings.find((f) => f.code === 'KEEL-SQL-INJECTION');
    assert.ok(finding);
    return { finding, text };
  }

  it('needs a provider: PROVIDER_NOT_CONFIGURED without one', async () => {
    await call(engine, 'engine/configure', { settings: { 'keel.provider': 'none' } });
    const { finding, text } = await injectionFinding();
    await assert.rejects(call(engine, 'sql/aiFix', { finding, text }), (e: KeelError) => e.code === 'PROVIDER_NOT_CONFIGURED');
  });

  it('asks the reasoning tier for a schema-constrained fix and records the call', async () => {
    await call(engine, 'engine/configure', {
      settings: { 'keel.provider': 'openai', 'keel.openai.baseUrl': server.baseURL },
      secrets: { openai: 'sk-test-aifix-0123456789' },
    });
    const { finding, text } = await injectionFinding();
    server.replies.push({ json: { explanation: 'The email is spliced into the SQL text.', risk: 'high', patchedCode: '    const { rows } = await pool.query(sql, [email]);', testSuggestion: "Request ?email=' OR 1=1 -- and expect no rows." } });
    const fix = await call(engine, 'sql/aiFix', { finding, text });
    assert.equal(fix.risk, 'high');
    assert.equal(fix.tier, 'reasoning');
    assert.equal(fix.model, 'gpt-4.1');
    assert.ok(fix.range.startLine <= finding.line && fix.range.endLine >= finding.line);
    assert.ok(fix.costUsd > 0);
    const body = server.requests.at(-1)!.json as { model: string; response_format: { type: string; json_schema: { strict: boolean; schema: { required: string[] } } } };
    assert.equal(body.model, 'gpt-4.1');
    assert.equal(body.response_format.type, 'json_schema');
    assert.equal(body.response_format.json_schema.strict, true);
    assert.deepEqual([...body.response_format.json_schema.schema.required].sort(), ['explanation', 'patchedCode', 'risk', 'testSuggestion']);
    const cost = await call(engine, 'cost/summary', {});
    assert.ok(cost.perFeature.some((b) => b.key === 'sql-fix' && b.calls === 1));
  });
});
