/**
 * Local-only means loopback, checked on the URL and again on the resolved address at connect time:
 * every loopback spelling passes, everything else is refused, `*.localhost` never reaches DNS, a name
 * that resolves off loopback is refused at connect time, and redirects cannot leave loopback (or, in
 * any mode, change hosts).
 */
import assert from 'node:assert/strict';
import dns from 'node:dns';
import { EgressGate } from '../../../src/engine/egress/gate';
import { isLoopbackAddress, isLoopbackHost } from '../../../src/engine/egress/hosts';
import { guardedLookup } from '../../../src/engine/egress/transport';
import { MisbehavingServer } from '../../servers/misbehaving';
import { OpenAIChatServer } from '../../servers/openaiChat';

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

/** Counts dns.lookup calls made while `fn` runs (the transport resolves through dns.lookup). */
async function countingDns<T>(fn: () => Promise<T>): Promise<{ result: T; names: string[] }> {
  const names: string[] = [];
  const original = dns.lookup;
  (dns as { lookup: unknown }).lookup = ((hostname: string, ...rest: unknown[]) => {
    names.push(hostname);
    return (original as (...a: unknown[]) => unknown)(hostname, ...rest);
  }) as typeof dns.lookup;
  try {
    return { result: await fn(), names };
  } finally {
    (dns as { lookup: unknown }).lookup = original;
  }
}

