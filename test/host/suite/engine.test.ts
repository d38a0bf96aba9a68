import * as assert from 'node:assert/strict';
import { keelApi, keelExtension, within } from './helpers';

describe('engine worker', () => {
  it('answers a ping round-trip with its identity and the echo', async () => {
    const api = await keelApi();
    const echo = `host-test-${Date.now()}`;
    const started = performance.now();
    const info = await within(api.engine.request('engine/ping', { echo }), 'engine/ping');
    const roundTripMs = performance.now() - started;
    console.log(`      ping round-trip ${roundTripMs.toFixed(1)} ms (the worker may already be running)`);
    assert.equal(info.name, 'keel-engine');
    assert.equal(info.host, 'worker');
    assert.equal(info.echo, echo);
    assert.equal(info.version, keelExtension().packageJSON.version);
    // A worker thread shares the extension host's process.
    assert.equal(info.pid, process.pid);
    assert.ok(Number.isFinite(info.uptimeMs) && info.uptimeMs >= 0, `uptimeMs = ${info.uptimeMs}`);
  });

  it('keeps answering: ten concurrent pings each get their own echo back', async () => {
    const api = await keelApi();
    const echoes = Array.from({ length: 10 }, (_, i) => `concurrent-${i}`);
    const infos = await within(Promise.all(echoes.map((echo) => api.engine.request('engine/ping', { echo }))), 'ten pings');
    assert.deepEqual(infos.map((i) => i.echo), echoes);
  });
});
