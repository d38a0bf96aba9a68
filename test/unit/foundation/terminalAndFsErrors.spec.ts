/**
 * Issue 23 item 11: the CLI printed escape sequences from files and model output raw, and disk-full,
 * read-only and path errors came back as uncoded INTERNAL.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { toKeelError } from '../../../src/common/errors';
import type { CliCommand } from '../../../src/cli/command';
import { runCommand, type RunnerEnv } from '../../../src/cli/runner';
import { safeForTerminal, wantsMachineOutput } from '../../../src/cli/terminalText';

const HOSTILE = [
  '\x1b[31mred\x1b[0m',
  '\x1b]0;pwned title\x07',
  '\x1b]52;c;ZXZpbA==\x1b\\', // OSC 52: write the clipboard
  '\x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\',
  '\x1bP+q\x1b\\', // DCS
  '\x9b2J', // 8-bit CSI: clear screen
  'a\rb\x08c\x00d\x07e\x7f',
  '\x1b[2K\x1b[1Aup',
  '\x1b]0;unterminated',
];

describe('terminal output: control sequences stripped in text mode', () => {
  it('removes every escape sequence and control character but keeps newlines and tabs', () => {
    for (const sample of HOSTILE) {
      const clean = safeForTerminal(`x${sample}\ty\n`);
      assert.doesNotMatch(clean, /[\x00-\x08\x0b-\x1f\x7f-\x9f]/, JSON.stringify(sample));
      // An unterminated OSC runs to the end of its line (a terminal would swallow even more).
      assert.ok(clean.startsWith('x') && clean.endsWith(sample.includes('unterminated') ? '\n' : '\ty\n'), JSON.stringify(clean));
    }
    assert.equal(safeForTerminal('\x1b[31mred\x1b[0m'), 'red');
    assert.equal(safeForTerminal('ünïcødé — 世界\tok\n'), 'ünïcødé — 世界\tok\n');
  });

  it('the CLI runner filters what a command prints in text mode, and leaves --json alone', async () => {
    const printing: CliCommand = {
      name: 'probe',
      summary: '',
      usage: 'keel probe',
      options: {},
      async run(_args, io) {
        io.out(`answer ${HOSTILE.join(' ')}\n`);
        io.err('\x1b]0;title\x07warning\n');
        return 0;
      },
    };
    const run = async (argv: string[]): Promise<{ out: string; err: string }> => {
      let out = '';
      let err = '';
      const env: RunnerEnv = { argv, cwd: process.cwd(), env: {}, out: (s) => (out += s), err: (s) => (err += s), readStdin: async () => Buffer.alloc(0), signal: new AbortController().signal };
      await runCommand({ ...printing, options: { format: { type: 'string', description: '' } } } as CliCommand, argv, env);
      return { out, err };
    };
    const text = await run([]);
    assert.doesNotMatch(text.out + text.err, /[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
    assert.match(text.out, /^answer red/);
    assert.equal(text.err, 'warning\n');
    assert.equal(wantsMachineOutput(['--json']), true);
    assert.equal(wantsMachineOutput(['--format', 'sarif']), true);
    assert.equal(wantsMachineOutput(['--format=text']), false);
  });
});

describe('file-system failures have their own codes', () => {
  const errno = (code: string, file = '/x/y'): NodeJS.ErrnoException => Object.assign(new Error(`${code}: failed, open '${file}'`), { code, path: file });

  it('maps ENOSPC, EROFS, EACCES and path errors to stable codes', () => {
    assert.equal(toKeelError(errno('ENOSPC')).code, 'DISK_FULL');
    assert.equal(toKeelError(errno('EDQUOT')).code, 'DISK_FULL');
    assert.equal(toKeelError(errno('EROFS')).code, 'READ_ONLY');
    assert.equal(toKeelError(errno('EACCES')).code, 'PERMISSION_DENIED');
    assert.equal(toKeelError(errno('ENOENT')).code, 'FILE_NOT_FOUND');
    assert.equal(toKeelError(errno('ENOTDIR')).code, 'PATH_INVALID');
    assert.equal(toKeelError(errno('ENAMETOOLONG')).code, 'PATH_INVALID');
    assert.match(toKeelError(errno('ENOSPC', '/store/catalog.json')).message, /disk is full.*catalog\.json/);
  });

  it('real failures from node:fs come out coded', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-fs-'));
    try {
      const file = path.join(tmp, 'f');
      fs.writeFileSync(file, 'x');
      const codeOf = (fn: () => unknown): string => {
        try {
          fn();
        } catch (error) {
          return toKeelError(error).code;
        }
        return 'no error';
      };
      assert.equal(codeOf(() => fs.writeFileSync(path.join(file, 'child'), 'x')), 'PATH_INVALID'); // ENOTDIR
      assert.equal(codeOf(() => fs.readFileSync(path.join(tmp, 'a'.repeat(300)))), 'PATH_INVALID'); // ENAMETOOLONG
      assert.equal(codeOf(() => fs.readFileSync(path.join(tmp, 'missing'))), 'FILE_NOT_FOUND');
      if (fs.existsSync('/dev/full')) {
        assert.equal(codeOf(() => fs.writeFileSync('/dev/full', 'x')), 'DISK_FULL'); // ENOSPC, for real
      }
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
