/**
 * Keel's agent tools in VS Code's agent mode: each engine tool (src/engine/tools/) is declared under
 * `contributes.languageModelTools` — generated from the engine's zod schemas by
 * `npm run tools:manifest`, checked by a unit test — and registered here with `vscode.lm.registerTool`.
 * Invocations go to the engine worker as `tools/call`; the workspace must be trusted (Restricted Mode
 * reads nothing), and the engine's path policy applies as for every other surface.
 *
 * The VS Code API arrives as a parameter so the registration is unit-tested against a small fake in
 * plain Node; the extension passes the real `vscode` module.
 */
import type * as vscode from 'vscode';
import type { ToolCallResult, ToolDescriptor } from '../protocol';
import { toKeelError } from '../common/errors';
import type { KeelContext } from './context';

/** The slice of the `vscode` module this surface uses. */
export interface LmToolsApi {
  lm: { registerTool?: typeof vscode.lm.registerTool };
  workspace: { readonly isTrusted: boolean; readonly workspaceFolders: readonly { uri: { scheme: string; fsPath: string } }[] | undefined };
  LanguageModelTextPart: typeof vscode.LanguageModelTextPart;
  LanguageModelToolResult: typeof vscode.LanguageModelToolResult;
}

/** One `contributes.languageModelTools` entry, derived from an engine tool descriptor. */
export interface LmToolContribution {
  name: string;
  toolReferenceName: string;
  displayName: string;
  modelDescription: string;
  userDescription: string;
  canBeReferencedInPrompt: true;
  tags: string[];
  inputSchema: Record<string, unknown>;
}

const PREFIX = 'keel_';

export function lmToolContribution(tool: ToolDescriptor): LmToolContribution {
  return {
    name: `${PREFIX}${tool.name}`,
    toolReferenceName: `keel${tool.name.replace(/(^|_)([a-z])/g, (_m, _s, c: string) => c.toUpperCase())}`,
    displayName: `Keel: ${tool.title}`,
    modelDescription: tool.description,
    userDescription: tool.description.split('. ')[0].replace(/\.$/, '') + '.',
    canBeReferencedInPrompt: true,
    tags: ['keel', 'read-only'],
    inputSchema: tool.inputSchema,
  };
}

/** The engine tool behind a contributed tool name, or undefined for someone else's tool. */
export function engineToolName(lmName: string): string | undefined {
  return lmName.startsWith(PREFIX) ? lmName.slice(PREFIX.length) : undefined;
}

export function registerLmTools(ctx: KeelContext, api: LmToolsApi = require('vscode') as LmToolsApi): void {
  const register = api.lm.registerTool;
  if (typeof register !== 'function') {
    ctx.log.info('This VS Code has no language-model tool API (vscode.lm.registerTool); Keel’s agent tools are not registered.');
    return;
  }
  const declared = (ctx.extension.extension.packageJSON?.contributes?.languageModelTools ?? []) as LmToolContribution[];
  for (const contribution of declared) {
    const name = engineToolName(contribution.name);
    if (!name) continue;
    ctx.disposables.push(register(contribution.name, createTool(ctx, api, name)));
  }
}

function createTool(ctx: KeelContext, api: LmToolsApi, name: string): vscode.LanguageModelTool<Record<string, unknown>> {
  return {
    prepareInvocation: (options) => ({ invocationMessage: invocationMessage(name, options.input) }),
    invoke: async (options, token) => {
      // Checked per call: trust can be granted (or a folder opened) after activation.
      if (!api.workspace.isTrusted) throw new Error('This workspace is in Restricted Mode: Keel reads nothing from it until it is trusted.');
      const roots = (api.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
      if (!roots.length) throw new Error('No folder is open, so Keel has no code to look at.');
      let result: ToolCallResult;
      try {
        result = await ctx.engine.request('tools/call', { name, arguments: options.input ?? {}, roots }, { token });
      } catch (error) {
        // The message reaches the model, which can correct its arguments and call again.
        const keel = toKeelError(error);
        throw new Error(`${keel.code}: ${keel.message}`);
      }
      return new api.LanguageModelToolResult([new api.LanguageModelTextPart(result.text)]);
    },
  };
}

function invocationMessage(name: string, input: Record<string, unknown> | undefined): string {
  const i = input ?? {};
  switch (name) {
    case 'search_code': return `Keel: searching the code for “${String(i.query ?? '')}”`;
    case 'read_code': return `Keel: reading ${String(i.path ?? '')}${i.startLine ? `:${String(i.startLine)}` : ''}`;
    case 'find_symbol': return `Keel: looking up ${String(i.name ?? '')}`;
    case 'sql_findings': return 'Keel: checking SQL for injection and N+1 queries';
    case 'index_status': return 'Keel: reading the index status';
    case 'cost_summary': return 'Keel: reading the cost ledger';
    default: return `Keel: ${name}`;
  }
}
