/** The provenance ledger: hash chain and tamper detection, crash safety, no secrets, concurrent writers. */
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { lineHash, lineHashesOf, ProvenanceLedger, verifyLedgerText, type AppendInput } from '../../../src/engine/provenance/ledger';

const TSX = require.resolve('tsx/cjs');
const LEDGER_MODULE = path.resolve(__dirname, '../../../src/engine/provenance/ledger.ts');

function input(i: number, extra: Partial<AppendInput> = {}): AppendInput {
  return {
    kind: 'ai-write', gitUser: 'Ada <ada@example.com>', feature: 'chat-apply', provider: 'openai', model: 'gpt-4.1', tier: 'reasoning', requestId: `r${i}`,
    path: `src/f${i}.ts`, startLine: 1, endLine: 2, text: `export const value${i} = computeSomething(${i});\nexport const other${i} = 2 * value${i};`, ...extra,
  };
}

describe('provenance ledger', function () {
  this.timeout(60_000);
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-ledger-'));
    file = path.join(dir, 'provenance', 'ledger.jsonl');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('chains every line to the one before and verifies intact', () => {
    const ledger = new ProvenanceLedger(file);
    const a = ledger.append(input(1));
    const b = ledger.append(input(2));
    assert.equal(a.prev, '0'.repeat(64));
    assert.equal(b.prev, a.hash);
    assert.deepEqual([a.seq, b.seq], [1, 2]);
    assert.deepEqual(ledger.read().integrity, { ok: true, entries: 2, tornTail: false });
    assert.equal((fs.statSync(file).mode & 0o777).toString(8), '600');
  });

  it('detects an edited line, a removed line, reordered lines and an inserted line', () => {
    const ledger = new ProvenanceLedger(file);
    for (let i = 1; i <= 4; i++) ledger.append(input(i));
    const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
    const check = (ls: string[]) => verifyLedgerText(`${ls.join('\n')}\n`).integrity;
    const edited = [...lines];
    edited[2] = edited[2].replace('"provider":"openai"', '"provider":"anthropic"');
    assert.deepEqual([check(edited).ok, check(edited).brokenAt], [false, 3]);
    assert.match(check(edited).problem ?? '', /edited/);
    // Re-hashing the edited line does not help: the next line still names the old hash.
    const rehashed = [...lines];
    const body = JSON.parse(rehashed[1]) as Record<string, unknown>;
    body.model = 'forged';
    rehashed[1] = JSON.stringify(body);
    assert.equal(check(rehashed).brokenAt, 2);
    assert.equal(check([lines[0], lines[2], lines[3]]).brokenAt, 2);
    assert.equal(check([lines[0], lines[2], lines[1], lines[3]]).brokenAt, 2);
    assert.equal(check([lines[0], lines[1], lines[1], lines[2], lines[3]]).brokenAt, 3);
    assert.equal(check(['{not json', ...lines]).brokenAt, 1);
    // The entries before the break are still returned.
    assert.equal(verifyLedgerText(`${edited.join('\n')}\n`).entries.length, 2);
  });

  it('a torn last line (a crash mid-write) is ignored on read and cut off by the next append', () => {
    const ledger = new ProvenanceLedger(file);
    ledger.append(input(1));
    ledger.append(input(2));
    const whole = fs.readFileSync(file, 'utf8');
    const third = JSON.stringify({ ...JSON.parse(whole.split('\n')[1]), seq: 3 });
    fs.appendFileSync(file, third.slice(0, 57));
    const read = ledger.read();
    assert.deepEqual(read.integrity, { ok: true, entries: 2, tornTail: true });
    ledger.append(input(3));
    const after = ledger.read();
    assert.deepEqual(after.integrity, { ok: true, entries: 3, tornTail: false });
    assert.deepEqual(after.entries.map((e) => e.requestId), ['r1', 'r2', 'r3']);
  });

  it('a writer killed at random moments loses at most the line being written', async () => {
    // A child appends as fast as it can; SIGKILL lands wherever it lands. Repeated to hit mid-write states.
    const script = `
      const { ProvenanceLedger } = require(${JSON.stringify(LEDGER_MODULE)});
      const ledger = new ProvenanceLedger(${JSON.stringify(file)});
      process.stdout.write('ready\\n');
      for (let i = 0; ; i++) {
        ledger.append({ kind: 'ai-write', gitUser: 'x', feature: 'f', provider: 'p', model: 'm', tier: 't', requestId: 'r' + i, path: 'a.ts', startLine: 1, endLine: 1, text: 'x'.repeat(5000) + i });
        process.stdout.write(i + '\\n');
      }`;
    let lastAcked = -1;
    for (let round = 0; round < 4; round++) {
      const child = spawn(process.execPath, ['--require', TSX, '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      let acked = -1;
      let buf = '';
      child.stdout.on('data', (c: Buffer) => {
        buf += c.toString();
        const nums = buf.split('\n').filter((l) => /^\d+$/.test(l));
        if (nums.length) acked = Number(nums[nums.length - 1]);
      });
      await new Promise<void>((resolve) => {
        const started = Date.now();
        const timer = setInterval(() => {
          if (acked >= 5 + round * 3 || Date.now() - started > 20_000) {
            clearInterval(timer);
            child.kill('SIGKILL');
            resolve();
          }
        }, 1);
      });
      await new Promise((r) => child.on('close', r));
      const read = new ProvenanceLedger(file).read();
      assert.equal(read.integrity.ok, true, read.integrity.problem);
      // Every append the child confirmed (it returns after fsync) is in the ledger; at most one more.
      const ids = read.entries.map((e) => e.requestId);
      assert.ok(acked >= 0, 'the child never appended');
      assert.ok(read.entries.length >= lastAcked + 1 + acked + 1, `${read.entries.length} entries, ${acked + 1} confirmed this round`);
      assert.ok(ids.includes(`r${acked}`));
      lastAcked = read.entries.length - 1;
    }
    fs.rmSync(`${file}.lock`, { force: true });
  });

  it('two processes appending at once keep one chain', () => {
    const script = `
      const { ProvenanceLedger } = require(${JSON.stringify(LEDGER_MODULE)});
      const ledger = new ProvenanceLedger(${JSON.stringify(file)});
      for (let i = 0; i < 40; i++) ledger.append({ kind: 'ai-write', gitUser: 'x', feature: 'f', provider: 'p', model: 'm', tier: 't', requestId: process.argv[1] + i, path: 'a.ts', startLine: 1, endLine: 1, text: 'y' });`;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const shell = spawnSync('bash', ['-c', `node --require ${TSX} -e "$S" A & node --require ${TSX} -e "$S" B & wait`], { env: { ...process.env, S: script }, encoding: 'utf8' });
    assert.equal(shell.status, 0, shell.stderr);
    const read = new ProvenanceLedger(file).read();
    assert.deepEqual(read.integrity, { ok: true, entries: 80, tornTail: false });
  });

  it('never stores a secret: no text, no hash of a line holding one, the prompt only on opt-in and redacted', () => {
    const ledger = new ProvenanceLedger(file);
    const secret = 'sk-proj-4f8G2kLmN9pQrStUvWxYz0123456789AbCdEfGh';
    const text = `const client = new OpenAI({ apiKey: '${secret}' });\nconst reply = await client.chat.completions.create(request);`;
    const plain = ledger.append(input(1, { text, prompt: `use my key ${secret}` }));
    assert.deepEqual(plain.lineHashes, [lineHash('const reply = await client.chat.completions.create(request);')]);
    assert.equal(plain.prompt, undefined);
    const opted = ledger.append(input(2, { text, prompt: `use my key ${secret}`, recordPrompt: true }));
    assert.match(opted.prompt ?? '', /^use my key \[REDACTED:/);
    const raw = fs.readFileSync(file, 'utf8');
    assert.ok(!raw.includes(secret));
    assert.ok(!raw.includes('apiKey'));
  });

  it('line hashes ignore whitespace and skip lines too short to tell apart', () => {
    assert.equal(lineHash('    return total + item.price;'), lineHash('return   total + item.price;'));
    assert.equal(lineHash('}'), undefined);
    assert.equal(lineHash('  return x;'), undefined);
    assert.deepEqual(lineHashesOf('}\n  return computeTotal(items);\n'), [lineHash('return computeTotal(items);')]);
  });
});
