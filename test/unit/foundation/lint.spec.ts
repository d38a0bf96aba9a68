/**
 * The layering is enforced by ESLint (eslint.config.mjs), and `npm test` runs `npm run lint`. These
 * tests prove the rules fire: each lints a deliberate violation at a path inside the layer it breaks
 * (the config is chosen by path, so the file need not exist on disk) and expects the zone's error.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { ESLint } from 'eslint';

const root = path.resolve(__dirname, '../../..');

async function problems(relativePath: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: root });
  const [result] = await eslint.lintText(code, { filePath: path.join(root, relativePath) });
  assert.ok(result, `ESLint linted ${relativePath}`);
  return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('lint: layering rules fire', function () {
  this.timeout(60_000);

  it('engine → vscode (the rule that matters most)', async () => {
    const found = await problems('src/engine/search/__lintProbe.ts', "import * as vscode from 'vscode';\nexport const x = vscode;\n");
    assert.ok(found.some((p) => p.startsWith('no-restricted-imports') && /vscode/.test(p)), found.join('\n'));
    const typeOnly = await problems('src/engine/__lintProbe.ts', "import type { Uri } from 'vscode';\nexport type X = Uri;\n");
    assert.ok(typeOnly.some((p) => p.startsWith('no-restricted-imports')), `a type-only import is still an import: ${typeOnly.join('\n')}`);
  });

  it('engine → src/vscode and src/cli; common → engine', async () => {
    assert.ok((await problems('src/engine/chat/__lintProbe.ts', "import { x } from '../../vscode/chatView';\nexport { x };\n")).length > 0);
    assert.ok((await problems('src/engine/__lintProbe.ts', "import { x } from '../cli/runner';\nexport { x };\n")).length > 0);
    assert.ok((await problems('src/common/rpc/__lintProbe.ts', "import { Engine } from '../../engine/engine';\nexport { Engine };\n")).length > 0);
  });

  it('protocol = types only', async () => {
    assert.ok((await problems('src/protocol/__lintProbe.ts', "import { KeelError } from '../common/errors';\nexport type X = KeelError;\n")).length > 0);
    assert.ok((await problems('src/protocol/__lintProbe.ts', 'export const LIMIT = 3;\n')).length > 0);
  });

  it('webview → engine runtime (types are fine)', async () => {
    assert.ok((await problems('media/chat/__lintProbe.ts', "import { KeelError } from '../../src/common/errors';\nexport const e = KeelError;\n")).length > 0);
    assert.deepEqual(await problems('media/chat/__lintProbe.ts', "import type { ChatTurn } from '../../src/protocol/webview';\nexport type T = ChatTurn;\n"), []);
  });

  it('fetch and SDK clients only behind the egress door', async () => {
    const outside = await problems('src/engine/search/__lintProbe.ts', "import OpenAI from 'openai';\nexport const c = new OpenAI({});\nexport const r = fetch('http://x');\n");
    assert.equal(outside.filter((p) => /egress door/.test(p)).length, 2, outside.join('\n'));
    assert.deepEqual(await problems('src/engine/egress/__lintProbe.ts', "import OpenAI from 'openai';\nexport const c = new OpenAI({});\nexport const r = fetch('http://x');\n"), []);
  });

  it('allowed imports pass: engine → common and protocol, vscode surface → vscode', async () => {
    assert.deepEqual(await problems('src/engine/__lintProbe.ts', "import { KeelError } from '../common/errors';\nimport type { SearchHit } from '../protocol';\nimport { createMessageConnection } from 'vscode-jsonrpc/node';\nexport { KeelError, createMessageConnection };\nexport type H = SearchHit;\n"), []);
    assert.deepEqual(await problems('src/vscode/__lintProbe.ts', "import * as vscode from 'vscode';\nexport const v = vscode;\n"), []);
  });
});
