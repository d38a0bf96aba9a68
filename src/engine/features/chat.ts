/** `chat/ask`: grounded answers for the chat panel, the @keel participant and `keel ask`. */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { ask } from '../chat/askPipeline';
import { retrieveForChat, sqlFindingsIn } from '../chat/retrieve';
import { IndexServiceKey } from '../index/indexService';
import { ConfigKey } from '../config';
import type { Engine } from '../engine';
import { KeelError } from '../../common/errors';
import { contentHash } from '../llm/cache';
import { defaultTierModels } from '../llm/router';
import { CostLedgerKey, priceOverrides, SemanticCacheKey } from '../llm/runtime';
import { createVscodeLmProvider } from '../llm/providers/vscodeLm';
import { EgressGateKey, LlmProviderKey } from '../llm/services';
import { hostBridgeOf } from '../rpc/hostBridge';
import { citablePassages, DEFAULT_AGENT_BUDGET, type AgentLoopDeps } from '../tools/agentLoop';
import { availableTools, describeTool, runTool } from '../tools/registry';
import { ChatSchemaCache } from '../db/chatSchema';
import type { EngineConfig } from '../config';

export function registerChatFeature(engine: Engine): void {
  const chatSchemas = new ChatSchemaCache();
  engine.handle('chat/ask', async (params, ctx) => {
    if (!params || typeof params.question !== 'string') throw new KeelError('INVALID_PARAMS', '`question` must be a string.');
    if (typeof params.root !== 'string' || !path.isAbsolute(params.root)) throw new KeelError('INVALID_PARAMS', '`root` must be an absolute folder path.');
    const config = engine.services.get(ConfigKey);
    // `keel ask --local-only` arrives per request; it tightens the shared gate, never loosens it.
    if (params.localOnly && !config.get('keel.localOnly', false)) config.update({ 'keel.localOnly': true }, undefined);
    // The host chose the provider through settings/secrets (CLI: flags + environment, see `keel ask`),
    // or, for `@keel` in VS Code's Chat view, the VS Code model the user picked there (`provider:
    // 'vscode-lm'` + `model`). Those models are remote: local-only mode keeps the configured provider.
    const gate = engine.services.get(EgressGateKey);
    const picked = params.provider === 'vscode-lm' && !!params.model && !gate.localOnly;
    const configured = picked ? undefined : engine.services.get(LlmProviderKey);
    const provider = picked ? createVscodeLmProvider(hostBridgeOf(engine.services), { gate }) : configured;
    const id = provider?.id ?? 'none';
    const root = params.root;
    return ask(
      // A picked VS Code model means nothing to the configured provider.
      params.provider === 'vscode-lm' && !picked ? { ...params, model: undefined } : params,
      {
        findings: (passages) => sqlFindingsIn(root, passages, engine.services.get(IndexServiceKey).buffers),
        schemaContext: config.get('keel.chat.schemaContext', true)
          ? (question, passages, signal) => chatSchemas.attachmentFor(root, question, passages.map((p) => p.text), signal)
          : undefined,
        retrieve: (question) => retrieveForChat(engine, root, params.store, question, ctx, config.get('keel.search.rerank', 'local')),
        provider,
        providerId: id,
        tiers: defaultTierModels(id, { fast: config.get('keel.models.fast', ''), reasoning: config.get('keel.models.reasoning', '') }),
        routingMode: config.get('keel.routing.mode', 'auto'),
        prices: priceOverrides(config),
        ledger: provider ? engine.services.get(CostLedgerKey) : undefined,
        cache: provider && config.get('keel.cache.enabled', true) ? engine.services.get(SemanticCacheKey) : undefined,
        hashFiles: async (paths) =>
          Object.fromEntries(
            await Promise.all(
              paths.map(async (p) => [p, await fs.readFile(path.resolve(root, p)).then(contentHash, () => null)] as const),
            ),
          ),
        // Self-hosted OpenAI-compatible servers often reject `tools` (vLLM without auto tool choice,
        // models without a tool template): there the chat stays one retrieval shot.
        agent: config.get('keel.chat.tools', true) && (id === 'openai' || id === 'anthropic') ? chatAgent(engine, root, params.store, config) : undefined,
        log: ctx.log,
      },
      ctx.signal,
      (chunk) => ctx.stream(chunk),
    );
  });
}

/** The chat's tools: every available engine tool (all read-only), scoped to the question's workspace. */
function chatAgent(engine: Engine, root: string, store: string | undefined, config: EngineConfig): Pick<AgentLoopDeps, 'tools' | 'runTool' | 'budget'> {
  return {
    tools: availableTools(engine).map((t) => {
      const d = describeTool(t);
      return { name: d.name, description: d.description, inputSchema: d.inputSchema };
    }),
    runTool: async (name, args, signal) => {
      const result = await runTool(engine, { name, arguments: args, roots: [root], store }, signal);
      return { text: result.text, passages: citablePassages(name, result.structured) };
    },
    budget: {
      maxToolCalls: config.get('keel.chat.maxLookups', DEFAULT_AGENT_BUDGET.maxToolCalls),
      maxTokens: config.get('keel.chat.lookupTokenBudget', DEFAULT_AGENT_BUDGET.maxTokens),
    },
  };
}
