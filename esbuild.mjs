// One build script, four bundles (extension, engine worker, CLI, webview) sharing base options.
// `node esbuild.mjs [--production] [--watch]`. Type-checking is a separate step: `npm run check`.
import * as esbuild from 'esbuild';
import { readFileSync, mkdirSync, copyFileSync, readdirSync, existsSync, chmodSync, rmSync } from 'node:fs';
import path from 'node:path';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));

const base = {
  bundle: true,
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  define: { __KEEL_VERSION__: JSON.stringify(pkg.version) },
};
// vectra lazily requires @huggingface/transformers for its optional local embeddings, which Keel
// never uses (Keel ships its own embedder); leaving it external keeps ~470 MB out of the dependency tree.
/** Swap heavy library entry points for the slices Keel uses (see scripts/build/*.cjs for why). */
const slimDependencies = {
  name: 'slim-dependencies',
  setup(build) {
    const here = path.resolve('scripts/build');
    build.onResolve({ filter: /^vectra$/ }, () => ({ path: path.join(here, 'vectra-lite.cjs') }));
    build.onResolve({ filter: /^node-sql-parser$/ }, () => ({ path: path.join(here, 'sql-parser-lite.cjs') }));
    // vectra's LocalIndex requires its BM25 stack at load time but only calls it in isBm25 mode, which
    // Keel never uses (Keel keeps its own BM25 postings).
    build.onResolve({ filter: /^wink-(nlp|eng-lite-web-model|bm25-text-search)$/ }, (args) => ({ path: args.path, namespace: 'keel-unused' }));
    build.onLoad({ filter: /.*/, namespace: 'keel-unused' }, (args) => ({
      contents: `module.exports = function () { throw new Error(${JSON.stringify(`${args.path} is not bundled with Keel`)}); };`,
      loader: 'js',
    }));
  },
};
const node = {
  ...base,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  external: ['vscode', '@huggingface/transformers'],
  plugins: [slimDependencies],
};

const builds = [
  { ...node, entryPoints: { extension: 'src/extension.ts' }, outdir: 'dist' },
  { ...node, entryPoints: { engineWorker: 'src/engine/worker.ts' }, outdir: 'dist' },
  { ...node, entryPoints: { cli: 'src/cli/main.ts' }, outdir: 'dist'},
  {
    ...base,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    entryPoints: { chat: 'media/chat/main.ts' },
    outdir: 'dist/webview',
    loader: { '.css': 'css' },
  },
];

/** Files the engine loads at run time, copied beside the bundles (see src/engine/assets.ts). */
function copyAssets() {
  mkdirSync('dist/wasm', { recursive: true });
  const grammars = 'node_modules/@vscode/tree-sitter-wasm/wasm';
  for (const f of readdirSync(grammars)) if (f.endsWith('.wasm') && f !== 'tree-sitter.wasm') copyFileSync(path.join(grammars, f), path.join('dist/wasm', f));
  copyFileSync('node_modules/web-tree-sitter/web-tree-sitter.wasm', 'dist/wasm/web-tree-sitter.wasm');
  if (existsSync('models')) {
    mkdirSync('dist/models', { recursive: true });
    for (const f of readdirSync('models')) if (!f.endsWith('.md')) copyFileSync(path.join('models', f), path.join('dist/models', f));
  }
  mkdirSync('dist/webview', { recursive: true });
  for (const f of readdirSync('media/chat')) if (f.endsWith('.css')) copyFileSync(path.join('media/chat', f), path.join('dist/webview', f));
  // Codicons: the icon font VS Code itself uses, served from the bundle folder (CSP font-src).
  for (const f of ['codicon.css', 'codicon.ttf']) copyFileSync(path.join('node_modules/@vscode/codicons/dist', f), path.join('dist/webview', f));
}

const started = Date.now();
// A clean dist/ so stale files (old source maps, removed assets) never reach the .vsix.
if (!watch) rmSync('dist', { recursive: true, force: true });
copyAssets();
if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
  console.log('esbuild: watching for changes…');
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
  chmodSync('dist/cli.js', 0o755);
  console.log(`esbuild: built ${builds.length} bundles${production ? ' (production)' : ''} in ${Date.now() - started} ms`);
}
