/**
 * Inline completions as one engine service: settings, the prefix cache, the context assembler over the
 * open workspace index, the model call (fast tier only) and the books — every model call in the cost
 * ledger, every shown and accepted item in completions.jsonl beside it, so acceptance rate is a fact
 * read from disk, not a counter that dies with the worker.
 */
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import type { CompletionAcceptedParams, CompletionInlineParams, CompletionInlineResult, CompletionStats, CompletionTemplate, ProviderId } from '../../protocol';
import { KeelError, toKeelError } from '../../common/errors';
import type { EngineConfig } from '../config';
import type { EgressGate } from '../egress/gate';
import type { WorkspaceIndex } from '../index/workspaceIndex';
import { JsonlLog } from '../llm/ledger/jsonlLog';
import { enforceBudget, type CostLedger } from '../llm/ledger';
import { providerSettings } from '../llm/services';
import { defaultTierModels } from '../llm/router/tierModels';
import type { LlmProvider } from '../llm/types';
import type { SourceChunk } from '../search/source';
import { CompletionCache } from './cache';
import { requestChat, requestFim, type ModelAnswer } from './client';
import { assembleContext, DEFAULT_BUDGET, SymbolTable, type CompletionIndex } from './context';
import { isJunk, postProcess, wantsMultiline, type Position } from './postprocess';
import { chatPrompt, commentedContext, templateFor, type TemplateId } from './templates';

export const COMPLETIONS_LOG = 'completions.jsonl';
export const FEATURE = 'completions';

export interface CompletionSettings {
  enabled: boolean;
  model: string;
  template: CompletionTemplate;
  maxTokens: number;
  contextTokens: number;
  timeoutMs: number;
  maxLines: number;
}

export function completionSettings(config: EngineConfig): CompletionSettings {
  const num = (key: string, fallback: number, min: number, max: number): number => {
    const v = Number(config.get<unknown>(key, fallback));
    return Number.isFinite(v) ? Math.min(max, Math.max(min, v)) : fallback;
  };
  return {
    enabled: config.get<unknown>('keel.completions.enabled', true) !== false,
    model: String(config.get('keel.completions.model', '') ?? ''),
    template: config.get<CompletionTemplate>('keel.completions.template', 'auto'),
    maxTokens: num('keel.completions.maxTokens', 128, 8, 1024),
    contextTokens: num('keel.completions.contextTokens', DEFAULT_BUDGET.total, 256, 16_000),
    timeoutMs: num('keel.completions.timeoutMs', 5000, 200, 120_000),
    maxLines: num('keel.completions.maxLines', 20, 1, 200),
  };
}

interface LogLine {
  v: 1;
  time: string;
  event: 'shown' | 'accepted';
  id: string;
  model: string;
  chars: number;
}

const isLogLine = (v: unknown): v is LogLine => {
  const o = v as Partial<LogLine> | null;
  return !!o && o.v === 1 && (o.event === 'shown' || o.event === 'accepted') && typeof o.id === 'string' && typeof o.time === 'string';
};

export interface CompletionDeps {
  config: EngineConfig;
  gate: EgressGate;
  ledger: CostLedger;
  /** The configured chat provider (chat-only models, vscode-lm); undefined when none. */
  provider: () => LlmProvider | undefined;
  /** The index covering a document, and the document's path as the index names it; undefined outside any index. */
  indexFor: (absPath: string) => { index: CompletionIndex; rel: string | undefined } | undefined;
  env?: NodeJS.ProcessEnv;
  /** Directory for completions.jsonl (the ledger's). */
  dir: string;
  debug?: (message: string) => void;
}

/** How long a symbol table is trusted before it is rebuilt in the background (files change under it). */
const SYMBOLS_TTL_MS = 20_000;

export class CompletionService {
  readonly cache = new CompletionCache();
  private readonly log: JsonlLog<LogLine>;
  private counts = { shown: 0, accepted: 0 };
  private readonly issued = new Map<string, { model: string; chars: number }>();

