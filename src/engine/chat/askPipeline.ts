/**
 * One question, end to end: retrieve → (offline answer | budget → route → semantic cache → model →
 * ledger → cache). Every dependency comes in through `AskDeps`, so the pipeline is tested with real
 * providers against the local wire servers and with no engine around it.
 */
import type { ChatAskParams, ChatAskResult, ChatAttachment, ChatChunk, ContextPassage, ProviderId, Tier, Usage } from '../../protocol';
import { KeelError, throwIfCancelled } from '../../common/errors';
import type { Logger } from '../log';
import type { SemanticCache } from '../llm/cache';
import type { HashFiles } from '../llm/cache/types';
import { compressHistory, fastTierSummarizer } from '../llm/compress';
import { costUsd, type PriceTable } from '../llm/pricing';
import { enforceBudget, type CostLedger } from '../llm/ledger';
import { route, type TierModels } from '../llm/router';
import { countTokens } from '../llm/tokens';
import type { ChatMessage, LlmProvider } from '../llm/types';
import { extractCitations } from './citations';
import { offlineAnswer, type PassageFinding } from './offlineAnswer';
import { assembleContext, SYSTEM_PROMPT, SYSTEM_PROMPT_VERSION, type ContextPassageText } from './prompt';
import { AGENT_INSTRUCTIONS, runAgentLoop, type AgentLoopDeps, type AgentResult } from '../tools/agentLoop';

export interface Retrieved {
  passages: ContextPassageText[];
  ms: number;
  /** Degradations the user should see beside the answer (search fell back to keywords …). */
  warnings?: string[];
}

export interface AskDeps {
  retrieve(question: string, signal: AbortSignal): Promise<Retrieved>;
  /** Keel's SQL findings inside the passages, for the offline answer (optional). */
  findings?(passages: readonly ContextPassageText[]): Promise<PassageFinding[]>;
  /** The database schema, for a question about data (issue 16); sent after the user's attachments. */
  schemaContext?(question: string, passages: readonly ContextPassageText[], signal: AbortSignal): Promise<ChatAttachment | undefined>;
  /** The configured provider, or undefined for the offline retrieval answer. */
  provider: LlmProvider | undefined;
  providerId: ProviderId;
  tiers: TierModels;
  routingMode: 'auto' | 'fast' | 'reasoning';
  prices?: PriceTable;
  ledger?: CostLedger;
  cache?: SemanticCache;
  hashFiles: HashFiles;
  log: Logger;
  /** With a provider that has native tool calling: the agentic tool loop (issue 17). */
  agent?: Pick<AgentLoopDeps, 'tools' | 'runTool' | 'budget'>;
  /** Token budgets: retrieved context, and history before compression. */
  contextBudgetTokens?: number;
  historyBudgetTokens?: number;
  maxOutputTokens?: number;
}

const ZERO: Usage = { input: 0, cacheWrite: 0, cacheRead: 0, output: 0 };

