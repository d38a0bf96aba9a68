// One build script, all bundles (extension, engine worker, chunk worker, CLI, webviews) sharing base options.
// `node esbuild.mjs [--production] [--watch]`. Type-checking is a separate step: `npm run check`.
// A one-shot build writes to dist.next/ and replaces dist/ only when everything succeeded, so a failed
// build never leaves a half-empty dist/ behind (and stale files never reach the .vsix).
import * as esbuild from 'esbuild';
import { readFileSync, mkdirSync, copyFileSync, cpSync, readdirSync, existsSync, chmodSync, rmSync, renameSync } from 'node:fs';
import path from 'node:path';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const OUT = watch ? 'dist' : 'dist.next';

const base = {
  bundle: true,
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  define: { __KEEL_VERSION__: JSON.stringify(pkg.version) },
};

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
  // vectra lazily requires @huggingface/transformers for optional local embeddings Keel never uses
  // (Keel ships its own embedder); external keeps ~470 MB out of the dependency tree.
  // PGlite (src/engine/db/pglite.ts) loads its wasm and data beside its own file: shipped as a copy
  // in dist/pglite/ and required at run time, never bundled.
  external: ['vscode', '@huggingface/transformers', '@electric-sql/pglite', 'usearch', '@seriousme/openapi-schema-validator'],
  plugins: [slimDependencies],
  // ESM-first packages (web-tree-sitter) call createRequire(import.meta.url), which is empty in a CJS
  // bundle: give them this file's own URL.
  define: { ...base.define, 'import.meta.url': '__keelImportMetaUrl' },
  banner: { js: 'var __keelImportMetaUrl = require("url").pathToFileURL(__filename).href;' },
};

const builds = [
  { ...node, entryPoints: { extension: 'src/extension.ts' }, outdir: OUT },
  // Reading and chunking run on their own threads during indexing (src/engine/index/chunkPool.ts).
  { ...node, entryPoints: { chunkWorker: 'src/engine/index/chunkWorker.ts' }, outdir: OUT },
  // Workspace SQL scans spread files over threads too (src/engine/sql/scanPool.ts).
  { ...node, entryPoints: { sqlScanWorker: 'src/engine/sql/scanWorker.ts' }, outdir: OUT },
  // The CLI and the engine worker are one bundle (src/keel.ts picks the role by thread).
  { ...node, entryPoints: { cli: 'src/keel.ts' }, outdir: OUT },
  {
    ...base,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    entryPoints: { chat: 'media/chat/main.ts', cost: 'media/cost/main.ts', plan: 'media/plan/main.ts' },
    outdir: `${OUT}/webview`,
  },
];

/** Files the bundles load at run time, copied beside them (see src/engine/assets.ts). */
function copyAssets() {
  const copyInto = (dir, from, files) => {
    mkdirSync(path.join(OUT, dir), { recursive: true });
    for (const f of files) copyFileSync(path.join(from, f), path.join(OUT, dir, f));
  };
  const grammars = 'node_modules/@vscode/tree-sitter-wasm/wasm';
  copyInto('wasm', grammars, readdirSync(grammars).filter((f) => f.endsWith('.wasm') && f !== 'tree-sitter.wasm'));
  copyInto('wasm', 'node_modules/web-tree-sitter', ['web-tree-sitter.wasm']);
  if (existsSync('models')) copyInto('models', 'models', readdirSync('models').filter((f) => !f.endsWith('.md')));
  // vectra's ProtobufCodec loads its schema from __dirname/schemas at run time.
  copyInto('schemas', 'node_modules/vectra/lib/codecs/schemas', ['index.proto']);
  // The embedded PostgreSQL of the query-plan rehearsal (src/engine/db/pglite.ts).
  copyInto('pglite', 'node_modules/@electric-sql/pglite/dist', ['index.cjs', 'pglite.wasm', 'pglite.data']);
  // usearch (the nearest-neighbour graph, src/engine/index/annGraph.ts) is a native addon with prebuilt
  // binaries: it cannot be bundled, so it ships as a package beside the bundles, with its loader deps.
  for (const [pkgDir, parts] of [
    ['usearch', ['package.json', 'javascript/dist/cjs', 'prebuilds', 'LICENSE']],
    ['node-gyp-build', ['.']],
    ['bindings', ['.']],
    ['file-uri-to-path', ['.']],
  ]) {
    for (const part of parts) cpSync(path.join('node_modules', pkgDir, part), path.join(OUT, 'node_modules', pkgDir, part), { recursive: true });
  }
  for (const view of ['chat', 'cost', 'plan']) copyInto('webview', `media/${view}`, readdirSync(`media/${view}`).filter((f) => f.endsWith('.css')));
  // Codicons: the icon font VS Code itself uses, served from the bundle folder (CSP font-src).
  copyInto('webview', 'node_modules/@vscode/codicons/dist', ['codicon.css', 'codicon.ttf']);
}

const started = Date.now();
if (!watch) rmSync(OUT, { recursive: true, force: true });
copyAssets();
if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
  console.log('esbuild: watching for changes…');
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
  chmodSync(path.join(OUT, 'cli.js'), 0o755);
  rmSync('dist', { recursive: true, force: true });
  renameSync(OUT, 'dist');
  console.log(`esbuild: built ${builds.length} bundles${production ? ' (production)' : ''} in ${Date.now() - started} ms`);
}
