/**
 * Budgets: a daily and a monthly cap. At 80% the state is "warning"; at 100% the configured action
 * applies — warn only, downgrade to the fast tier, or refuse with BUDGET_EXCEEDED.
 */
import type { BudgetAction, BudgetLine, BudgetState, Tier } from '../../../protocol';
import { KeelError } from '../../../common/errors';

export interface BudgetConfig {
  /** 0 or less: no cap. */
  dailyUsd: number;
  monthlyUsd: number;
  action: BudgetAction;
}

export const NO_BUDGET: BudgetConfig = Object.freeze({ dailyUsd: 0, monthlyUsd: 0, action: 'warn' });
export const WARNING_FRACTION = 0.8;

const SEVERITY: Record<BudgetLine['state'], number> = { none: 0, ok: 1, warning: 2, exceeded: 3 };

export function budgetLine(limitUsd: number, spentUsd: number): BudgetLine {
  if (!(limitUsd > 0)) return { limitUsd: null, spentUsd, fraction: null, state: 'none' };
  const fraction = spentUsd / limitUsd;
  const state = fraction >= 1 ? 'exceeded' : fraction >= WARNING_FRACTION ? 'warning' : 'ok';
  return { limitUsd, spentUsd, fraction: Math.round(fraction * 1e4) / 1e4, state };
}

export function budgetState(config: BudgetConfig, todayUsd: number, monthUsd: number): BudgetState {
  const daily = budgetLine(config.dailyUsd, todayUsd);
  const monthly = budgetLine(config.monthlyUsd, monthUsd);
  const state = SEVERITY[daily.state] >= SEVERITY[monthly.state] ? daily.state : monthly.state;
  return { action: config.action, daily, monthly, state };
}

export interface BudgetVerdict {
  tier: Tier;
  /** A message to show the user, when there is something to say. */
  notice?: string;
}

/**
 * What to do with a call about to be made on `tier` given the budget. Throws BUDGET_EXCEEDED for the
 * "block" action. Downgrading security-sensitive work is said out loud, never done silently.
 */
export function enforceBudget(budget: BudgetState, tier: Tier, securitySensitive = false): BudgetVerdict {
  const which = budget.daily.state === 'exceeded' ? budget.daily : budget.monthly.state === 'exceeded' ? budget.monthly : undefined;
  const period = which === budget.daily ? 'daily' : 'monthly';
  if (which) {
    const spent = `$${which.spentUsd.toFixed(2)} of the $${(which.limitUsd ?? 0).toFixed(2)} ${period} budget`;
    if (budget.action === 'block') {
      throw new KeelError('BUDGET_EXCEEDED', `Keel's ${period} model budget is used up (${spent}). Raise keel.budget.${period === 'daily' ? 'dailyUsd' : 'monthlyUsd'} or wait for the next ${period === 'daily' ? 'day' : 'month'}.`);
    }
    if (budget.action === 'downgrade' && tier === 'reasoning') {
      return {
        tier: 'fast',
        notice: `Budget reached (${spent}): answering with the fast tier${securitySensitive ? ' even though this looks security-sensitive — re-ask with the reasoning model if it matters' : ''}.`,
      };
    }
    return { tier, notice: `Budget reached (${spent}).` };
  }
  if (budget.state === 'warning') {
    const line = budget.daily.state === 'warning' ? budget.daily : budget.monthly;
    const p = line === budget.daily ? 'daily' : 'monthly';
    return { tier, notice: `${Math.round((line.fraction ?? 0) * 100)}% of the ${p} model budget used ($${line.spentUsd.toFixed(2)} of $${(line.limitUsd ?? 0).toFixed(2)}).` };
  }
  return { tier };
}