  constructor(private readonly deps: CompletionDeps) {
    this.log = new JsonlLog(path.join(deps.dir, COMPLETIONS_LOG), isLogLine);
  }

  async inline(params: CompletionInlineParams, signal: AbortSignal): Promise<CompletionInlineResult> {
    const started = performance.now();
    const settings = completionSettings(this.deps.config);
    const target = this.target(settings);
    const empty = (reason: string, template: TemplateId = target?.template ?? 'openai-suffix'): CompletionInlineResult => ({
      items: [],
      cached: false,
      model: target?.model ?? '',
      template,
      reason,
      timings: { assembleMs: 0, modelMs: 0, totalMs: performance.now() - started },
    });
    if (!settings.enabled) return empty('disabled');
    if (!target) return empty('no-provider');
    const offset = Math.max(0, Math.min(params.offset, params.text.length));
    const text = params.text;
    const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
    const lineEndAt = text.indexOf('\n', offset);
    const lineEnd = lineEndAt < 0 ? text.length : lineEndAt;
    const pos: Position = {
      head: text.slice(lineStart, offset),
      tail: text.slice(offset, lineEnd),
      nextLines: text.slice(lineEnd + 1, lineEnd + 1 + 2000).split('\n').slice(0, 8),
      prefix: text.slice(Math.max(0, offset - 4000), offset),
    };
    // In the middle of a word the user is typing a name the model can only guess.
    if (!params.explicit && /^[\w$]/.test(pos.tail)) return empty('position');

    const prefixAll = text.slice(0, offset);
    const suffixAll = text.slice(offset);
    const hit = this.cache.get(params.path, prefixAll, suffixAll);
    if (hit) {
      const item = this.issue(hit.text, target.model);
      return { items: [item], cached: true, model: target.model, template: target.template, timings: { assembleMs: 0, modelMs: 0, totalMs: performance.now() - started } };
    }

    const a0 = performance.now();
    const found = this.deps.indexFor(params.path);
    const rel = found?.rel;
    const context = await assembleContext(found?.index, {
      path: rel,
      displayPath: rel ?? path.basename(params.path),
      languageId: params.languageId,
      text,
      offset,
      recentEdits: params.recentEdits,
    }, { ...DEFAULT_BUDGET, total: settings.contextTokens });
    const assembleMs = performance.now() - a0;
    if (signal.aborted) throw new KeelError('CANCELLED', 'The completion was cancelled.');

    try {
      enforceBudget(this.deps.ledger.budgetState(), 'fast');
    } catch (error) {
      if (error instanceof KeelError && error.code === 'BUDGET_EXCEEDED') return { ...empty('budget'), timings: { assembleMs, modelMs: 0, totalMs: performance.now() - started } };
      throw error;
    }

    const multiline = wantsMultiline(pos);
    const stopWhen = (t: string): boolean => {
      if (!multiline) return /\S[^\n]*\n/.test(t) || /^\s*\n\s*\S/.test(t);
      return t.split('\n').length > settings.maxLines + 1;
    };
    const files = [rel ?? params.path, ...new Set(context.sections.flatMap((s) => (s.path ? [s.path] : [])))];
    const m0 = performance.now();
    let answer: ModelAnswer;
    const timeoutMs = settings.timeoutMs;
    if (target.template === 'chat') {
      const provider = this.deps.provider();
      if (!provider) return empty('no-provider', 'chat');
      const prompt = chatPrompt({ context: context.sections.map((s) => `// ${s.path ?? ''}\n${s.text}`).join('\n\n'), prefix: context.prefix, suffix: context.suffix, language: params.languageId, path: rel ?? path.basename(params.path) });
      answer = await requestChat({ provider, model: target.model, system: prompt.system, user: prompt.user, maxTokens: settings.maxTokens, files, timeoutMs, stopWhen }, signal);
    } else {
      const header = commentedContext(context.sections, params.languageId) + commentedContext([{ text: `Path: ${rel ?? path.basename(params.path)}` }], params.languageId);
      answer = await requestFim({
        gate: this.deps.gate,
        provider: target.provider,
        baseURL: target.baseURL,
        apiKey: target.apiKey,
        model: target.model,
        template: target.template,
        prefix: header + context.prefix,
        suffix: context.suffix,
        maxTokens: settings.maxTokens,
        stop: multiline ? ['\n\n\n'] : ['\n'],
        files,
        timeoutMs,
        stopWhen,
      }, signal);
    }
    const modelMs = performance.now() - m0;
    this.deps.ledger.record({ feature: FEATURE, taskKind: 'completion', provider: target.provider, model: target.model, tier: 'fast', usage: answer.usage, latencyMs: modelMs });

    const completion = postProcess(answer.text, pos, { multiline, fromChat: target.template === 'chat', maxLines: settings.maxLines });
    const timings = { assembleMs, modelMs, totalMs: performance.now() - started };
    const contextInfo = { tokens: context.tokens, sections: context.sections.map((s) => ({ kind: s.kind, tokens: s.tokens, path: s.path })) };
    if (!completion || isJunk(completion, pos)) return { items: [], cached: false, model: target.model, template: target.template, reason: 'junk', timings, context: contextInfo };
    this.cache.set(params.path, prefixAll, suffixAll, completion);
    const item = this.issue(completion, target.model);
    return { items: [item], cached: false, model: target.model, template: target.template, timings, context: contextInfo };
  }

