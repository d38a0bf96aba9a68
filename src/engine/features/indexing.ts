/**
 * `index/build`, `index/status`, `index/update`: the workspace index over the protocol. The open
 * indexes live in the IndexService (engine.services, key IndexServiceKey) for search and chat to use.
 */
import * as fs from 'node:fs/promises';
import { EmbedderKey, embedderFor } from '../embed/service';
import type { Engine } from '../engine';
import { KeelError } from '../../common/errors';
import { IndexService, IndexServiceKey } from '../index/indexService';

export function registerIndexingFeature(engine: Engine): void {
  engine.services.provide(IndexServiceKey, (services) => {
    const service = new IndexService({
      log: engine.log,
      storageDir: engine.options.storageDir,
      embedderFor: (id) => {
        if (!id) return services.get(EmbedderKey);
        return embedderFor(services, id);
      },
    });
    engine.onShutdown(() => service.closeAll());
    return service;
  });

  engine.handle('index/build', async (params, ctx) => {
    for (const root of Array.isArray(params?.roots) ? params.roots : []) {
      const st = await fs.stat(root).catch(() => undefined);
      if (!st) throw new KeelError('FILE_NOT_FOUND', `Folder not found: ${root}`);
      if (!st.isDirectory()) throw new KeelError('INVALID_PARAMS', `Not a folder: ${root}`);
    }
    const service = engine.services.get(IndexServiceKey);
    const { notices, ...summary } = await service.build(params, ctx.signal, (progress) =>
      ctx.notify('index/progress', { ...progress, root: params.roots[0] }),
    );
    for (const message of notices) ctx.notify('index/progress', { phase: 'done', done: 0, total: 0, message });
    return summary;
  });

  engine.handle('index/status', (params) => engine.services.get(IndexServiceKey).status(params ?? {}));

  engine.handle('index/update', (params) => engine.services.get(IndexServiceKey).update(params));
}
