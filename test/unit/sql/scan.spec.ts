import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { scanCommand } from '../../../src/cli/commands/scan';
import type { CliIO, ParsedArgs } from '../../../src/cli/command';
import { KeelError } from '../../../src/common/errors';
import { toSarif } from '../../../src/engine/sql/sarif';
import { scanPaths } from '../../../src/engine/sql/scan';
import { scanApi } from '../../../src/engine/api/scan';
import type { Finding } from '../../../src/protocol';
import { DEMO } from './helpers';

function fakeIo(cwd: string): CliIO & { stdout: string; stderr: string } {
  const io = {
    cwd,
    env: {},
    stdout: '',
    stderr: '',
    out(t: string) {
      io.stdout += t;
    },
    err(t: string) {
      io.stderr += t;
    },
    readStdin: async () => Buffer.alloc(0),
    signal: new AbortController().signal,
    call: (async (method: string, params: never) => {
      if (method === 'api/scan') return scanApi(params); // the api category keel scan runs beside SQL
      assert.equal(method, 'sql/scan');
      return scanPaths(params);
    }) as CliIO['call'],
  };
  return io;
}

const args = (positionals: string[], values: ParsedArgs['values'] = {}): ParsedArgs => ({ positionals, values });

/** The properties SARIF 2.1.0's schema requires (sarif-schema-2.1.0.json "required" lists), plus types. */
function assertSarif210(log: Record<string, unknown>): void {
  assert.equal(log.version, '2.1.0');
  assert.equal(typeof log.$schema, 'string');
  assert.ok(Array.isArray(log.runs) && log.runs.length === 1);
  const run = (log.runs as Array<Record<string, any>>)[0];
  assert.equal(typeof run.tool?.driver?.name, 'string', 'run.tool.driver.name is required');
  const ruleIds = new Set<string>();
  for (const rule of run.tool.driver.rules) {
    assert.equal(typeof rule.id, 'string', 'reportingDescriptor.id is required');
    ruleIds.add(rule.id);
    assert.ok(['none', 'note', 'warning', 'error'].includes(rule.defaultConfiguration.level));
  }
  for (const result of run.results) {
    assert.equal(typeof result.message?.text, 'string', 'result.message.text is required');
    assert.ok(ruleIds.has(result.ruleId));
    assert.equal(run.tool.driver.rules[result.ruleIndex].id, result.ruleId);
    assert.ok(['none', 'note', 'warning', 'error'].includes(result.level));
    for (const loc of [...result.locations, ...(result.relatedLocations ?? [])]) {
      const region = loc.physicalLocation.region;
      assert.equal(typeof loc.physicalLocation.artifactLocation.uri, 'string');
      assert.ok(Number.isInteger(region.startLine) && region.startLine >= 1);
      assert.ok(region.startColumn === undefined || region.startColumn >= 1);
    }
    for (const fix of result.fixes ?? []) {
      assert.ok(fix.artifactChanges.length >= 1, 'fix.artifactChanges is required (minItems 1)');
      for (const change of fix.artifactChanges) {
        assert.equal(typeof change.artifactLocation.uri, 'string');
        assert.ok(change.replacements.length >= 1);
        for (const r of change.replacements) assert.ok(r.deletedRegion.startLine >= 1, 'replacement.deletedRegion is required');
      }
    }
  }
}

describe('keel scan', () => {
  it('--json prints the findings array with paths relative to the current directory; exit 1 on errors', async () => {
    const io = fakeIo(DEMO);
    const code = await scanCommand.run(args([], { json: true }), io);
    const findings = JSON.parse(io.stdout) as Finding[];
    assert.equal(code, 1);
    assert.equal(findings.filter((f) => f.category !== 'api').length, 11);
    for (const f of findings) {
      assert.ok(!path.isAbsolute(f.path) && !f.path.startsWith('..'), f.path);
      assert.deepEqual(Object.keys(f).slice(0, 10), ['path', 'line', 'column', 'endLine', 'endColumn', 'category', 'code', 'severity', 'message', 'fixes']);
    }
    assert.ok(findings.some((f) => f.path === 'src/routes/reports.ts' && f.code === 'KEEL-SQL-INJECTION'));
  });

  it('--fail-on never exits 0; --fail-on warning fails on warnings only', async () => {
    assert.equal(await scanCommand.run(args(['src/routes/users.ts'], { format: 'text', 'fail-on': 'never' }), fakeIo(DEMO)), 0);
    assert.equal(await scanCommand.run(args(['src/routes/users.ts'], { format: 'text' }), fakeIo(DEMO)), 0, 'only a warning there');
    assert.equal(await scanCommand.run(args(['src/routes/users.ts'], { 'fail-on': 'warning' }), fakeIo(DEMO)), 1);
    const clean = fakeIo(DEMO);
    assert.equal(await scanCommand.run(args(['src/services']), clean), 0);
    assert.match(clean.stdout, /No findings in 1 file/);
  });

  it('--format sarif is SARIF 2.1.0 with the required properties', async () => {
    const io = fakeIo(DEMO);
    await scanCommand.run(args(['.'], { format: 'sarif' }), io);
    const log = JSON.parse(io.stdout);
    assertSarif210(log);
    assert.equal(log.runs[0].results.filter((r: any) => r.ruleId.startsWith('KEEL-SQL-')).length, 11);
    assert.ok(log.runs[0].results.some((r: any) => r.fixes?.length > 0));
  });

  it('rejects bad options and missing paths with coded errors', async () => {
    await assert.rejects(scanCommand.run(args([], { format: 'xml' }), fakeIo(DEMO)), (e: KeelError) => e.code === 'BAD_INPUT');
    await assert.rejects(scanCommand.run(args([], { 'fail-on': 'info' }), fakeIo(DEMO)), (e: KeelError) => e.code === 'BAD_INPUT');
    await assert.rejects(scanCommand.run(args(['no/such/dir']), fakeIo(DEMO)), (e: KeelError) => e.code === 'FILE_NOT_FOUND');
  });

  it('skips unreadable/binary files with a reason instead of failing', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-scan-'));
    try {
      fs.writeFileSync(path.join(dir, 'bad.ts'), Buffer.from([0, 1, 2, 3, 0, 0, 255, 254, 0]));
      fs.writeFileSync(path.join(dir, 'ok.py'), 'cur.execute(f"DELETE FROM t WHERE id = {x}")\n');
      const result = await scanPaths({ paths: ['.'], cwd: dir });
      assert.equal(result.files, 1);
      assert.equal(result.skipped.length, 1);
      assert.equal(result.findings[0].code, 'KEEL-SQL-INJECTION');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('SARIF of no findings is still a valid log', () => {
    assertSarif210(toSarif([], '0.0.0'));
  });
});