  accepted(params: CompletionAcceptedParams): CompletionStats {
    const issued = this.issued.get(params.id);
    if (!issued) throw new KeelError('INVALID_PARAMS', `Unknown completion id ${params.id}.`);
    this.issued.delete(params.id);
    this.append({ event: 'accepted', id: params.id, model: issued.model, chars: params.acceptedChars ?? issued.chars });
    return this.stats();
  }

  stats(): CompletionStats {
    this.refresh();
    const bucket = this.deps.ledger.summary().perFeature.find((b) => b.key === FEATURE);
    const { shown, accepted } = this.counts;
    return {
      shown,
      accepted,
      acceptanceRate: shown > 0 ? Math.round((accepted / shown) * 1e4) / 1e4 : null,
      calls: bucket?.calls ?? 0,
      tokens: { input: (bucket?.usage.input ?? 0) + (bucket?.usage.cacheRead ?? 0) + (bucket?.usage.cacheWrite ?? 0), output: bucket?.usage.output ?? 0 },
      costUsd: bucket?.costUsd ?? 0,
      cacheHits: this.cache.hits,
    };
  }

  /** The fast-tier model and how to reach it; undefined when no provider is configured. */
  target(settings: CompletionSettings): { provider: ProviderId; model: string; template: TemplateId; baseURL: string; apiKey?: string } | undefined {
    const { config } = this.deps;
    const env = this.deps.env ?? process.env;
    const chosen = config.get<string>('keel.provider', '');
    if (chosen === 'vscode-lm') {
      // VS Code's models are remote: local-only mode allows a loopback model only.
      if (this.deps.gate.localOnly) return undefined;
      const model = settings.model || config.get('keel.models.fast', '') || '';
      return { provider: 'vscode-lm', model, template: 'chat', baseURL: '' };
    }
    const ps = providerSettings(config, env);
    if (!ps) return undefined;
    const model = settings.model || defaultTierModels(ps.provider, { fast: config.get('keel.models.fast', '') }).fast.model;
    if (!model) return undefined;
    let template = templateFor(model, ps.provider, settings.template);
    // Anthropic has no completions endpoint: its models are always prompted as chat.
    if (ps.provider === 'anthropic') template = 'chat';
    const baseURL = ps.baseURL || (ps.provider === 'openai' ? 'https://api.openai.com/v1' : '');
    if (template !== 'chat' && !baseURL) return undefined;
    return { provider: ps.provider, model, template, baseURL, apiKey: ps.apiKey };
  }

