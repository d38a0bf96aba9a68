/**
 * `index/build`, `index/status`, `index/update`: the workspace index over the protocol. The open
 * indexes live in the IndexService (engine.services, key IndexServiceKey) for search and chat to use.
 */
import * as fs from 'node:fs/promises';
import { EmbedderKey, embedderFor } from '../embed/service';
import type { Engine } from '../engine';
import { KeelError } from '../../common/errors';
import { IndexService, IndexServiceKey } from '../index/indexService';
import { ConfigKey } from '../config';
import { egressPolicy } from '../egress/service';
import { parseStoreLocation } from '../store/location';
import { gitIdentity, publishWorkspace } from '../store/postgres/publishWorkspace';
import { TeamStores, TeamStoresKey } from '../store/teamStore';
import * as os from 'node:os';

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
  engine.services.provide(TeamStoresKey, (services) => {
    const config = services.get(ConfigKey);
    const stores = new TeamStores(() => ({ localOnly: egressPolicy(config, process.env).localOnly, timeoutS: config.get<number>('keel.db.timeoutS', 30) }));
    engine.onShutdown(() => stores.closeAll());
    return stores;
  });

  engine.handle('index/build', async (params, ctx) => {
    for (const root of Array.isArray(params?.roots) ? params.roots : []) {
      const st = await fs.stat(root).catch(() => undefined);
      if (!st) throw new KeelError('FILE_NOT_FOUND', `Folder not found: ${root}`);
      if (!st.isDirectory()) throw new KeelError('INVALID_PARAMS', `Not a folder: ${root}`);
    }
    const service = engine.services.get(IndexServiceKey);
    const location = parseStoreLocation(params?.store, engine.services.get(ConfigKey).secret('indexStoreUrl') ?? engine.services.get(ConfigKey).secret('databaseUrl'));
    const local = location.kind === 'postgres' ? { ...params, store: undefined } : params;
    const { notices, ...summary } = await service.build(local, ctx.signal, (progress) =>
      ctx.notify('index/progress', { ...progress, root: params.roots[0] }),
    );
    for (const message of notices) ctx.notify('index/progress', { phase: 'done', done: 0, total: 0, message });
    if (location.kind !== 'postgres') return summary;
    // The team store: the local index just built is published (only files the server lacks).
    if (params.roots.length !== 1) throw new KeelError('INVALID_PARAMS', 'A team store indexes one repository: give one folder.');
    const store = await engine.services.get(TeamStoresKey).get(location.url, true);
    const index = await service.settledFor(params.roots);
    const id = await gitIdentity(params.roots[0]);
    const published = await publishWorkspace(store, index, {
      ...id,
      actor: process.env.KEEL_ACTOR || process.env.GITHUB_ACTOR || os.userInfo().username,
      maxBytes: (params.maxFileSizeKB ?? 1024) * 1024,
      signal: ctx.signal,
      onProgress: (done, total) => ctx.notify('index/progress', { phase: 'write', done, total, root: params.roots[0] }),
    });
    return {
      ...summary,
      team: { store: store.label, repo: id.repo, branch: id.branch, commit: published.commitId, uploaded: published.uploaded, reused: published.reused, chunks: published.chunks, ms: published.ms },
    };
  });

  engine.handle('index/status', (params) => engine.services.get(IndexServiceKey).status(params ?? {}));

  engine.handle('index/update', (params) => engine.services.get(IndexServiceKey).update(params));
}
