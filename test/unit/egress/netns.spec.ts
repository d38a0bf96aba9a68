/**
 * Local-only, tested for real: the shipped CLI (dist/cli.js) runs in a fresh network namespace (only
 * `lo`, as root through `unshare --net`) under `strace -f -e trace=connect`, pointed at a TEST-NET
 * address, at a `*.localhost` name and at a loopback server that answers 307 to an outside address.
 * Every connect() the process tree makes is read back from the trace: none may go to a non-loopback
 * address, and none to a DNS port. strace, ip and unshare come from scripts/setup-host.sh (run first
 * by `npm test`). Where unshare is not permitted (not root) the same trace runs in the host's
 * namespace, which is said on stderr — the connect() assertions are identical.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isLoopbackAddress } from '../../../src/engine/egress/hosts';

const ROOT = join(__dirname, '../../..');
const CLI = join(ROOT, 'dist', 'cli.js');
const PORT = 18080;
const OUTSIDE = 'http://203.0.113.7:8080/v1';

/** A loopback provider: embeddings for /v1/embeddings, a 307 to TEST-NET under /redir/. */
const SERVER = `
require('node:http').createServer((q, s) => {
  let body = '';
  q.on('data', (c) => (body += c));
  q.on('end', () => {
    if (q.url.startsWith('/redir/')) return s.writeHead(307, { location: 'http://203.0.113.7:80/v1/embeddings' }).end();
    const input = JSON.parse(body || '{}').input || [];
    const data = (Array.isArray(input) ? input : [input]).map((_, index) => ({ object: 'embedding', index, embedding: [0.6, 0.8, 0] }));
    s.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data, model: 'm', usage: { prompt_tokens: 1, total_tokens: 1 } }));
  });
}).listen(${PORT}, '127.0.0.1', () => require('node:fs').writeFileSync(process.argv[1], 'up'));
`;

interface Scenario {
  name: string;
  args: string[];
  env: Record<string, string>;
  stdin?: string;
  /** Expected exit code and, for failures, the printed error code. */
  exit: number;
  code?: string;
}

function scenarios(work: string): Scenario[] {
  const dir = join(work, 'repo');
  const embed = (base: string): Record<string, string> => ({ KEEL_OPENAI_COMPATIBLE_BASE_URL: base });
  return [
    { name: 'embed: TEST-NET endpoint, KEEL_LOCAL_ONLY=1', args: ['embed', '--embedder', 'openai-compatible:m'], env: { ...embed(OUTSIDE), KEEL_LOCAL_ONLY: '1' }, stdin: 'x\n', exit: 3, code: 'EGRESS_BLOCKED' },
    { name: 'embed: *.localhost endpoint, --local-only', args: ['embed', '--embedder', 'openai-compatible:m', '--local-only'], env: embed(`http://models.localhost:${PORT}/v1`), stdin: 'x\n', exit: 0 },
    { name: 'embed: loopback 307 to TEST-NET, local-only', args: ['embed', '--embedder', 'openai-compatible:m', '--local-only'], env: embed(`http://127.0.0.1:${PORT}/redir/v1`), stdin: 'x\n', exit: 3, code: 'EGRESS_BLOCKED' },
    { name: 'embed: loopback 307 to TEST-NET, normal mode', args: ['embed', '--embedder', 'openai-compatible:m'], env: embed(`http://127.0.0.1:${PORT}/redir/v1`), stdin: 'x\n', exit: 3, code: 'EGRESS_BLOCKED' },
    { name: 'index: API embedder at TEST-NET, KEEL_LOCAL_ONLY=1', args: ['index', dir, '--store', join(work, 'store1'), '--embedder', 'openai-compatible:m'], env: { ...embed(OUTSIDE), KEEL_LOCAL_ONLY: '1' }, exit: 3, code: 'EGRESS_BLOCKED' },
    { name: 'index: API embedder via 127.1 spelling, local-only', args: ['index', dir, '--store', join(work, 'store2'), '--embedder', 'openai-compatible:m', '--local-only'], env: embed(`http://127.1:${PORT}/v1`), exit: 0 },
    { name: 'ask: provider at TEST-NET, --local-only', args: ['ask', 'where are orders saved?', '--dir', dir, '--store', join(work, 'store3'), '--provider', 'openai', '--local-only'], env: { OPENAI_BASE_URL: OUTSIDE, OPENAI_API_KEY: 'sk-test-0123456789abcdef' }, exit: 3, code: 'EGRESS_BLOCKED' },
    { name: 'ask: provider at a *.localhost name that nothing serves', args: ['ask', 'where are orders saved?', '--dir', dir, '--store', join(work, 'store4'), '--provider', 'openai', '--timeout', '2'], env: { OPENAI_BASE_URL: 'http://nothing.localhost:9/v1', OPENAI_API_KEY: 'sk-test-0123456789abcdef' }, exit: 3, code: 'PROVIDER_UNAVAILABLE' },
  ];
}

const shq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

