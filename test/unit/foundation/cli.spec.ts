import * as assert from 'node:assert/strict';
import { runKeel } from '../../helpers/cli';
import { version } from '../../../package.json';

describe('keel CLI basics', function () {
  this.timeout(60_000);

  it('--version prints the package version', () => {
    const r = runKeel(['--version']);
    assert.equal(r.code, 0);
    assert.equal(r.stdout.trim(), version);
    assert.deepEqual(JSON.parse(runKeel(['--version', '--json']).stdout), { version });
  });

  it('--help lists every subcommand', () => {
    const r = runKeel(['--help']);
    assert.equal(r.code, 0);
    for (const name of ['index', 'search', 'ask', 'scan', 'cost', 'serve']) assert.match(r.stdout, new RegExp(`^\\s+${name}\\s`, 'm'), name);
  });

  it('an unknown command is a usage error (exit 2)', () => {
    const r = runKeel(['frobnicate']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown command "frobnicate"/);
  });

  it('a bad option is a coded usage error, as JSON with --json', () => {
    const r = runKeel(['serve', '--bogus', '--json']);
    assert.equal(r.code, 2);
    const { error } = JSON.parse(r.stdout);
    assert.equal(error.code, 'INVALID_PARAMS');
    assert.equal(r.stderr.includes('    at '), false, 'no stack trace');
  });
});
