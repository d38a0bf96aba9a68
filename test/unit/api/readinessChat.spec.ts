/** "Is this API agent-ready?" in the chat: the readiness summary of the demo backend, as the chat shows it. */
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { scanApi } from '../../../src/engine/api/scan';
import { apiReadinessMarkdown, chatCommandOf } from '../../../src/vscode/chatCommands';

const DEMO = path.resolve(__dirname, '../../fixtures/demo-backend');

describe('api: the readiness summary in the chat', () => {
  it('answers "is this API agent-ready?" with the score, the counts per rule and the worst endpoints', async () => {
    assert.deepEqual(chatCommandOf('Is this API agent-ready?'), { kind: 'api' });
    assert.deepEqual(chatCommandOf('x', 'api'), { kind: 'api' });
    const result = await scanApi({ paths: ['.'], cwd: DEMO });
    const md = apiReadinessMarkdown(result);
    assert.match(md, new RegExp(`^\\*\\*Agent readiness: ${result.readiness.score}/100\\*\\* — ${result.readiness.routes} routes`));
    for (const code of Object.keys(result.readiness.byRule)) assert.match(md, new RegExp(`\\| \`${code}\` \\| ${result.readiness.byRule[code]} \\|`));
    const worst = result.readiness.worst[0];
    assert.ok(worst, 'the demo has agent-readiness mistakes');
    assert.ok(md.includes(`\`${worst.method} ${worst.path}\` — ${worst.file}:${worst.line}`), md);
  });

  it('says so when there are no routes', () => {
    const md = apiReadinessMarkdown({ routes: [], findings: [], readiness: { routes: 0, byRule: {}, worst: [], score: 100 }, files: 0, ms: 0, skipped: [] });
    assert.match(md, /found no HTTP routes/);
  });
});