  private issue(text: string, model: string): { id: string; text: string } {
    const id = randomUUID();
    this.issued.set(id, { model, chars: text.length });
    while (this.issued.size > 500) this.issued.delete(this.issued.keys().next().value!);
    this.append({ event: 'shown', id, model, chars: text.length });
    return { id, text };
  }

  private append(line: Omit<LogLine, 'v' | 'time'>): void {
    try {
      this.log.append({ v: 1, time: new Date().toISOString(), ...line });
    } catch (error) {
      this.deps.debug?.(`completions log: ${toKeelError(error).message}`);
    }
  }

  private refresh(): void {
    const read = this.log.readNew();
    if (read.reset) this.counts = { shown: 0, accepted: 0 };
    for (const r of read.records) this.counts[r.event]++;
  }
}

const adapters = new WeakMap<WorkspaceIndex, IndexAdapter>();

/** The workspace index as the service wants it (one adapter, so one symbol table, per open index). */
export function completionIndexOf(index: WorkspaceIndex | undefined, absPath: string): { index: CompletionIndex; rel: string | undefined } | undefined {
  if (!index) return undefined;
  let adapter = adapters.get(index);
  if (!adapter) adapters.set(index, (adapter = new IndexAdapter(index)));
  return { index: adapter, rel: relativeTo(index, absPath) };
}

function relativeTo(index: WorkspaceIndex, abs: string): string | undefined {
  for (const root of index.roots) {
    const rel = path.relative(root, abs);
    if (rel && !rel.startsWith('..') && !path.isAbsolute(rel)) return rel.split(path.sep).join('/');
  }
  return undefined;
}

/** The workspace index as a CompletionIndex: a symbol table rebuilt when the catalog changes, chunk texts cached. */
export class IndexAdapter implements CompletionIndex {
  private table: SymbolTable | undefined;
  private signature = '';
  private builtAt = 0;
  private rebuilding = false;
  private readonly texts = new Map<string, string | undefined>();

  constructor(private readonly index: WorkspaceIndex) {}

  definitions(name: string): readonly SourceChunk[] {
    return this.symbols().lookup(name);
  }

  keywordSearch(query: string | ReadonlyMap<string, number>, k: number, filter?: (chunk: SourceChunk) => boolean) {
    return this.index.keywordSearch(query, k, filter);
  }

  termShare(term: string): number {
    return this.index.keywords.documentShare(term);
  }

  async readChunkText(chunk: SourceChunk): Promise<string | undefined> {
    const key = `${chunk.root ?? 0}:${chunk.path}:${chunk.startLine}:${chunk.endLine}:${(chunk as { hash?: string }).hash ?? ''}`;
    if (this.texts.has(key)) return this.texts.get(key);
    const text = await this.index.readChunkText({ hash: '', ...chunk, root: chunk.root ?? 0 });
    this.texts.set(key, text);
    while (this.texts.size > 2000) this.texts.delete(this.texts.keys().next().value!);
    return text;
  }

  private symbols(): SymbolTable {
    const catalog = this.index.catalog;
    const signature = `${catalog.fileCount}:${catalog.chunkCount}`;
    if (!this.table || signature !== this.signature) return this.build(signature);
    if (Date.now() - this.builtAt > SYMBOLS_TTL_MS && !this.rebuilding) {
      // Same counts, maybe edited files: refresh off the keystroke path.
      this.rebuilding = true;
      setImmediate(() => {
        this.rebuilding = false;
        this.build(signature);
      });
    }
    return this.table;
  }

  private build(signature: string): SymbolTable {
    const chunks: SourceChunk[] = [];
    for (const { root, path: rel, record } of this.index.catalog.entries()) {
      for (const c of record.chunks) chunks.push({ ...c, root, path: rel });
    }
    this.table = new SymbolTable(chunks);
    this.signature = signature;
    this.builtAt = Date.now();
    this.texts.clear();
    return this.table;
  }
}
