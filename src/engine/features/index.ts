/**
 * Every engine feature registers its protocol handlers here, one line each. Keep features independent:
 * they share state only through `engine.services`.
 */
import type { Engine } from '../engine';
import { registerEngineFeature } from './engineInfo';

export function registerFeatures(engine: Engine): void {
  registerEngineFeature(engine);
}
