/**
 * Where an index lives when nobody says: a per-directory folder under the user's cache directory,
 * never inside the repository (an index in the repo would be committed, or indexed by itself).
 */
import { createHash } from 'node:crypto';
import * as os from 'node:os';
import * as path from 'node:path';

export function defaultStoreDir(dir: string, env: NodeJS.ProcessEnv = process.env): string {
  const abs = path.resolve(dir);
  const cacheRoot = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(os.homedir(), '.cache');
  const id = createHash('sha256').update(abs).digest('hex').slice(0, 16);
  return path.join(cacheRoot, 'keel', `${path.basename(abs) || 'root'}-${id}`);
}
