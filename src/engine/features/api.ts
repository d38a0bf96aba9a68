/** Protocol handlers for agent-ready API review: api/scan, api/analyze, api/openapi. */
import type { Engine } from '../engine';
import { throwIfCancelled } from '../../common/errors';
import { analyzeApiDocument, openApiFromCode, scanApi } from '../api/scan';

export function registerApiFeature(engine: Engine): void {
  engine.handle('api/scan', async (params, ctx) => {
    const result = await scanApi(params, ctx.signal);
    ctx.log.info(`api/scan: ${result.files} files, ${result.routes.length} routes, ${result.findings.length} findings in ${result.ms} ms`);
    return result;
  });
  engine.handle('api/analyze', async (params, ctx) => {
    throwIfCancelled(ctx.signal);
    return { findings: await analyzeApiDocument(params) };
  });
  engine.handle('api/openapi', async (params, ctx) => openApiFromCode(params, ctx.signal));
}
