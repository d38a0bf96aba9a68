/**
 * Writes `contributes.languageModelTools` in package.json from the engine's tool definitions (one
 * source for the schemas). `--check` only compares and fails when they differ (CI-friendly).
 *   npm run tools:manifest [-- --check]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeTool, TOOLS } from '../src/engine/tools/registry';
import { lmToolContribution } from '../src/vscode/lmTools';

const file = path.resolve(__dirname, '..', 'package.json');
const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
const wanted = TOOLS.map((t) => lmToolContribution(describeTool(t)));
const same = JSON.stringify(pkg.contributes.languageModelTools ?? null) === JSON.stringify(wanted);
if (process.argv.includes('--check')) {
  process.stdout.write(same ? 'languageModelTools match the engine tools\n' : 'languageModelTools differ from the engine tools: run npm run tools:manifest\n');
  process.exitCode = same ? 0 : 1;
} else if (!same) {
  pkg.contributes.languageModelTools = wanted;
  fs.writeFileSync(file, `${JSON.stringify(pkg, null, 2)}\n`);
  process.stdout.write(`wrote ${wanted.length} languageModelTools to package.json\n`);
}
