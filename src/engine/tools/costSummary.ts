/** cost_summary: what Keel's model calls cost today / this month, what caching and routing saved, where the budget stands. */
import { z } from 'zod';
import { call } from '../engine';
import { defineTool } from './types';

const bucket = z.object({ key: z.string(), costUsd: z.number(), calls: z.number().int() });
const budgetLine = z.object({ limitUsd: z.number().nullable(), spentUsd: z.number(), state: z.string() });

const output = z.object({
  currency: z.literal('USD'),
  day: z.string(),
  month: z.string(),
  today: z.number(),
  monthToDate: z.number(),
  total: z.number(),
  calls: z.object({ today: z.number().int(), month: z.number().int(), total: z.number().int() }),
  saved: z.object({ semanticCache: z.number(), routing: z.number(), promptCaching: z.number(), total: z.number() }),
  budget: z.object({ state: z.string(), action: z.string(), daily: budgetLine, monthly: budgetLine }),
  topModels: z.array(bucket),
  topFeatures: z.array(bucket),
});

const TOP = 5;

export const costSummary = defineTool({
  name: 'cost_summary',
  title: 'Cost summary',
  description: 'What Keel\'s model calls have cost (today, this month, all time, per model and feature), what the semantic cache and routing saved, and the budget state.',
  input: z.object({}).strict(),
  output,
  async run(_args, ctx) {
    const s = await call(ctx.engine, 'cost/summary', {}, { signal: ctx.signal });
    const top = (buckets: typeof s.perModel): z.infer<typeof bucket>[] =>
      [...buckets].sort((a, b) => b.costUsd - a.costUsd).slice(0, TOP).map((b) => ({ key: b.key, costUsd: b.costUsd, calls: b.calls }));
    const line = (l: typeof s.budget.daily): z.infer<typeof budgetLine> => ({ limitUsd: l.limitUsd, spentUsd: l.spentUsd, state: l.state });
    const structured = {
      currency: 'USD' as const,
      day: s.day,
      month: s.month,
      today: s.today,
      monthToDate: s.monthToDate,
      total: s.total,
      calls: s.calls,
      saved: { semanticCache: s.savings.semanticCache, routing: s.savings.routing, promptCaching: s.savings.promptCaching, total: s.savings.total },
      budget: { state: s.budget.state, action: s.budget.action, daily: line(s.budget.daily), monthly: line(s.budget.monthly) },
      topModels: top(s.perModel),
      topFeatures: top(s.perFeature),
    };
    const usd = (x: number): string => `$${x.toFixed(4)}`;
    const text = [
      `Today ${usd(s.today)} (${s.calls.today} calls), month ${usd(s.monthToDate)} (${s.calls.month}), all time ${usd(s.total)} (${s.calls.total}).`,
      `Saved ${usd(s.savings.total)} (cache ${usd(s.savings.semanticCache)}, routing ${usd(s.savings.routing)}, prompt caching ${usd(s.savings.promptCaching)}). Budget: ${s.budget.state}.`,
      ...structured.topModels.map((m) => `  ${m.key}: ${usd(m.costUsd)} over ${m.calls} calls`),
    ].join('\n');
    return { structured, text };
  },
});
