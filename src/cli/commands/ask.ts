/**
 * `keel ask "<question>" [--dir DIR] [--store DIR] [--provider openai|anthropic|openai-compatible|none]
 *   [--model M] [--tier fast|reasoning|auto] [--local-only] [--json]`
 * Retrieves context from DIR's index (indexing first if needed), routes, calls the provider and streams
 * the answer to stdout. Keys and endpoints come from the SDKs' standard environment variables
 * (OPENAI_API_KEY, OPENAI_BASE_URL, ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL) and KEEL_LOCAL_ONLY=1.
 * With no provider it prints the offline retrieval answer. --json prints exactly one AskResult object.
 */
import * as path from 'node:path';
import type { AskResult, ChatToolStep, ProviderId, Tier } from '../../protocol';
import { KeelError } from '../../common/errors';
import type { CliCommand, CliIO } from '../command';
import { localOnlyArg, stringArg } from '../args';
import { dirOption, STORE_OPTION, storeArg } from '../dirArg';

export const PROVIDERS = ['openai', 'anthropic', 'openai-compatible', 'none'] as const;
export const PROVIDER_OPTION = { type: 'string', description: 'openai, anthropic, openai-compatible or none (default: the first with a key in the environment, else none).' } as const;
const TIERS = ['fast', 'reasoning', 'auto'] as const;

export const askCommand: CliCommand = {
  name: 'ask',
  network: true,
  summary: 'Ask a question about a directory’s code (offline retrieval answer without a provider)',
  usage: 'keel ask "<question>" [--dir DIR] [--store DIR] [--provider openai|anthropic|openai-compatible|none] [--model M] [--tier fast|reasoning|auto] [--local-only] [--timeout S] [--json]',
  options: {
    dir: dirOption('answer from', false),
    store: STORE_OPTION,
    provider: PROVIDER_OPTION,
    model: { type: 'string', description: 'Model id; overrides the routed tier’s model.' },
    tier: { type: 'string', description: 'fast, reasoning or auto (default: auto routing).' },
    'local-only': { type: 'boolean', description: 'Refuse any non-loopback connection (also KEEL_LOCAL_ONLY=1).' },
  },
  async run(args, io) {
    const question = args.positionals.join(' ').trim();
    if (!question) throw new KeelError('INVALID_PARAMS', `A question is required.\nusage: ${askCommand.usage}`);
    const json = args.values.json === true;
    const provider = oneOf(args.values.provider, PROVIDERS, '--provider') ?? providerFromEnv(io.env);
    const tier = oneOf(args.values.tier, TIERS, '--tier') ?? 'auto';
    const localOnly = localOnlyArg(args, io.env);
    const dir = path.resolve(io.cwd, stringArg(args, 'dir') ?? '.');
    const store = storeArg(args, io.cwd);

    await configureFromEnv(io, provider, localOnly);
    let streamed = false;
    const result = await io.call(
      'chat/ask',
      { question, root: dir, store, provider, model: stringArg(args, 'model'), tier: tier as Tier | 'auto', localOnly },
      {
        onChunk: (chunk) => {
          if (json) return;
          if (chunk.type === 'delta') {
            streamed = true;
            io.out(chunk.text);
          } else if (chunk.type === 'route' && chunk.tier !== 'none') io.err(`→ ${chunk.tier} tier (${chunk.model}): ${chunk.reason}\n`);
          else if (chunk.type === 'step') io.err(`${stepLine(chunk)}\n`);
        },
        onNotify: (method, params) => {
          if (method === 'index/progress' && (params as { phase: string }).phase === 'done') io.err(`indexed ${dir}\n`);
        },
      },
    );
    if (json) {
      const out: AskResult = {
        answer: result.answer,
        citations: result.citations,
        provider: result.provider,
        model: result.model,
        tier: result.tier,
        reason: result.reason,
        usage: result.usage,
        costUsd: result.costUsd,
        cached: result.cached,
      };
      io.out(`${JSON.stringify(out)}\n`);
      return 0;
    }
    if (!streamed) io.out(result.answer);
    io.out('\n');
    if (result.citations.length) {
      io.out('\nSources:\n');
      for (const c of result.citations) io.out(`  ${c.path}:${c.startLine}${c.endLine > c.startLine ? `-${c.endLine}` : ''}\n`);
    }
    if (!result.offline) {
      const u = result.usage;
      io.err(`${result.model} · ${result.tier}${result.cached ? ' · cached' : ''} · ${u.input + u.cacheRead + u.cacheWrite} in / ${u.output} out · $${result.costUsd.toFixed(4)}\n`);
    }
    return 0;
  },
};

export function oneOf<T extends string>(value: unknown, allowed: readonly T[], flag: string): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new KeelError('INVALID_PARAMS', `${flag} must be one of ${allowed.join(', ')}.`);
}

/** Without --provider: the first provider whose key is in the environment, else none (offline). */
export function providerFromEnv(env: NodeJS.ProcessEnv): ProviderId {
  if (env.ANTHROPIC_API_KEY) return 'anthropic';
  if (env.OPENAI_API_KEY) return 'openai';
  return 'none';
}

/** The CLI's equivalent of VS Code settings + SecretStorage: flags and the SDKs' standard variables. */
export async function configureFromEnv(io: CliIO, provider: ProviderId, localOnly: boolean): Promise<void> {
  const settings: Record<string, unknown> = { 'keel.provider': provider, 'keel.localOnly': localOnly };
  if (io.env.OPENAI_BASE_URL) {
    settings['keel.openai.baseUrl'] = io.env.OPENAI_BASE_URL;
    settings['keel.openaiCompatible.baseUrl'] = io.env.OPENAI_BASE_URL;
  }
  if (io.env.ANTHROPIC_BASE_URL) settings['keel.anthropic.baseUrl'] = io.env.ANTHROPIC_BASE_URL;
  const secrets: Record<string, string | null> = {
    openai: io.env.OPENAI_API_KEY ?? null,
    anthropic: io.env.ANTHROPIC_API_KEY ?? null,
    'openai-compatible': io.env.OPENAI_API_KEY ?? null,
  };
  await io.call('engine/configure', { settings, secrets });
}

/** `looked up search_code "invoice query", find_symbol "buildInvoiceQuery" — $0.0012, 340 ms` */
export function stepLine(step: ChatToolStep): string {
  const lookups = step.lookups.map((l) => `${l.label}${l.ok ? '' : ` (failed: ${l.error ?? 'error'})`}`).join(', ');
  return `↳ looked up ${lookups} — $${step.costUsd.toFixed(4)}, ${step.ms} ms`;
}
