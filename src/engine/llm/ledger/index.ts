/** Cost ledger and budgets: every model call recorded, priced, aggregated; caps enforced. */
export { CostLedger, LEDGER_FILE, type CostLedgerOptions } from './costLedger';
export { budgetState, budgetLine, enforceBudget, NO_BUDGET, WARNING_FRACTION, type BudgetConfig, type BudgetVerdict } from './budget';
export { dayKey, monthKey } from './calendar';
