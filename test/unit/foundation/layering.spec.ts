import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../../..');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.(ts|js|mjs|cjs)$/.test(entry.name) ? [full] : [];
  });
}

/** Any import/require/dynamic import of 'vscode' (type-only included: the layer must not know it). */
const VSCODE_IMPORT = /(?:\bfrom\s*['"]vscode['"]|\brequire\s*\(\s*['"]vscode['"]\s*\)|\bimport\s*\(\s*['"]vscode['"]\s*\)|^\s*import\s+['"]vscode['"])/m;

describe('layering: the engine and the protocol never import vscode', () => {
  it('the detector catches every import form (so the check below can fail)', () => {
    for (const sample of [
      "import * as vscode from 'vscode';",
      'import type { Uri } from "vscode";',
      "const v = require('vscode');",
      "const v = await import('vscode');",
      "import 'vscode';",
    ]) {
      assert.match(sample, VSCODE_IMPORT, sample);
    }
    assert.doesNotMatch("import { x } from './vscode-like';", VSCODE_IMPORT);
  });

  it('no file under src/engine/, src/common/ or src/protocol/ imports vscode', () => {
    const files = ['engine', 'common', 'protocol'].flatMap((dir) => sourceFiles(path.join(root, 'src', dir)));
    assert.ok(files.length > 10, 'expected engine sources to scan');
    const offenders = files.filter((file) => VSCODE_IMPORT.test(fs.readFileSync(file, 'utf8')));
    assert.deepEqual(offenders.map((f) => path.relative(root, f)), []);
  });

  it('the built engine bundle (CLI and worker in one) and the chunk and SQL scan workers do not require vscode', () => {
    // `npm run test:unit` builds first, so the bundles are always there.
    assert.equal(fs.existsSync(path.join(root, 'dist', 'engineWorker.js')), false, 'the engine is bundled once, into cli.js');
    for (const bundle of ['cli.js', 'chunkWorker.js', 'sqlScanWorker.js'].map((f) => path.join(root, 'dist', f))) {
      assert.ok(fs.existsSync(bundle), `${bundle} missing: run npm run build`);
      assert.doesNotMatch(fs.readFileSync(bundle, 'utf8'), /require\(["']vscode["']\)/, bundle);
    }
  });
});
