// `npm run package`: production build, then keel-<version>.vsix with @vscode/vsce (3.9.x runs offline on
// Node 20). Prints the size so growth is noticed.
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { version } = JSON.parse(readFileSync('package.json', 'utf8'));
const out = `keel-${version}.vsix`;
execFileSync(process.execPath, ['esbuild.mjs', '--production'], { stdio: 'inherit' });
const vsce = require.resolve('@vscode/vsce/vsce');
// Dependencies are bundled by esbuild, so vsce must not walk node_modules.
execFileSync(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--no-rewrite-relative-links', '-o', out], { stdio: 'inherit' });
const bytes = statSync(out).size;
console.log(`${out}: ${(bytes / 1024 / 1024).toFixed(2)} MB (${bytes} bytes)`);