function driver(work: string, list: Scenario[], netns: boolean): string {
  const lines = ['set -u', 'cd ' + shq(ROOT)];
  if (netns) lines.push('ip link set lo up');
  lines.push(`node -e ${shq(SERVER)} ${shq(join(work, 'server.up'))} & SERVER=$!`);
  lines.push(`for i in $(seq 1 100); do [ -f ${shq(join(work, 'server.up'))} ] && break; sleep 0.1; done`);
  list.forEach((s, i) => {
    const env = Object.entries({ ...s.env, KEEL_STATE_DIR: join(work, `state${i}`), XDG_CACHE_HOME: join(work, 'cache') })
      .map(([k, v]) => `${k}=${shq(v)}`)
      .join(' ');
    const stdin = s.stdin !== undefined ? shq(join(work, `in${i}`)) : '/dev/null';
    if (s.stdin !== undefined) writeFileSync(join(work, `in${i}`), s.stdin);
    lines.push(
      `env ${env} strace -f -qq -e trace=connect -o ${shq(join(work, `trace${i}`))} node ${shq(CLI)} ${s.args.map(shq).join(' ')} < ${stdin} > ${shq(join(work, `out${i}`))} 2> ${shq(join(work, `err${i}`))}; echo $? > ${shq(join(work, `exit${i}`))}`,
    );
  });
  lines.push('kill $SERVER');
  return lines.join('\n');
}

interface Connect {
  family: string;
  address: string;
  port: number;
  line: string;
}

export function connectsIn(trace: string): Connect[] {
  const out: Connect[] = [];
  for (const line of trace.split('\n')) {
    if (!line.includes('connect(')) continue;
    const v4 = /sa_family=AF_INET, sin_port=htons\((\d+)\), sin_addr=inet_addr\("([^"]+)"\)/.exec(line);
    const v6 = /sa_family=AF_INET6, sin6_port=htons\((\d+)\).*inet_pton\(AF_INET6, "([^"]+)"/.exec(line);
    const m = v4 ?? v6;
    if (m) out.push({ family: v4 ? 'inet' : 'inet6', address: m[2]!, port: Number(m[1]), line });
    else if (!/AF_UNIX|AF_NETLINK/.test(line)) out.push({ family: 'other', address: '?', port: 0, line });
  }
  return out;
}

function canUnshare(): boolean {
  return spawnSync('unshare', ['--net', 'true']).status === 0;
}

describe('egress: local-only in a network namespace, connect() traced (the shipped CLI)', function () {
  this.timeout(240_000);

  it('parses strace connect lines (so an empty list of outside connects means something)', () => {
    const trace = [
      '123 connect(21, {sa_family=AF_INET, sin_port=htons(8080), sin_addr=inet_addr("203.0.113.7")}, 16) = -1 ENETUNREACH',
      '123 connect(22, {sa_family=AF_INET6, sin6_port=htons(53), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "2001:db8::53", &sin6_addr), sin6_scope_id=0}, 28) = -1',
      '124 connect(5, {sa_family=AF_UNIX, sun_path="/run/x"}, 110) = 0',
      '125 connect(23, {sa_family=AF_INET, sin_port=htons(18080), sin_addr=inet_addr("127.0.0.1")}, 16) = 0',
    ].join('\n');
    const c = connectsIn(trace);
    assert.deepEqual(c.map((x) => `${x.address}:${x.port}`), ['203.0.113.7:8080', '2001:db8::53:53', '127.0.0.1:18080']);
  });

  it('zero non-loopback connects and zero DNS connects across embed, index and ask (TEST-NET, *.localhost, 307 out)', async () => {
    assert.ok(existsSync(CLI), 'dist/cli.js is built (npm run build; test:unit builds first)');
    assert.equal(spawnSync('strace', ['-V']).status, 0, 'strace is installed (npm run setup:host installs it)');
    const netns = canUnshare();
    if (!netns) process.stderr.write('    (unshare --net is not permitted here: tracing in the host namespace instead)\n');
    const work = mkdtempSync(join(tmpdir(), 'keel-netns-'));
    try {
      const repo = join(work, 'repo');
      mkdirSync(join(repo, 'src'), { recursive: true });
      writeFileSync(join(repo, 'src', 'orders.ts'), 'export async function saveOrder(db, order) {\n  await db.orders.insert(order);\n}\n');
      const list = scenarios(work);
      const script = driver(work, list, netns);
      const child = spawn(netns ? 'unshare' : 'bash', netns ? ['--net', 'bash', '-c', script] : ['-c', script], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
      assert.equal(status, 0, stderr);

      let loopbackConnects = 0;
      list.forEach((s, i) => {
        const exit = Number(readFileSync(join(work, `exit${i}`), 'utf8').trim());
        const err = readFileSync(join(work, `err${i}`), 'utf8');
        assert.equal(exit, s.exit, `${s.name}: exit ${exit}\n${err}`);
        if (s.code) assert.match(err, new RegExp(`\\[${s.code}\\]`), `${s.name}: ${err}`);
        const traces = readdirSync(work).filter((f) => f.startsWith(`trace${i}`));
        const connects = traces.flatMap((f) => connectsIn(readFileSync(join(work, f), 'utf8')));
        const outside = connects.filter((c) => c.family === 'other' || !isLoopbackAddress(c.address));
        assert.deepEqual(outside.map((c) => c.line), [], `${s.name}: non-loopback connects`);
        assert.deepEqual(connects.filter((c) => c.port === 53).map((c) => c.line), [], `${s.name}: DNS connects`);
        loopbackConnects += connects.filter((c) => c.port === PORT).length;
      });
      assert.ok(loopbackConnects >= 3, `the loopback server was really reached (${loopbackConnects} connects)`);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