export async function ask(params: ChatAskParams, deps: AskDeps, signal: AbortSignal, emit: (chunk: ChatChunk) => void): Promise<ChatAskResult> {
  const question = params.question?.trim();
  if (!question) throw new KeelError('INVALID_PARAMS', 'The question is empty.');
  const retrieved = await deps.retrieve(question, signal);
  const excluded = new Set(params.excludedPassages ?? []);
  const passages = retrieved.passages.filter((p) => !excluded.has(p.id));
  emit({ type: 'context', passages: passages.map(toWire), ms: Math.round(retrieved.ms), ...(retrieved.warnings?.length ? { warnings: retrieved.warnings } : {}) });
  throwIfCancelled(signal);

  if (!deps.provider) {
    const answer = offlineAnswer(question, passages, (await deps.findings?.(passages).catch(() => [])) ?? []);
    emit({ type: 'route', tier: 'none', model: 'none', reason: 'No model provider is configured: answering from retrieval only.' });
    return {
      answer,
      citations: passages.map((p) => ({ path: p.path, startLine: p.startLine, endLine: p.endLine })),
      provider: 'none',
      model: 'none',
      tier: 'none',
      reason: 'No model provider is configured: answering from retrieval only.',
      usage: { ...ZERO },
      costUsd: 0,
      cached: false,
      offline: true,
      passages: passages.map(toWire),
    };
  }

  const attached = params.attachments ?? [];
  const schema = await deps.schemaContext?.(question, passages, signal).catch(() => undefined);
  const attachments = schema ? [...attached, schema] : attached;
  const context = assembleContext(passages, attachments, deps.contextBudgetTokens ?? 6000);
  // Code the user attached weighs in routing; the schema Keel adds does not.
  const codeTokens = attached.reduce((n, a) => n + countTokens(a.text), 0);
  const override = params.tier === 'fast' || params.tier === 'reasoning' ? params.tier : undefined;
  const decision = route(
    { taskKind: 'chat', text: question, contextTokens: context.tokens, codeTokens, override, mode: deps.routingMode },
    deps.tiers,
  );
  let tier: Tier = decision.tier;
  let reason = decision.reason;
  if (deps.ledger) {
    const verdict = enforceBudget(deps.ledger.budgetState(), tier, decision.securitySensitive);
    if (verdict.notice) reason = `${reason} ${verdict.notice}`;
    tier = verdict.tier;
  }
  const model = params.model || deps.tiers[tier].model;
  emit({ type: 'route', tier, model, reason });

  const agentic = deps.agent !== undefined && deps.provider.nativeTools === true;
  // The semantic cache: same workspace, task, tier and prompt version, and unchanged cited files.
  const cacheRequest = {
    question,
    scope: { workspace: params.root, taskKind: 'chat' as const, tier, systemPromptVersion: agentic ? `${SYSTEM_PROMPT_VERSION}+tools-1` : SYSTEM_PROMPT_VERSION },
    // What the user attached decides; the schema Keel adds is covered by the cited-file hashes.
    hasSelection: attached.some((a) => a.kind === 'selection'),
    hasEditContext: attached.some((a) => a.kind !== 'selection'),
  };
  const useCache = deps.cache && !params.bypassCache && !(params.history?.length);
  if (useCache) {
    const outcome = await deps.cache!.lookup(cacheRequest, deps.hashFiles, signal);
    if (outcome.kind === 'hit') {
      const cached = outcome.entry.answer as ChatAskResult;
      deps.ledger?.record({
        feature: 'chat', taskKind: 'chat', provider: deps.providerId, model: outcome.entry.model, tier,
        usage: { ...ZERO }, latencyMs: 0, cacheHit: true, avoidedUsage: outcome.entry.usage, avoidedModel: outcome.entry.model, costUsd: 0,
      });
      emit({ type: 'delta', text: cached.answer });
      return { ...cached, cached: true, cachedQuestion: outcome.entry.question, usage: { ...ZERO }, costUsd: 0, reason: `${reason} Served from the semantic cache.` };
    }
  }

  const messages = await conversation(params, question, deps, tier, signal);
  const started = performance.now();
  let answer = '';
  let usage: Usage = { ...ZERO };
  let finalModel = model;
  let cost: number;
  // A routing saving only when the router itself chose fast (not a budget downgrade or a forced mode).
  const routedFrom = decision.decidedBy === 'router' && decision.tier === 'fast' && tier === 'fast' ? deps.tiers.reasoning.model : undefined;
  let agentResult: AgentResult | undefined;
  if (agentic) {
    agentResult = await runAgentLoop(
      { model, system: `${SYSTEM_PROMPT}\n${AGENT_INSTRUCTIONS}`, context: context.text, messages, maxTokens: deps.maxOutputTokens ?? 1500, purpose: 'chat', files: context.files },
      {
        ...deps.agent!,
        provider: deps.provider,
        costOf: (m, u) => costUsd(m, u, { overrides: deps.prices }),
        // Every model call of the loop is a ledger line of its own.
        record: (final, latencyMs, stepCost) =>
          deps.ledger?.record({ feature: 'chat', taskKind: 'chat', provider: deps.providerId, model: final.model || model, tier, usage: final.usage, latencyMs, routedFrom, costUsd: stepCost }),
        onText: (text) => emit({ type: 'delta', text }),
        onStep: (step) => emit({ type: 'step', ...step }),
      },
      signal,
    );
    answer = agentResult.answer;
    usage = agentResult.usage;
    finalModel = agentResult.model;
    cost = agentResult.costUsd;
  } else {
    for await (const delta of deps.provider.chat(
      { model, system: SYSTEM_PROMPT, context: context.text, messages, maxTokens: deps.maxOutputTokens ?? 1500, purpose: 'chat', files: context.files },
      signal,
    )) {
      if (delta.type === 'text') {
        answer += delta.text;
        emit({ type: 'delta', text: delta.text });
      } else {
        usage = delta.final.usage;
        finalModel = delta.final.model || model;
      }
    }
    const latencyMs = performance.now() - started;
    cost = costUsd(finalModel, usage, { overrides: deps.prices });
    deps.ledger?.record({ feature: 'chat', taskKind: 'chat', provider: deps.providerId, model: finalModel, tier, usage, latencyMs, routedFrom, costUsd: cost });
  }

  const wirePassages = passages.map(toWire);
  const result: ChatAskResult = {
    answer,
    citations: extractCitations(answer, [...context.included, ...(agentResult?.passages ?? [])]),
    provider: deps.providerId,
    model: finalModel,
    tier,
    reason,
    usage,
    costUsd: cost,
    cached: false,
    offline: false,
    passages: wirePassages,
    ...(agentResult?.steps.length ? { steps: agentResult.steps } : {}),
  };
  if (useCache && answer.trim()) {
    const files = await deps.hashFiles(context.files);
    const present = Object.fromEntries(Object.entries(files).filter((e): e is [string, string] => e[1] !== null));
    await deps.cache!.put(cacheRequest, { answer: result, model: finalModel, usage, costUsd: cost }, present, signal).catch((error: Error) =>
      deps.log.warn(`semantic cache: could not store the answer: ${error.message}`),
    );
  }
  return result;
}

/** History as messages, compressed on the fast tier when it outgrows its budget. */
async function conversation(params: ChatAskParams, question: string, deps: AskDeps, tier: Tier, signal: AbortSignal): Promise<ChatMessage[]> {
  const history: ChatMessage[] = (params.history ?? []).flatMap((t) => [
    { role: 'user' as const, content: t.question },
    { role: 'assistant' as const, content: t.answer },
  ]);
  const messages = [...history, { role: 'user' as const, content: question }];
  if (!history.length || !deps.provider) return messages;
  const compressed = await compressHistory(messages, {
    budgetTokens: deps.historyBudgetTokens ?? 4000,
    summarize: fastTierSummarizer(deps.provider, deps.tiers.fast.model),
    signal,
  });
  if (compressed.compressed) deps.log.info(`chat: compressed ${compressed.summarized} earlier messages (${compressed.tokensBefore} → ${compressed.tokensAfter} tokens) for a ${tier}-tier answer`);
  return compressed.messages;
}

function toWire(p: ContextPassageText): ContextPassage {
  return { id: p.id, path: p.path, startLine: p.startLine, endLine: p.endLine, symbol: p.symbol, score: p.score };
}
