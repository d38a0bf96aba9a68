/** Builds a ready-to-serve Engine: the one place where features are attached. */
import { Engine, type EngineOptions } from './engine';
import { registerFeatures } from './features';
import { VERSION } from './version';

export function createEngine(options: Omit<EngineOptions, 'version'> & { version?: string }): Engine {
  const engine = new Engine({ ...options, version: options.version ?? VERSION });
  registerFeatures(engine);
  return engine;
}
