/**
 * `@keel` answers with the model picked in VS Code's Chat view: `chat/ask` with `provider: 'vscode-lm'`
 * and that model's id goes to the host's vscode.lm even when keel.provider says otherwise — except in
 * local-only mode, where the remote model is not used and the configured (offline) answer stands.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pickedModel } from '../../../src/vscode/chatTarget';
import { serveWithHost, streams, type Served } from './helpers';

describe('@keel: the model picked in the Chat view answers', function () {
  this.timeout(120_000);
  let served: Served | undefined;
  let ws: string;

  beforeEach(() => {
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-picked-'));
    fs.writeFileSync(path.join(ws, 'orders.ts'), 'export async function loadOrders(db: Db, customerId: string) {\n  return db.query("select * from orders where customer_id = $1", [customerId]);\n}\n');
  });
  afterEach(async () => {
    await served?.close();
    fs.rmSync(ws, { recursive: true, force: true });
  });

  it('the participant sends the picked model (request.model) and vscode-lm; nothing when the host has no picker', () => {
    assert.deepEqual(pickedModel({ model: { id: 'claude-sonnet-4' } }), { provider: 'vscode-lm', model: 'claude-sonnet-4' });
    assert.deepEqual(pickedModel({}), {});
  });

  it('routes chat/ask to that VS Code model although keel.provider is none', async () => {
    served = await serveWithHost(streams(['Orders load in ', '`loadOrders`.'], 'copilot/claude-sonnet-4'), { 'keel.provider': 'none' });
    const answer = await served.client.request('chat/ask', { question: 'where are orders loaded?', root: ws, store: path.join(ws, '.idx'), ...pickedModel({ model: { id: 'claude-sonnet-4' } }) });
    assert.equal(answer.offline, false);
    assert.equal(answer.provider, 'vscode-lm');
    assert.equal(answer.answer, 'Orders load in `loadOrders`.');
    assert.deepEqual(served.received.map((r) => r.model), ['claude-sonnet-4']);
  });

  it('in local-only mode the picked (remote) model is not called: the configured offline answer stands', async () => {
    served = await serveWithHost(streams(['never']), { 'keel.provider': 'none', 'keel.localOnly': true });
    const answer = await served.client.request('chat/ask', { question: 'where are orders loaded?', root: ws, store: path.join(ws, '.idx'), provider: 'vscode-lm', model: 'claude-sonnet-4' });
    assert.equal(answer.offline, true);
    assert.equal(answer.model, 'none');
    assert.deepEqual(served.received, []);
  });
});