describe('egress: local-only means loopback', function () {
  this.timeout(20_000);

  it('accepts every loopback spelling and nothing else', () => {
    const loopback = ['127.0.0.1', '127.1', '127.0.1', '0x7f000001', '0x7f.1', '2130706433', '017700000001', '127.255.255.254', '[::1]', '::1', '[::ffff:127.0.0.1]', '::ffff:7f00:1', '0:0:0:0:0:0:0:1', '[0000:0000:0000:0000:0000:0000:0000:0001]', 'localhost', 'LOCALHOST', 'localhost.', 'api.localhost', 'a.b.localhost'];
    const outside = ['0.0.0.0', '0', '10.0.0.1', '128.0.0.1', '126.255.255.255', '169.254.169.254', '203.0.113.7', '[::]', '[::2]', '[::ffff:10.0.0.1]', '[::ffff:8.8.8.8]', '[2001:db8::1]', '[fe80::1]', '127.0.0.1.nip.io', 'localhost.evil.com', 'localhost-evil.com', 'evil.com', 'xlocalhost', '127.0.0.1.', ''];
    for (const h of loopback) assert.ok(isLoopbackHost(h), `${h} is loopback`);
    for (const h of outside.filter((x) => x !== '127.0.0.1.')) assert.ok(!isLoopbackHost(h), `${h} is not loopback`);
    for (const a of ['127.0.0.1', '127.9.9.9', '::1', '::ffff:127.0.0.1', '::ffff:7f00:1']) assert.ok(isLoopbackAddress(a), a);
    for (const a of ['0.0.0.0', '10.0.0.1', '::', '::2', '::ffff:10.0.0.1', 'localhost']) assert.ok(!isLoopbackAddress(a), a);

    const gate = new EgressGate({ localOnly: true });
    for (const h of loopback.filter((x) => !x.includes(':') || x.startsWith('['))) gate.check(new URL(`http://${h}:8080/v1`));
    for (const h of outside.filter((x) => x && x !== '127.0.0.1.')) {
      assert.throws(() => gate.check(new URL(`http://${h}:8080/v1`)), (e: { code?: string }) => e.code === 'EGRESS_BLOCKED', h);
    }
  });

  it('reaches a loopback server through unusual spellings of its address', async () => {
    const server = await new OpenAIChatServer().start();
    const port = new URL(server.origin).port;
    const gate = new EgressGate({ localOnly: true });
    const post = gate.fetchFor('chat', 'openai');
    try {
      for (const host of ['127.1', '0x7f000001', '2130706433', 'api.localhost']) {
        const r = await post(`http://${host}:${port}/v1/chat/completions`, { method: 'POST', headers: { authorization: 'Bearer k' }, body: '{}' });
        assert.equal(r.status, 400, `${host} reached the server`);
        await r.text();
      }
      assert.equal(server.requests.length, 4);
    } finally {
      await server.close();
    }
  });

  it('*.localhost is resolved to loopback by Keel, never asked of DNS', async () => {
    const server = await new OpenAIChatServer().start();
    const port = new URL(server.origin).port;
    const gate = new EgressGate({ localOnly: true });
    try {
      const { result, names } = await countingDns(async () => {
        const r = await gate.fetchFor('chat', 'openai')(`http://models.keel.localhost:${port}/v1/chat/completions`, { method: 'POST', body: '{}' });
        await r.text();
        return r.status;
      });
      assert.equal(result, 401, 'the local server answered (no key sent)');
      assert.deepEqual(names, [], 'no DNS lookup');
    } finally {
      await server.close();
    }
  });

  it('connect-time check: a name that resolves to a non-loopback address is refused, even after passing the URL check', async () => {
    const lookup = guardedLookup(() => ({ localOnly: true, allowHosts: [] }));
    const resolve = (host: string, all: boolean) =>
      new Promise<{ error: unknown; address: unknown }>((done) => lookup(host, { all }, (error, address) => done({ error, address })));
    const original = dns.lookup;
    // Simulates a rebinding answer: the resolver hands back an outside address for a name.
    (dns as { lookup: unknown }).lookup = ((_h: string, _o: unknown, cb: (e: null, a: dns.LookupAddress[]) => void) =>
      cb(null, [{ address: '127.0.0.1', family: 4 }, { address: '203.0.113.7', family: 4 }])) as unknown as typeof dns.lookup;
    try {
      for (const all of [true, false]) {
        const { error } = await resolve('rebind.example.test', all);
        assert.equal((error as { code?: string })?.code, 'EGRESS_BLOCKED');
      }
      // Allow-listed names are the user's choice: any address.
      const allowed = guardedLookup(() => ({ localOnly: true, allowHosts: ['rebind.example.test'] }));
      const ok = await new Promise<unknown>((done) => allowed('rebind.example.test', { all: true }, (e, a) => done(e ?? a)));
      assert.ok(Array.isArray(ok));
      // Outside local-only mode the resolver's answer is used as is.
      const open = guardedLookup(() => ({ localOnly: false, allowHosts: [] }));
      const any = await new Promise<unknown>((done) => open('rebind.example.test', { all: false }, (e, a) => done(e ?? a)));
      assert.equal(any, '127.0.0.1');
    } finally {
      (dns as { lookup: unknown }).lookup = original;
    }
    const local = await resolve('x.localhost', false);
    assert.equal(local.address, '127.0.0.1');
  });

  for (const localOnly of [true, false]) {
    it(`a loopback server's 307 to an outside address is refused (${localOnly ? 'local-only' : 'normal mode'}), never connected to`, async () => {
      const server = await new MisbehavingServer('redirect', { location: 'http://203.0.113.7:80/v1/exfiltrate' }).start();
      const seen: string[] = [];
      const gate = new EgressGate({ localOnly, onTransport: (u) => seen.push(u.host) });
      try {
        const code = await codeOf(gate.fetchFor('chat', 'openai')(`${server.baseURL}/chat/completions`, { method: 'POST', body: '{"x":1}' }));
        assert.equal(code, 'EGRESS_BLOCKED');
        assert.deepEqual(seen, [new URL(server.origin).host], 'only the loopback server was contacted');
      } finally {
        await server.close();
      }
    });
  }

  it('redirects that stay on loopback are followed (method and body kept on 307); a redirect to *.localhost stays local', async () => {
    const target = await new OpenAIChatServer().start();
    const hop = await new MisbehavingServer('redirect', { location: `http://api.localhost:${new URL(target.origin).port}/v1/chat/completions` }).start();
    const gate = new EgressGate({ localOnly: true });
    try {
      const r = await gate.fetchFor('chat', 'openai')(`${hop.baseURL}/chat/completions`, { method: 'POST', headers: { authorization: 'Bearer k' }, body: '{"model":"m"}' });
      await r.text();
      assert.equal(target.requests.length, 1);
      assert.equal(target.requests[0]!.method, 'POST');
      assert.equal(target.requests[0]!.body, '{"model":"m"}');
    } finally {
      await hop.close();
      await target.close();
    }
  });
});
