import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigKey, EngineConfig } from '../../../src/engine/config';
import { ServiceRegistry } from '../../../src/engine/services';
import { EgressGateKey, LlmProviderKey, provideLlmServices } from '../../../src/engine/llm/services';
import { AnthropicServer } from '../../servers/anthropic';
import { rejection } from './helpers';

describe('llm engine services', () => {
  let server: AnthropicServer;
  beforeEach(async () => {
    server = await new AnthropicServer().start();
  });
  afterEach(async () => {
    await server.close();
  });

  function registry(env: NodeJS.ProcessEnv = {}): { services: ServiceRegistry; config: EngineConfig; storageDir: string } {
    const services = new ServiceRegistry();
    const config = new EngineConfig();
    services.provide(ConfigKey, () => config);
    const storageDir = mkdtempSync(join(tmpdir(), 'keel-llm-svc-'));
    provideLlmServices(services, { storageDir, env });
    return { services, config, storageDir };
  }

  it('no provider configured → undefined (offline answers), keel.provider=none wins over env keys', () => {
    assert.equal(registry().services.get(LlmProviderKey), undefined);
    const { services, config } = registry({ ANTHROPIC_API_KEY: 'sk-ant-api03-env' });
    config.update({ 'keel.provider': 'none' }, undefined);
    assert.equal(services.get(LlmProviderKey), undefined);
  });

  it('builds the provider from settings + secret, talks through the shared gate, rebuilds on change', async () => {
    const { services, config } = registry();
    config.update({ 'keel.provider': 'anthropic', 'keel.anthropic.baseUrl': server.baseURL }, { anthropic: 'sk-ant-api03-from-secret-storage' });
    const provider = services.get(LlmProviderKey)!;
    assert.equal(provider.id, 'anthropic');
    const r = await provider.complete({ model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'hi' }] });
    assert.ok(r.text.length > 0);
    assert.equal(server.requests[0]!.headers.authorization, 'Bearer sk-ant-api03-from-secret-storage');
    assert.equal(services.get(EgressGateKey).audit!.read().length, 1);

    config.update(undefined, { anthropic: 'sk-ant-api03-rotated' });
    const rebuilt = services.get(LlmProviderKey)!;
    assert.notEqual(rebuilt, provider);
    await rebuilt.complete({ model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(server.requests[1]!.headers.authorization, 'Bearer sk-ant-api03-rotated');
  });

  it('CLI: environment variables configure the provider; KEEL_LOCAL_ONLY=1 blocks a remote base URL', async () => {
    const { services } = registry({ ANTHROPIC_API_KEY: 'sk-ant-api03-env', ANTHROPIC_BASE_URL: 'https://api.anthropic.com', KEEL_LOCAL_ONLY: '1' });
    assert.equal(services.get(EgressGateKey).localOnly, true);
    const e = await rejection(() => services.get(LlmProviderKey)!.complete({ model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'hi' }] }));
    assert.equal(e.code, 'EGRESS_BLOCKED');
  });

  it('turning on keel.localOnly applies to the live gate at once', async () => {
    const { services, config } = registry();
    config.update({ 'keel.provider': 'openai', 'keel.openai.baseUrl': 'https://api.openai.com/v1' }, { openai: 'sk-test' });
    const gate = services.get(EgressGateKey);
    assert.equal(gate.localOnly, false);
    config.update({ 'keel.localOnly': true }, undefined);
    assert.equal(gate.localOnly, true);
    const e = await rejection(() => services.get(LlmProviderKey)!.complete({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }] }));
    assert.equal(e.code, 'EGRESS_BLOCKED');
  });
});
