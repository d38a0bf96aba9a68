/**
 * The cost ledger: records every model call (one fsync'd JSON line each, see jsonlLog.ts), keeps running
 * totals, answers summaries and budget questions. One instance per storage directory.
 */
import * as path from 'node:path';
import type { BudgetState, CostBucket, CostEntry, CostRecordInput, CostSummary } from '../../../protocol';
import type { PriceTable } from '../pricing';
import { CostTotals } from './aggregate';
import { budgetState, NO_BUDGET, type BudgetConfig } from './budget';
import { dayKey, monthKey } from './calendar';
import { buildEntry, isCostEntry, round9 } from './entry';
import { JsonlLog } from './jsonlLog';

export const LEDGER_FILE = 'cost-ledger.jsonl';

export interface CostLedgerOptions {
  /** Directory holding the ledger file (the engine's storage dir). */
  dir: string;
  prices?: PriceTable;
  budget?: BudgetConfig;
  now?: () => number;
}

export class CostLedger {
  private readonly log: JsonlLog<CostEntry>;
  private totals = new CostTotals();
  private skipped = 0;
  private tornTail = false;
  prices: PriceTable;
  budget: BudgetConfig;
  private readonly now: () => number;
  /** Told of every line written (the team store mirrors them: store/teamRuntime.ts). */
  private readonly listeners: Array<(entry: CostEntry) => void> = [];

  constructor(options: CostLedgerOptions) {
    this.log = new JsonlLog(path.join(options.dir, LEDGER_FILE), isCostEntry);
    this.prices = options.prices ?? {};
    this.budget = options.budget ?? NO_BUDGET;
    this.now = options.now ?? Date.now;
  }

  get file(): string {
    return this.log.file;
  }

  /** Price, persist and count one call. Throws INVALID_PARAMS for a malformed report (nothing written). */
  record(input: CostRecordInput): { entry: CostEntry; budget: BudgetState } {
    const entry = buildEntry(input, this.prices, this.now());
    this.refresh(); // pick up other writers first so our own line is read exactly once below
    this.log.append(entry);
    this.refresh();
    for (const listener of this.listeners) listener(entry);
    return { entry, budget: this.budgetState() };
  }

  onRecord(listener: (entry: CostEntry) => void): void {
    this.listeners.push(listener);
  }

  budgetState(): BudgetState {
    this.refresh();
    const now = this.now();
    return budgetState(this.budget, this.totals.perDay.get(dayKey(now))?.costUsd ?? 0, this.totals.perMonth.get(monthKey(now))?.costUsd ?? 0);
  }

  summary(): CostSummary {
    this.refresh();
    const now = this.now();
    const day = dayKey(now);
    const month = monthKey(now);
    const t = this.totals;
    const savings = t.savings;
    const byCost = (a: CostBucket, b: CostBucket): number => b.costUsd - a.costUsd || a.key.localeCompare(b.key);
    return {
      currency: 'USD',
      day,
      month,
      today: t.perDay.get(day)?.costUsd ?? 0,
      monthToDate: t.perMonth.get(month)?.costUsd ?? 0,
      total: t.total.costUsd,
      calls: { today: t.perDay.get(day)?.calls ?? 0, month: t.perMonth.get(month)?.calls ?? 0, total: t.total.calls },
      savings: { ...savings, total: round9(savings.semanticCache + savings.routing + savings.promptCaching) },
      perDay: [...t.perDay.values()].sort((a, b) => a.key.localeCompare(b.key)).map(copy),
      perModel: [...t.perModel.values()].sort(byCost).map(copy),
      perFeature: [...t.perFeature.values()].sort(byCost).map(copy),
      budget: this.budgetState(),
      skippedLines: this.skipped + (this.tornTail ? 1 : 0),
      ledger: this.log.file,
    };
  }

  private refresh(): void {
    const read = this.log.readNew();
    if (read.reset) {
      this.totals = new CostTotals();
      this.skipped = 0;
    }
    for (const entry of read.records) this.totals.add(entry);
    this.skipped += read.skipped;
    this.tornTail = read.tornTail;
  }
}

function copy(b: CostBucket): CostBucket {
  return { ...b, usage: { ...b.usage } };
}
