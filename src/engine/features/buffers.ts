/**
 * `buffers/sync`: the editor's unsaved buffers. Each changed buffer is held in the IndexService's
 * overlay and re-indexed like a saved file (through the same debounced update queue), so search and
 * chat answer from what the user sees; a buffer saved, reverted or closed goes back to the disk.
 */
import * as path from 'node:path';
import type { Engine } from '../engine';
import { IndexServiceKey } from '../index/indexService';

export function registerBuffersFeature(engine: Engine): void {
  engine.handle('buffers/sync', async (params) => {
    const service = engine.services.get(IndexServiceKey);
    const touched: string[] = [];
    for (const { path: p, text } of params.dirty) {
      if (!path.isAbsolute(p)) continue;
      service.buffers.set(p, text);
      touched.push(p);
    }
    for (const p of params.clean) if (path.isAbsolute(p) && service.buffers.clear(p)) touched.push(p);
    // per open index: only paths inside it (a buffer outside every workspace folder is kept, unused)
    const byStore = new Map<string, string[]>();
    for (const p of touched) {
      const index = service.forPath(p);
      if (index) byStore.set(index.store, [...(byStore.get(index.store) ?? []), p]);
    }
    // answered once the index holds the buffers, so a question asked next sees them
    await Promise.all([...byStore].map(([store, changed]) => service.update({ store, changed, deleted: [] }).catch((error: Error) => {
      engine.log.warn(`unsaved-buffer update failed: ${error.message}`);
    })));
    return { buffers: service.buffers.size };
  });
}
