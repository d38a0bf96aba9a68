/**
 * VS Code language-model tools: package.json's `contributes.languageModelTools` is exactly what the
 * engine's tool schemas generate, and the registration (src/vscode/lmTools.ts) against a minimal fake
 * of the vscode API routes invocations to a real engine — trust, folders and errors included.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { call, type Engine } from '../../../src/engine/engine';
import { createEngine } from '../../../src/engine/createEngine';
import { silentLogger } from '../../../src/engine/log';
import { describeTool, TOOLS } from '../../../src/engine/tools/registry';
import type { KeelContext } from '../../../src/vscode/context';
import { engineToolName, lmToolContribution, registerLmTools, type LmToolsApi } from '../../../src/vscode/lmTools';
import pkg from '../../../package.json';

const DEMO = path.resolve(__dirname, '../../fixtures/demo-backend');

class TextPart {
  constructor(readonly value: string) {}
}
class ToolResult {
  constructor(readonly content: TextPart[]) {}
}

interface RegisteredTool {
  prepareInvocation?(options: { input: Record<string, unknown> }, token: unknown): { invocationMessage: string } | undefined;
  invoke(options: { input: Record<string, unknown>; toolInvocationToken: undefined }, token: unknown): Promise<ToolResult>;
}

describe('VS Code language-model tools', function () {
  this.timeout(60_000);

  it('package.json declares every engine tool, with the inputSchema the zod schema generates (npm run tools:manifest)', () => {
    const declared = (pkg.contributes as { languageModelTools?: unknown[] }).languageModelTools;
    assert.deepEqual(declared, TOOLS.map((t) => lmToolContribution(describeTool(t))));
    for (const t of TOOLS) assert.equal(engineToolName(lmToolContribution(describeTool(t)).name), t.name);
    assert.equal(engineToolName('copilot_searchCodebase'), undefined);
    const names = (declared as Array<{ name: string; toolReferenceName: string }>).map((d) => d.name);
    for (const n of names) assert.match(n, /^[\w-]+$/, 'VS Code tool names are word characters');
  });

  describe('registration against a fake vscode API', () => {
    let tmp: string;
    let ws: string;
    let engine: Engine;
    let registered: Map<string, RegisteredTool>;
    let api: LmToolsApi & { workspace: { isTrusted: boolean; workspaceFolders: Array<{ uri: { scheme: string; fsPath: string } }> | undefined } };
    let ctx: KeelContext;
    const logs: string[] = [];

    before(() => {
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-lmtools-'));
      ws = path.join(tmp, 'ws');
      fs.cpSync(DEMO, ws, { recursive: true });
      fs.writeFileSync(path.join(ws, '.env'), 'SECRET=hunter2\n');
      engine = createEngine({ host: 'in-process', log: silentLogger, storageDir: path.join(tmp, 'state'), globalStorageDir: path.join(tmp, 'user') });
    });
    after(async () => {
      await engine.shutdown();
      fs.rmSync(tmp, { recursive: true, force: true });
    });
    beforeEach(() => {
      registered = new Map();
      api = {
        lm: {
          registerTool: ((name: string, tool: RegisteredTool) => {
            registered.set(name, tool);
            return { dispose: () => registered.delete(name) };
          }) as unknown as LmToolsApi['lm']['registerTool'],
        },
        workspace: { isTrusted: true, workspaceFolders: [{ uri: { scheme: 'file', fsPath: ws } }] },
        LanguageModelTextPart: TextPart as unknown as LmToolsApi['LanguageModelTextPart'],
        LanguageModelToolResult: ToolResult as unknown as LmToolsApi['LanguageModelToolResult'],
      };
      ctx = {
        extension: { extension: { packageJSON: pkg } },
        engine: { request: (method: 'tools/call', params: never) => call(engine, method, params) },
        log: { info: (m: string) => logs.push(m) },
        disposables: [],
      } as unknown as KeelContext;
    });
    const invoke = (name: string, input: Record<string, unknown>) => registered.get(name)!.invoke({ input, toolInvocationToken: undefined }, {});

    it('registers every declared tool and disposes them with the extension', () => {
      registerLmTools(ctx, api);
      assert.deepEqual([...registered.keys()], TOOLS.map((t) => `keel_${t.name}`));
      assert.equal(ctx.disposables.length, TOOLS.length);
      for (const d of ctx.disposables) d.dispose();
      assert.equal(registered.size, 0);
    });

    it('an invocation runs the engine tool and returns its text; prepareInvocation says what it does', async () => {
      registerLmTools(ctx, api);
      const prepared = registered.get('keel_search_code')!.prepareInvocation!({ input: { query: 'order items' } }, {});
      assert.match(prepared!.invocationMessage, /searching the code for “order items”/);
      const result = await invoke('keel_search_code', { query: 'load order items for each order', top: 8 });
      assert.ok(result instanceof ToolResult);
      assert.match(result.content[0].value, /src\/routes\/orders\.ts:\d+-\d+/);
      const read = await invoke('keel_read_code', { path: 'src/db.ts', startLine: 1, endLine: 3 });
      assert.match(read.content[0].value, /^src\/db\.ts:1-3/);
    });

    it('refuses in Restricted Mode and without a folder; engine errors reach the model as coded messages', async () => {
      registerLmTools(ctx, api);
      api.workspace.isTrusted = false;
      await assert.rejects(invoke('keel_search_code', { query: 'orders' }), /Restricted Mode/);
      api.workspace.isTrusted = true;
      api.workspace.workspaceFolders = undefined;
      await assert.rejects(invoke('keel_index_status', {}), /No folder is open/);
      api.workspace.workspaceFolders = [{ uri: { scheme: 'file', fsPath: ws } }];
      await assert.rejects(invoke('keel_read_code', { path: '.env' }), (e: Error) => /^ACCESS_DENIED: /.test(e.message) && !e.message.includes('hunter2'));
      await assert.rejects(invoke('keel_search_code', { top: 3 }), /^Error: INVALID_PARAMS: .*query/);
    });

    it('a VS Code without vscode.lm.registerTool gets no tools and a log line, not a crash', () => {
      registerLmTools(ctx, { ...api, lm: {} });
      assert.equal(registered.size, 0);
      assert.ok(logs.some((l) => /no language-model tool API/.test(l)));
    });
  });
});
