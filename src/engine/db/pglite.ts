/**
 * Loads PGlite (real PostgreSQL 17 compiled to WebAssembly) only when a plan is asked for: it is
 * 14 MB of wasm and data that indexing and search never need. The bundle ships it beside dist/cli.js
 * (esbuild.mjs copies it to dist/pglite/); from sources it comes from node_modules.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { PGlite as PGliteType } from '@electric-sql/pglite';

export type PGlite = PGliteType;

let loaded: typeof import('@electric-sql/pglite') | undefined;

export async function createPglite(dataDir?: string): Promise<PGlite> {
  if (!loaded) {
    const bundled = path.join(__dirname, 'pglite', 'index.cjs');
     
    loaded = existsSync(bundled) ? require(bundled) : require('@electric-sql/pglite');
  }
  const db = new loaded!.PGlite(dataDir);
  await db.waitReady;
  return db;
}
