/**
 * `keel review` and `keel provenance` end to end on a real git repository built by the test
 * (fixtureRepo.ts), through the CLI runner and the in-process engine, in every output format.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { commands } from '../../../src/cli/commands/all';
import { runCommand } from '../../../src/cli/runner';
import { toSarif } from '../../../src/engine/sql/sarif';
import { scanPaths } from '../../../src/engine/sql/scan';
import { createEngine } from '../../../src/engine/createEngine';
import { call } from '../../../src/engine/engine';
import { silentLogger } from '../../../src/engine/log';
import type { ProvenanceEntry, ProvenanceReport } from '../../../src/protocol';
import { OpenAIChatServer } from '../../servers/openaiChat';
import { AI_TEXT, buildFixtureRepo, sh, type FixtureRepo } from './fixtureRepo';

const SCHEMA = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../fixtures/sarif/sarif-2.1.0-rtm.5.json'), 'utf8')) as object;
// The published schema's `language` pattern is not valid as a unicode regular expression; ajv's default (u flag) rejects it.
const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
addFormats(ajv);
const validateSarif = ajv.compile(SCHEMA);

async function keel(cwd: string, argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const command = commands.find((c) => c.name === argv[0]);
  assert.ok(command, argv[0]);
  const code = await runCommand(command, argv.slice(1), {
    argv, cwd, env: process.env, out: (t) => (out += t), err: (t) => (err += t), readStdin: async () => Buffer.alloc(0), signal: new AbortController().signal,
  });
  return { code, out, err };
}

const FINDING_AUTH = {
  path: 'src/auth/login.ts', line: 7, severity: 'high', code: 'KEEL-REVIEW-UNTESTED-HIGH-RADIUS',
  message: 'Change in auth, crypto-secrets (login) without tests that exercise it in the same change.',
};
const FINDING_AI = {
  path: 'src/profile/export.ts', line: 5, severity: 'high', code: 'KEEL-REVIEW-UNTESTED-HIGH-RADIUS',
  message: 'AI-written change in personal-data (exportUser) without tests that exercise it in the same change.',
};

describe('keel review / keel provenance on a fixture git repository', function () {
  this.timeout(120_000);
  let repo: FixtureRepo;
  let state: string;
  let savedState: string | undefined;
  let aiId = '';
  let ackId = '';

  before(async () => {
    savedState = process.env.KEEL_STATE_DIR;
    state = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-review-state-'));
    process.env.KEEL_STATE_DIR = state;
    repo = await buildFixtureRepo(async (dir) => {
      // What the editor does when it applies AI code: one ai-write entry, one acknowledgement of the area.
      const engine = createEngine({ host: 'in-process', log: silentLogger });
      try {
        const base = { root: dir, path: 'src/profile/export.ts', startLine: 4, endLine: 6, text: AI_TEXT, feature: 'chat-apply', provider: 'openai', model: 'gpt-4.1', tier: 'reasoning' };
        aiId = (await call(engine, 'provenance/record', { ...base, requestId: 'req-1', prompt: 'add the contact details to the export' })).id;
        ackId = (await call(engine, 'provenance/record', { ...base, kind: 'acknowledgement', areas: ['personal-data'] })).id;
      } finally {
        await engine.shutdown();
      }
    });
  });
  after(() => {
    if (savedState === undefined) delete process.env.KEEL_STATE_DIR;
    else process.env.KEEL_STATE_DIR = savedState;
    fs.rmSync(repo.dir, { recursive: true, force: true });
    fs.rmSync(state, { recursive: true, force: true });
  });

  const json = async (range: string, extra: string[] = []) => {
    const r = await keel(repo.dir, ['review', range, '--format', 'json', '--no-model', ...extra]);
    const parsed = JSON.parse(r.out) as { hunks: Array<Record<string, unknown>>; findings: unknown[]; range: string };
    // The contract: these keys, in this order, first.
    for (const h of parsed.hunks) assert.deepEqual(Object.keys(h).slice(0, 6), ['path', 'startLine', 'endLine', 'areas', 'aiGenerated', 'testsTouched']);
    const contract = {
      hunks: parsed.hunks.map((h) => ({ path: h.path, startLine: h.startLine, endLine: h.endLine, areas: h.areas, aiGenerated: h.aiGenerated, testsTouched: h.testsTouched })),
      findings: parsed.findings,
    };
    return { code: r.code, contract, parsed };
  };

  it('an auth change without tests: one high finding, exit 1, with the evidence that put it there', async () => {
    const r = await json(repo.commits.auth);
    assert.equal(r.code, 1);
    assert.deepEqual(r.contract, {
      hunks: [{ path: 'src/auth/login.ts', startLine: 7, endLine: 8, areas: ['auth', 'crypto-secrets'], aiGenerated: false, testsTouched: false }],
      findings: [FINDING_AUTH],
    });
    assert.deepEqual(r.parsed.hunks[0].evidence, [
      { area: 'auth', kind: 'path', text: 'src/auth/login.ts', line: 0 },
      { area: 'auth', kind: 'import', text: 'bcryptjs', line: 1 },
      { area: 'crypto-secrets', kind: 'import', text: 'bcryptjs', line: 1 },
    ]);
    assert.equal((await json(repo.commits.auth, ['--fail-on', 'never'])).code, 0);
  });

  it('a payment change with tests that exercise it: no finding, exit 0', async () => {
    const r = await json(repo.commits.payment);
    assert.equal(r.code, 0);
    assert.deepEqual(r.contract, {
      hunks: [
        { path: 'src/payments/charge.ts', startLine: 6, endLine: 6, areas: ['payments'], aiGenerated: false, testsTouched: true },
        { path: 'test/payments/charge.test.ts', startLine: 5, endLine: 5, areas: ['payments'], aiGenerated: false, testsTouched: true },
      ],
      findings: [],
    });
    assert.deepEqual(r.parsed.hunks[0].tests, ['test/payments/charge.test.ts']);
    assert.deepEqual(r.parsed.hunks[0].symbols, ['chargeCard']);
  });

  it('a CSS tweak touches no area', async () => {
    const r = await json(repo.commits.css, ['--fail-on', 'medium']);
    assert.equal(r.code, 0);
    assert.deepEqual(r.contract, {
      hunks: [{ path: 'web/styles.css', startLine: 2, endLine: 2, areas: [], aiGenerated: false, testsTouched: false }],
      findings: [],
    });
  });

  it('the AI-written hunk is marked from the ledger and is a finding without tests', async () => {
    const r = await json(repo.commits.ai);
    assert.equal(r.code, 1);
    assert.deepEqual(r.contract, {
      hunks: [{ path: 'src/profile/export.ts', startLine: 5, endLine: 6, areas: ['personal-data'], aiGenerated: true, testsTouched: false }],
      findings: [FINDING_AI],
    });
    assert.deepEqual(r.parsed.hunks[0].provenance, [aiId]);
  });

  it('the rename that moves the AI lines: a comment-only hunk is listed but is no finding', async () => {
    const r = await json(repo.commits.rename);
    assert.equal(r.code, 0);
    assert.deepEqual(r.contract, {
      hunks: [{ path: 'src/privacy/exportUser.ts', startLine: 1, endLine: 1, areas: ['personal-data'], aiGenerated: false, testsTouched: false }],
      findings: [],
    });
  });

  it('a range reviews every commit in it; A...B from the merge base', async () => {
    const r = await json(`${repo.commits.initial}..${repo.commits.css}`);
    assert.deepEqual(r.contract.findings, [FINDING_AUTH]);
    assert.deepEqual(r.contract.hunks.map((h) => h.path), ['src/auth/login.ts', 'src/payments/charge.ts', 'test/payments/charge.test.ts', 'web/styles.css']);
    const three = await json(`${repo.commits.payment}...${repo.commits.ai}`);
    assert.deepEqual(three.contract.findings, [FINDING_AI]);
    assert.equal(three.contract.hunks.length, 2);
  });

  it('default: the staged change, else the last commit', async () => {
    const last = await json('');
    assert.equal(last.parsed.range, 'HEAD');
    assert.deepEqual(last.contract.hunks.map((h) => h.path), ['src/privacy/exportUser.ts']);
    fs.appendFileSync(path.join(repo.dir, 'src/payments/charge.ts'), 'export const REFUND_WINDOW_DAYS = 30;\n');
    sh(repo.dir, ['add', 'src/payments/charge.ts']);
    try {
      const r = await keel(repo.dir, ['review', '--format', 'json', '--no-model']);
      const staged = JSON.parse(r.out) as { range: string; hunks: unknown[]; findings: unknown[] };
      assert.equal(staged.range, 'staged');
      assert.deepEqual(staged.findings, [{
        path: 'src/payments/charge.ts', line: 10, severity: 'high', code: 'KEEL-REVIEW-UNTESTED-HIGH-RADIUS',
        message: 'Change in payments without tests that exercise it in the same change.',
      }]);
      assert.equal(r.code, 1);
    } finally {
      sh(repo.dir, ['reset', '-q', '--hard', 'HEAD']);
    }
  });

  it('--format text lists hunks, evidence and findings', async () => {
    const r = await keel(repo.dir, ['review', repo.commits.auth, '--no-model']);
    assert.equal(r.code, 1);
    assert.equal(r.out, [
      `Review of ${repo.commits.auth}: 1 hunk`,
      '  src/auth/login.ts:7-8  auth, crypto-secrets · no tests',
      '      auth: path src/auth/login.ts',
      '      auth: import line 1: bcryptjs',
      '      crypto-secrets: import line 1: bcryptjs',
      `src/auth/login.ts:7  high    KEEL-REVIEW-UNTESTED-HIGH-RADIUS  ${FINDING_AUTH.message}`,
      '1 finding',
      '',
    ].join('\n'));
  });

  it('--format sarif validates against the SARIF 2.1.0 schema, one result per finding', async () => {
    for (const commit of Object.values(repo.commits)) {
      const r = await keel(repo.dir, ['review', commit, '--format', 'sarif', '--no-model']);
      const log = JSON.parse(r.out) as { version: string; runs: Array<{ results: Array<Record<string, unknown>> }> };
      assert.ok(validateSarif(log), JSON.stringify(validateSarif.errors?.slice(0, 3)));
      assert.equal(log.version, '2.1.0');
    }
    const r = await keel(repo.dir, ['review', repo.commits.ai, '--format', 'sarif', '--no-model']);
    assert.equal(r.code, 1);
    const result = (JSON.parse(r.out) as { runs: Array<{ results: Array<Record<string, unknown>> }> }).runs[0].results;
    assert.deepEqual(result, [{
      ruleId: 'KEEL-REVIEW-UNTESTED-HIGH-RADIUS',
      ruleIndex: 0,
      level: 'error',
      message: { text: FINDING_AI.message },
      locations: [{ physicalLocation: { artifactLocation: { uri: 'src/profile/export.ts' }, region: { startLine: 5, startColumn: 1, endLine: 6 } } }],
      partialFingerprints: { primaryLocationLineHash: 'KEEL-REVIEW-UNTESTED-HIGH-RADIUS:src/profile/export.ts:5' },
      properties: { areas: ['personal-data'], aiGenerated: true, testsTouched: false },
    }]);
  });

  it('the schema check is real: a broken log fails it', () => {
    assert.equal(validateSarif({ version: '2.1.0', runs: [{ tool: {} }] }), false);
    assert.equal(validateSarif({ version: '2.0.0', runs: [] }), false);
  });

  it('outside a git repository: GIT_FAILED, exit 3; a bad range: BAD_INPUT', async () => {
    const plain = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-nogit-'));
    try {
      const r = await keel(plain, ['review', '--json', '--no-model']);
      assert.equal(r.code, 3);
      assert.equal((JSON.parse(r.out) as { error: { code: string } }).error.code, 'GIT_FAILED');
    } finally {
      fs.rmSync(plain, { recursive: true, force: true });
    }
    const bad = await keel(repo.dir, ['review', '--no-model', '--', '--upload-pack=x']);
    assert.equal(bad.code, 3);
    assert.match(bad.err, /BAD_INPUT/);
    const unknown = await keel(repo.dir, ['review', 'no-such-branch', '--no-model']);
    assert.match(unknown.err, /Unknown revision: no-such-branch \[BAD_INPUT\]/);
  });

  describe('keel provenance', () => {
    let report: ProvenanceReport;
    before(async () => {
      const r = await keel(repo.dir, ['provenance', '--json']);
      assert.equal(r.code, 0, r.err);
      report = JSON.parse(r.out) as ProvenanceReport;
    });

    it('--json: both entries, the chain intact, the AI lines found at HEAD after the rename (and not the line that was there before)', () => {
      assert.equal(report.head, repo.commits.rename);
      assert.match(report.ledger, new RegExp(`^${state.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/provenance/[0-9a-f]{16}\\.jsonl$`));
      assert.deepEqual(report.integrity, { ok: true, entries: 2, tornTail: false });
      assert.deepEqual(report.entries.map((e) => [e.id, e.kind, e.path, e.startLine, e.endLine, e.gitUser, e.feature, e.provider, e.model, e.tier, e.requestId]), [
        [aiId, 'ai-write', 'src/profile/export.ts', 4, 6, 'Ada Reviewer <ada@example.com>', 'chat-apply', 'openai', 'gpt-4.1', 'reasoning', 'req-1'],
        [ackId, 'acknowledgement', 'src/profile/export.ts', 4, 6, 'Ada Reviewer <ada@example.com>', 'chat-apply', 'openai', 'gpt-4.1', 'reasoning', ''],
      ]);
      assert.deepEqual(report.entries[1].areas, ['personal-data']);
      // Line 5 (`const user = …`) matches a hash the AI wrote, but blame traces it to the initial commit.
      assert.deepEqual(report.lines, [
        { path: 'src/privacy/exportUser.ts', line: 6, entry: aiId },
        { path: 'src/privacy/exportUser.ts', line: 7, entry: aiId },
      ]);
      // No prompt stored without the opt-in; only its hash.
      assert.equal(report.entries[0].prompt, undefined);
      assert.equal(report.entries[0].promptHash.length, 64);
      assert.ok(!fs.readFileSync(report.ledger, 'utf8').includes('contact details'));
    });

    it('--csv: one row per entry with where its lines are at HEAD', async () => {
      const r = await keel(repo.dir, ['provenance', '--csv']);
      assert.equal(r.code, 0);
      const [a, b] = report.entries as [ProvenanceEntry, ProvenanceEntry];
      assert.equal(r.out, [
        'id,time,kind,path,startLine,endLine,gitUser,feature,provider,model,tier,requestId,promptHash,textHash,areas,headLines',
        `${aiId},${a.time},ai-write,src/profile/export.ts,4,6,Ada Reviewer <ada@example.com>,chat-apply,openai,gpt-4.1,reasoning,req-1,${a.promptHash},${a.textHash},,src/privacy/exportUser.ts:6-7`,
        `${ackId},${b.time},acknowledgement,src/profile/export.ts,4,6,Ada Reviewer <ada@example.com>,chat-apply,openai,gpt-4.1,reasoning,,,${b.textHash},personal-data,`,
        '',
      ].join('\n'));
    });

    it('text: entries and the lines at HEAD', async () => {
      const r = await keel(repo.dir, ['provenance']);
      const [a, b] = report.entries as [ProvenanceEntry, ProvenanceEntry];
      assert.equal(r.out, [
        `Provenance ledger ${report.ledger}: 2 entries, chain intact`,
        `  ${aiId}  ${a.time}  src/profile/export.ts:4-6  chat-apply  openai/gpt-4.1 (reasoning)  Ada Reviewer <ada@example.com>`,
        '      at HEAD: src/privacy/exportUser.ts:6-7',
        `  ${ackId}  ${b.time}  src/profile/export.ts:4-6  chat-apply  acknowledged personal-data  Ada Reviewer <ada@example.com>`,
        `2 lines at HEAD ${repo.commits.rename.slice(0, 12)} carry AI-written text`,
        '',
      ].join('\n'));
    });

    it('--path and --since filter entries and lines', async () => {
      const privacy = JSON.parse((await keel(repo.dir, ['provenance', '--json', '--path', 'src/privacy/**'])).out) as ProvenanceReport;
      assert.deepEqual(privacy.entries.map((e) => e.id), [aiId]);
      assert.equal(privacy.lines.length, 2);
      const web = JSON.parse((await keel(repo.dir, ['provenance', '--json', '--path', 'web/**'])).out) as ProvenanceReport;
      assert.deepEqual([web.entries.length, web.lines.length], [0, 0]);
      const future = JSON.parse((await keel(repo.dir, ['provenance', '--json', '--since', '2100-01-01'])).out) as ProvenanceReport;
      assert.deepEqual([future.entries.length, future.lines.length], [0, 0]);
      const past = JSON.parse((await keel(repo.dir, ['provenance', '--json', '--since', '2026-01-01'])).out) as ProvenanceReport;
      assert.equal(past.entries.length, 2);
      const bad = await keel(repo.dir, ['provenance', '--since', 'yesterday-ish']);
      assert.match(bad.err, /BAD_INPUT/);
    });

    it('a tampered ledger: exit 1 and the broken line named', async () => {
      const original = fs.readFileSync(report.ledger, 'utf8');
      try {
        fs.writeFileSync(report.ledger, original.replace('"model":"gpt-4.1"', '"model":"gpt-4o"'));
        const r = await keel(repo.dir, ['provenance', '--json']);
        assert.equal(r.code, 1);
        const tampered = JSON.parse(r.out) as ProvenanceReport;
        assert.equal(tampered.integrity.ok, false);
        assert.equal(tampered.integrity.brokenAt, 1);
        assert.match(r.err, /integrity broken at line 1/);
      } finally {
        fs.writeFileSync(report.ledger, original);
      }
    });
  });

  it('with a model configured, the untested high-radius hunks get a structured reasoning-tier review, costed in the ledger', async () => {
    const server = await new OpenAIChatServer().start();
    const engine = createEngine({ host: 'in-process', log: silentLogger, storageDir: state });
    try {
      await call(engine, 'engine/configure', { settings: { 'keel.provider': 'openai', 'keel.openai.baseUrl': server.baseURL }, secrets: { openai: 'sk-test-review-0123456789' } });
      server.replies.push({ json: { issues: [{ hunk: 1, line: 8, severity: 'high', rationale: 'Locked accounts are checked after the user lookup but a locked user with a correct password still logs in once the lock expires mid-request.', suggestedTest: 'Lock a user until now+1s, log in with the right password, expect false.' }] } });
      const result = await call(engine, 'review/run', { cwd: repo.dir, range: repo.commits.auth });
      assert.deepEqual(result.findings.map((f) => [f.code, f.line, f.severity]), [['KEEL-REVIEW-UNTESTED-HIGH-RADIUS', 7, 'high'], ['KEEL-REVIEW-MODEL', 8, 'high']]);
      assert.equal(result.findings[1].suggestedTest, 'Lock a user until now+1s, log in with the right password, expect false.');
      assert.equal(result.model?.tier, 'reasoning');
      assert.equal(result.model?.model, 'gpt-4.1');
      assert.ok((result.model?.costUsd ?? 0) > 0);
      const body = server.requests.at(-1)!.json as { model: string; response_format: { type: string; json_schema: { name: string; strict: boolean } }; messages: Array<{ content: string }> };
      assert.equal(body.response_format.json_schema.name, 'change_review');
      assert.equal(body.response_format.json_schema.strict, true);
      assert.ok(body.messages.some((m) => m.content.includes('src/auth/login.ts')));
      const cost = await call(engine, 'cost/summary', {});
      assert.ok(cost.perFeature.some((b) => b.key === 'review' && b.calls === 1));
      // A change with no untested high-radius hunk asks nothing.
      const before = server.requests.length;
      await call(engine, 'review/run', { cwd: repo.dir, range: repo.commits.payment });
      assert.equal(server.requests.length, before);
    } finally {
      await engine.shutdown();
      await server.close();
    }
  });
});

describe('keel scan SARIF against the same 2.1.0 schema (sarifLog is shared)', () => {
  it('validates', async () => {
    const demo = path.resolve(__dirname, '../../fixtures/demo-backend');
    const result = await scanPaths({ paths: ['.'], cwd: demo });
    assert.ok(result.findings.length > 0);
    const log = toSarif(result.findings, '0.0.0');
    assert.ok(validateSarif(log), JSON.stringify(validateSarif.errors?.slice(0, 3)));
  });
});
