/**
 * The trust gate over the protocol: `review/run` and `review/classify` (blast radius), and
 * `provenance/record` / `provenance/report` (the ledger of AI-written code).
 */
import * as path from 'node:path';
import picomatch from 'picomatch';
import type { ProvenanceEntry, ReviewResult } from '../../protocol';
import { KeelError, toKeelError } from '../../common/errors';
import { ConfigKey } from '../config';
import type { Engine } from '../engine';
import { defaultTierModels } from '../llm/router';
import { CostLedgerKey, priceOverrides } from '../llm/runtime';
import { LlmProviderKey } from '../llm/services';
import { ledgerPathFor, ProvenanceLedger } from '../provenance/ledger';
import { mapToHead } from '../provenance/map';
import { areasOf, classifyRegion, HIGH_AREAS } from '../review/classify';
import { gitTopLevel, gitUser } from '../review/git';
import { modelReview } from '../review/modelReview';
import { runReview } from '../review/run';
import { workspaceStateDir } from '../stateDir';

export function registerTrustFeature(engine: Engine): void {
  const ledgerAt = async (root: string, override: string | undefined, signal?: AbortSignal): Promise<{ top: string; ledger: ProvenanceLedger }> => {
    if (override !== undefined && !path.isAbsolute(override)) throw new KeelError('INVALID_PARAMS', '`ledger` must be an absolute file path.');
    const top = await gitTopLevel(root, signal);
    return { top, ledger: new ProvenanceLedger(override ?? ledgerPathFor(workspaceStateDir(engine.options), top)) };
  };

  engine.handle('review/classify', async (params) => {
    const evidence = classifyRegion(params.path, params.fileText, params.text.split('\n').map((text, i) => ({ line: i + 1, text })));
    const areas = areasOf(evidence);
    return { areas, evidence, high: areas.some((a) => HIGH_AREAS.has(a)) };
  });

  engine.handle('review/run', async (params, ctx) => {
    const { ledger } = await ledgerAt(params.cwd, params.ledger, ctx.signal);
    const work = await runReview({ cwd: params.cwd, range: params.range, entries: ledger.read().entries, signal: ctx.signal });
    const { top: _top, texts, ...result } = work;
    const untested = result.hunks.filter((h) => !h.testsTouched && h.areas.some((a) => HIGH_AREAS.has(a)));
    const provider = engine.services.get(LlmProviderKey);
    if (params.llm === false || untested.length === 0) return result;
    if (!provider) return params.llm ? { ...result, modelSkipped: 'no model provider is configured' } : result;
    const config = engine.services.get(ConfigKey);
    const tiers = defaultTierModels(provider.id, { fast: config.get('keel.models.fast', ''), reasoning: config.get('keel.models.reasoning', '') });
    try {
      const reviewed = await modelReview(untested, texts, { provider, tiers, ledger: engine.services.get(CostLedgerKey), prices: priceOverrides(config) }, ctx.signal);
      return { ...result, findings: [...result.findings, ...reviewed.findings], model: reviewed.call } satisfies ReviewResult;
    } catch (error) {
      const e = toKeelError(error);
      if (e.code === 'CANCELLED') throw e;
      ctx.log.warn(`review: model review skipped: ${e.code} ${e.message}`);
      return { ...result, modelSkipped: `${e.code}: ${e.message}` };
    }
  });

  engine.handle('provenance/record', async (params, ctx) => {
    const { top, ledger } = await ledgerAt(params.root, params.ledger, ctx.signal);
    const abs = path.resolve(params.root, params.path);
    const rel = path.relative(top, abs);
    if (rel.startsWith('..') || path.isAbsolute(rel)) throw new KeelError('BAD_INPUT', `${params.path} is not inside the git work tree ${top}.`);
    const config = engine.services.get(ConfigKey);
    const entry = ledger.append({
      kind: params.kind ?? 'ai-write',
      gitUser: await gitUser(top, ctx.signal),
      feature: params.feature,
      provider: params.provider,
      model: params.model,
      tier: params.tier,
      requestId: params.requestId ?? '',
      prompt: params.prompt,
      recordPrompt: config.get<boolean>('keel.provenance.recordPrompts', false) === true,
      path: rel.split(path.sep).join('/'),
      startLine: params.startLine,
      endLine: params.endLine,
      text: params.text,
      areas: params.areas,
    });
    return { id: entry.id, ledger: ledger.file };
  });

  engine.handle('provenance/report', async (params, ctx) => {
    const { top, ledger } = await ledgerAt(params.root, params.ledger, ctx.signal);
    const read = ledger.read();
    let entries: ProvenanceEntry[] = read.entries;
    if (params.since) {
      const since = Date.parse(params.since);
      if (Number.isNaN(since)) throw new KeelError('BAD_INPUT', `--since is not a date: ${params.since}`);
      entries = entries.filter((e) => Date.parse(e.time) >= since);
    }
    const { head, lines: allLines } = await mapToHead(top, entries, ctx.signal);
    let lines = allLines;
    if (params.path) {
      const match = picomatch(params.path, { dot: true });
      lines = lines.filter((l) => match(l.path));
      const ids = new Set(lines.map((l) => l.entry));
      entries = entries.filter((e) => match(e.path) || ids.has(e.id));
    }
    return { ledger: ledger.file, head, integrity: read.integrity, entries, lines };
  });
}
