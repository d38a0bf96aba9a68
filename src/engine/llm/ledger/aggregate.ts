/**
 * Running totals over ledger entries: per day, per model, per feature, savings by mechanism. Kept
 * incrementally so a summary costs O(buckets), not O(calls).
 */
import type { CostBucket, CostEntry, CostSavings, Usage } from '../../../protocol';
import { addUsage, ZERO_USAGE } from '../usage';
import { dayKey, monthKey } from './calendar';
import { round9 } from './entry';

export class CostTotals {
  readonly perDay = new Map<string, CostBucket>();
  readonly perMonth = new Map<string, CostBucket>();
  readonly perModel = new Map<string, CostBucket>();
  readonly perFeature = new Map<string, CostBucket>();
  readonly total: CostBucket = bucket('total');
  readonly savings: CostSavings = { semanticCache: 0, routing: 0, promptCaching: 0 };

  add(entry: CostEntry): void {
    const ms = Date.parse(entry.time);
    for (const [map, key] of [
      [this.perDay, dayKey(ms)],
      [this.perMonth, monthKey(ms)],
      [this.perModel, entry.model],
      [this.perFeature, entry.feature],
    ] as const) {
      let b = map.get(key);
      if (!b) map.set(key, (b = bucket(key)));
      addTo(b, entry);
    }
    addTo(this.total, entry);
    for (const k of ['semanticCache', 'routing', 'promptCaching'] as const) {
      this.savings[k] = round9(this.savings[k] + entry.savings[k]);
    }
  }
}

function bucket(key: string): CostBucket {
  return { key, costUsd: 0, calls: 0, cacheHits: 0, usage: { ...ZERO_USAGE } };
}

function addTo(b: CostBucket, e: CostEntry): void {
  b.costUsd = round9(b.costUsd + e.costUsd);
  b.calls++;
  if (e.cacheHit) b.cacheHits++;
  b.usage = addUsage(b.usage, e.usage as Usage);
}
