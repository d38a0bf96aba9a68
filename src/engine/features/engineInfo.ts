/** Liveness, configuration and lifecycle requests every host needs. */
import { ConfigKey, EngineConfig } from '../config';
import type { Engine } from '../engine';

export function registerEngineFeature(engine: Engine): void {
  engine.services.provide(ConfigKey, () => new EngineConfig());

  engine.handle('engine/ping', async (params) => ({
    name: 'keel-engine',
    version: engine.options.version,
    pid: process.pid,
    uptimeMs: Date.now() - engine.startedAt,
    host: engine.options.host,
    ...(params.echo !== undefined ? { echo: params.echo } : {}),
  }));

  engine.handle('engine/configure', async (params) => {
    const changed = engine.services.get(ConfigKey).update(params.settings, params.secrets);
    return { changed: changed.map((key) => (key.startsWith('secret:') ? 'secret' : key)) };
  });

  engine.handle('engine/shutdown', async () => {
    await engine.shutdown();
    return { ok: true };
  });
}

