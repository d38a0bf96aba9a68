/** Liveness, configuration and lifecycle requests every host needs. */
import { ConfigKey, EngineConfig } from '../config';
import type { Engine } from '../engine';
import { KeelError, throwIfCancelled } from '../../common/errors';

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

  // Exercises streaming and cancellation end to end (used by protocol tests on every transport).
  engine.handle('engine/countdown', async (params, ctx) => {
    if (!Number.isInteger(params.count) || params.count < 0 || params.count > 10_000) {
      throw new KeelError('INVALID_PARAMS', 'count must be an integer between 0 and 10000');
    }
    let completed = 0;
    for (let n = params.count; n > 0; n--) {
      throwIfCancelled(ctx.signal);
      ctx.stream({ n });
      completed++;
      await delay(params.delayMs, ctx.signal);
    }
    return { completed };
  });
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new KeelError('CANCELLED', 'The request was cancelled.'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
