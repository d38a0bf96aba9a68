/**
 * Locates files the engine ships beside its code: tree-sitter grammars and the embedded embedding
 * model. In a bundle (dist/) they are copied next to the bundle by esbuild.mjs; when running from
 * source (tests, tsx) they are found in the repository. One resolver so no module guesses paths.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export type AssetKind = 'wasm' | 'models';

const cache = new Map<string, string>();

/** Absolute path of `file` of the given kind; throws with a clear message if it is missing. */
export function assetPath(kind: AssetKind, file: string): string {
  const key = `${kind}/${file}`;
  const hit = cache.get(key);
  if (hit) return hit;
  for (const candidate of candidates(kind, file)) {
    if (fs.existsSync(candidate)) {
      cache.set(key, candidate);
      return candidate;
    }
  }
  throw new Error(`Keel asset not found: ${key} (looked beside ${__dirname})`);
}

function* candidates(kind: AssetKind, file: string): Generator<string> {
  // Bundled: dist/<kind>/<file>, with __dirname = dist.
  yield path.join(__dirname, kind, file);
  // From source: walk up to the repository root.
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    if (kind === 'wasm') {
      yield path.join(dir, 'node_modules', '@vscode', 'tree-sitter-wasm', 'wasm', file);
      yield path.join(dir, 'node_modules', 'web-tree-sitter', file);
    } else {
      yield path.join(dir, kind, file);
    }
    yield path.join(dir, 'dist', kind, file);
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
}

/**
 * A worker thread's script: the bundled `bundled` beside the bundle (dist/), or, when running from
 * source (tests, tsx), `source` in the calling module's folder `moduleDir`, loaded through tsx.
 * Undefined when neither exists (the caller works in-process).
 */
export function workerScript(moduleDir: string, bundled: string, source: string): { file: string; execArgv: string[] } | undefined {
  const js = path.join(moduleDir, bundled);
  if (fs.existsSync(js)) return { file: js, execArgv: [] };
  const ts = path.join(moduleDir, source);
  if (__filename.endsWith('.ts') && fs.existsSync(ts)) return { file: ts, execArgv: ['--require', 'tsx/cjs'] };
  return undefined;
}
