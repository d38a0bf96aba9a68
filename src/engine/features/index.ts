/**
 * Every engine feature registers its protocol handlers here, one line each. Keep features independent:
 * they share state only through `engine.services`.
 */
import type { Engine } from '../engine';
import { registerApiFeature } from './api';
import { registerBuffersFeature } from './buffers';
import { registerChatFeature } from './chat';
import { registerCompletionsFeature } from './completions';
import { registerCostFeature } from './cost';
import { registerDbFeature } from './db';
import { registerEngineFeature } from './engineInfo';
import { registerEgressFeature } from './egress';
import { registerEmbedFeature } from './embed';
import { registerIndexingFeature } from './indexing';
import { registerSqlFeature } from './sql';
import { registerSearchFeature } from './search';
import { registerLlmFeature } from './llm';
import { registerToolsFeature } from './tools';
import { registerTrustFeature } from './trust';

export function registerFeatures(engine: Engine): void {
  registerEngineFeature(engine);
  registerEgressFeature(engine);
  registerEmbedFeature(engine);
  registerIndexingFeature(engine);
  registerSqlFeature(engine);
  registerSearchFeature(engine);
  registerLlmFeature(engine);
  registerChatFeature(engine);
  registerCostFeature(engine);
  registerToolsFeature(engine);
  registerDbFeature(engine);
  registerTrustFeature(engine);
  registerApiFeature(engine);
  registerBuffersFeature(engine);
  registerCompletionsFeature(engine);
}
