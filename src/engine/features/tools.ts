/** `tools/list`, `tools/call`: Keel's read-only agent tools (src/engine/tools/) over the protocol. */
import type { Engine } from '../engine';
import { availableTools, describeTool, runTool } from '../tools/registry';

export function registerToolsFeature(engine: Engine): void {
  engine.handle('tools/list', async () => ({ tools: availableTools(engine).map(describeTool) }));
  engine.handle('tools/call', async (params, ctx) => {
    const started = performance.now();
    try {
      return await runTool(engine, params, ctx.signal);
    } finally {
      ctx.log.debug(`tool ${params?.name}: ${(performance.now() - started).toFixed(1)} ms`);
    }
  });
}
