/**
 * The demo workspace (test/fixtures/demo-backend, what `npm start` opens) must not fill the Problems
 * panel with "Cannot find module 'express'" on a machine without its node_modules: its tsconfig and
 * minimal type declarations (types/vendor.d.ts) type-check it as the editor would.
 */
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import * as ts from 'typescript';
import { REPO_ROOT } from '../../helpers/cli';

describe('demo workspace', function () {
  this.timeout(60_000);

  it('type-checks with no errors and no node_modules', () => {
    const dir = path.join(REPO_ROOT, 'test', 'fixtures', 'demo-backend');
    assert.ok(!ts.sys.directoryExists(path.join(dir, 'node_modules')), 'the demo has no node_modules');
    const file = path.join(dir, 'tsconfig.json');
    const config = ts.getParsedCommandLineOfConfigFile(file, { noEmit: true }, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => assert.fail(String(d.messageText)) });
    assert.ok(config);
    assert.ok(config.fileNames.some((f) => f.endsWith('src/routes/orders.ts')));
    const program = ts.createProgram({ rootNames: config.fileNames, options: config.options });
    const problems = ts.getPreEmitDiagnostics(program).map((d) => `${d.file ? path.relative(dir, d.file.fileName) : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
    assert.deepEqual(problems, []);
  });
});
